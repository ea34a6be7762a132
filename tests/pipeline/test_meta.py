"""Metadata read from a document's own text when no manifest describes it: the issuer from the
title block, the signature, the colophon's 印发 line or the 文号's agency code."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.run import parse_file

BODY = "一、总体要求\n（一）加强组织领导。各地区要落实责任。\n"


@pytest.mark.parametrize(("text", "issuer"), [
    ("关于推进某项工作的通知\n" + BODY + "国务院办公厅\n2018年12月6日\n（此件公开发布）\n", "国务院办公厅"),
    ("关于推进某项工作的实施方案\n" + BODY + "抄送：省委各部门，省人大常委会办公厅。\n"
     "山东省人民政府办公厅2020年12月10日印发\n", "山东省人民政府办公厅"),
    ("关于推进某项工作的通知\n国办发〔2018〕129号\n" + BODY, "国务院办公厅"),
    ("关于推进某项工作的通知\n鲁政办发〔2020〕16号\n" + BODY, "山东省人民政府办公厅"),
    ("关于推进某项工作的通知\n青政发〔2020〕1号\n" + BODY, None),  # 青海 or 青岛: not guessed
    ("关于推进某项工作的通知\n" + BODY, None),
])
def test_issuer_from_the_text(tmp_path: Path, text: str, issuer: str | None) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    assert parse_file(path).meta.issuer == issuer
