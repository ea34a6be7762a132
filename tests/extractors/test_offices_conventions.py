"""Conventions real offices write that the first rules missed: a 保障措施 item that charges a named
body in running text, deadlines stated once for a whole section, and similar. Each case is a small
document written for the test."""

from __future__ import annotations

from pathlib import Path

from extractors.run import extract_document
from pipeline.run import parse_file


def _tasks(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(parse_file(path)).tasks


_BRACKETED = ("某市2024年民生实事项目实施方案\n一、重点项目\n（一）新建幼儿园3所。（主办单位：市教育局；协办单位：市财政局）\n"
              "（二）改造老旧小区20个。（主办单位：市住建局；协办单位：市自然资源局）\n二、保障措施\n")


def test_a_guarantee_item_charging_a_named_body_is_a_measure(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _BRACKETED + "（一）强化宣传引导。市融媒体中心要开设专栏，跟踪报道项目进展。\n"
                                          "（二）加强统筹协调。各县（区）政府要高度重视，抓好落实。\n"
                                          "（三）压实工作责任。县（区）政府要落实属地责任，园区管委会要细化任务。\n")
    by_title = {t.title: t for t in tasks}
    assert [u.name for u in by_title["强化宣传引导"].unassigned_units] == ["市融媒体中心"]
    assert not by_title["强化宣传引导"].lead  # no role stated: never promoted to lead
    assert "加强统筹协调" not in by_title  # a call on every county is a general requirement
    assert "压实工作责任" not in by_title  # so is one on a kind of body (县（区）政府, 园区管委会)
