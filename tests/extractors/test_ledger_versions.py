"""A document kept in two versions (``build NEW --as-version-of OLD``): the ledger is the latest
version. The 任务分工表 workbook, 督办 counts and progress templates leave the older one out with
a note, ``--all-versions`` puts it back, and a correction made on the older version is listed
with the task it applies to now."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from extractors.registry.version_links import VersionLink
from extractors.relations.versions import superseded_documents
from extractors.tracking.service import (
    LedgerReader,
    add_report,
    correct_field,
    export_tracked,
    export_unit_templates,
    import_workbooks,
    supervision,
)
from pipeline.errors import LedgerRequestError
from pipeline.model import DocumentMeta
from pipeline.settings import Settings
from search_api.cli import app
from tests.tracking_ledger import copy_ledger

DRAFT = """攀枝花市园区提质工作方案（征求意见稿）

一、重点任务
（一）推进园区规划编制。2024年6月底前完成园区总体规划修编。（牵头单位：市发展和改革委员会；配合单位：市财政局）
（二）加强土地要素保障。2024年12月底前建立园区土地供应台账。（牵头单位：市自然资源和规划局）
"""
# the final text: (一) unchanged, (二) given a later deadline, (三) added
FINAL = """攀枝花市园区提质工作方案

一、重点任务
（一）推进园区规划编制。2024年6月底前完成园区总体规划修编。（牵头单位：市发展和改革委员会；配合单位：市财政局）
（二）加强土地要素保障。2025年6月底前建立园区土地供应台账。（牵头单位：市自然资源和规划局）
（三）强化园区招商引资。2025年12月底前引进重点项目10个。（牵头单位：市投资促进局）
"""
AS_OF = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str, str]:
    """(settings, the draft's doc_id, the final's doc_id); before the final was built, the
    secretariat corrected two of the draft's rows."""
    folder = tmp_path_factory.mktemp("versions")
    settings = Settings(data_dir=folder / "data", corpus_dir=folder / "in", file_seconds=0, file_memory_bytes=0)
    settings.corpus_dir.mkdir()
    draft = settings.corpus_dir / "方案一稿.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    [old] = build_registry([draft], settings, progress=False).added
    with Registry.open(settings) as registry:
        correct_field(registry, f"{old}:一.（一）", "supporting", "市财政局、市经济和信息化局", "张三", NOW)
        correct_field(registry, f"{old}:一.（二）", "deadline", "2024年9月底前", "张三", NOW)
    final = settings.corpus_dir / "方案正式稿.txt"
    final.write_text(FINAL, encoding="utf-8")
    [new] = build_registry([final], settings, progress=False, as_version_of=old).added
    return settings, old, new


def _task_ids(path: Path) -> list[str]:
    ws = load_workbook(path)["任务分工表"]
    header = [c.value for c in ws[1]]
    column = header.index("任务ID")
    return [row[column] for row in ws.iter_rows(min_row=2, values_only=True) if row[column]]


def _meta(doc_id: str, title: str, issuer: str | None = None, status: str = "正式") -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title=title, issuer=issuer, status=status)


@pytest.mark.parametrize(("documents", "links", "expected"), [
    # a draft and its final: the final is the ledger
    ([_meta("d", "某方案（征求意见稿）", status="征求意见稿"), _meta("f", "某方案"), _meta("x", "无关的方案")],
     [], {"d": "f"}),
    # a chain of three: the two earlier ones both give way to the last
    ([_meta("a", "甲方案（征求意见稿）", "某市人民政府", "征求意见稿"), _meta("b", "甲方案（送审稿）", None, "送审稿"),
      _meta("c", "甲方案", "某市人民政府")], [], {"a": "c", "b": "c"}),
    # two cities' plans under one title: versions to look at, but both stay in the ledger
    ([_meta("j", "数字经济发展三年行动计划", "济南市人民政府"), _meta("q", "数字经济发展三年行动计划", "青岛市人民政府")],
     [], {}),
    # unless a person linked them
    ([_meta("j", "数字经济发展三年行动计划", "济南市人民政府"), _meta("q", "数字经济发展三年行动计划", "青岛市人民政府")],
     [VersionLink(doc_id="q", previous_id="j", created_at=NOW)], {"j": "q"}),
    ([_meta("x", "无关的方案")], [], {}),
])
def test_the_rule_keeps_the_latest_of_each_group(documents, links, expected) -> None:
    assert superseded_documents(documents, links) == expected


def test_export_lists_only_the_latest_version_with_a_note(two_versions, tmp_path: Path) -> None:
    settings, old, new = two_versions
    with Registry.open(settings) as registry:
        latest = export_tracked(registry, "xlsx", tmp_path / "latest.xlsx")
        every = export_tracked(registry, "xlsx", tmp_path / "every.xlsx", all_versions=True)
    assert _task_ids(latest) == [f"{new}:一.（一）", f"{new}:一.（二）", f"{new}:一.（三）"]
    sheet = load_workbook(latest)["任务分工表"]
    assert sheet["A2"].value.startswith("说明：已有新版本的文件（1 个）未列入，见 taizhang versions")
    ids = _task_ids(every)
    assert len(ids) == 5 and {i.split(":")[0] for i in ids} == {old, new}
    assert not str(load_workbook(every)["任务分工表"]["A2"].value).startswith("说明")
    # the unit matrix and lists follow the same ledger: the draft's rows are not counted again
    matrix = load_workbook(latest)["责任矩阵"]
    assert old not in json.dumps([[str(v) for v in r] for r in matrix.iter_rows(values_only=True)], ensure_ascii=False)


def test_the_json_contract_names_what_it_left_out(two_versions, tmp_path: Path) -> None:
    settings, old, new = two_versions
    with Registry.open(settings) as registry:
        latest = json.loads(export_tracked(registry, "json", tmp_path / "t.json").read_text(encoding="utf-8"))
        every = json.loads(export_tracked(registry, "json", tmp_path / "a.json", all_versions=True).read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in latest["documents"]] == [new] and latest["superseded"] == {old: new}
    assert {d["doc_id"] for d in every["documents"]} == {old, new} and every["superseded"] == {}


def test_the_workbook_with_its_note_imports_back_unchanged(two_versions, tmp_path: Path) -> None:
    settings, _, _ = two_versions
    with Registry.open(settings) as registry:
        path = export_tracked(registry, "xlsx", tmp_path / "latest.xlsx")
        report = import_workbooks([path], registry)
    assert report.ok and report.corrections == []


def test_overdue_counts_the_current_version_only(two_versions) -> None:
    settings, old, new = two_versions
    with Registry.open(settings) as registry:
        latest = supervision(registry, AS_OF)
        every = supervision(registry, AS_OF, all_versions=True)
    overdue = sorted(s.task.task_id for s in latest.states if s.state == "超期")
    # (一) passed 2024-06-30; the draft's (二) (2024-12-31) is no longer chased: the final moved it
    assert overdue == [f"{new}:一.（一）"] and latest.superseded == 1
    assert sorted(s.task.task_id for s in every.states if s.state == "超期") == sorted(
        [f"{old}:一.（一）", f"{old}:一.（二）", f"{new}:一.（一）"])
    lead = {u.unit: u.tasks for u in latest.units}
    assert lead["攀枝花市发展和改革委员会"] == 1  # not counted twice
    assert every.superseded == 0


def test_progress_templates_leave_the_older_version_out(two_versions, tmp_path: Path) -> None:
    settings, old, new = two_versions
    with Registry.open(settings) as registry:
        [path] = export_unit_templates(registry, "攀枝花市自然资源和规划局", tmp_path / "t.xlsx")
    cells = json.dumps([[str(v) for v in r] for ws in load_workbook(path) for r in ws.iter_rows(values_only=True)],
                       ensure_ascii=False)
    assert f"{new}:一.（二）" in cells and old not in cells


def test_a_correction_on_the_older_version_follows_its_measure(two_versions) -> None:
    settings, old, new = two_versions
    with Registry.open(settings) as registry:
        tracked = LedgerReader(registry).tracked()
    rows = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    # the unchanged measure carries the correction; the changed one waits for review
    assert "市经济和信息化局" in {m.name for m in rows[f"{new}:一.（一）"].supporting}
    [review] = tracked.reviews
    assert review.correction.task_id == f"{new}:一.（二）" and "2025年6月底前" in review.new_text


def test_corrections_listing_shows_the_current_task(two_versions) -> None:
    settings, old, new = two_versions
    result = CliRunner().invoke(app, ["corrections", "--json", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    listed = {c["task_id"]: (c["current_task_id"], c["status"]) for c in json.loads(result.output)}
    assert listed == {f"{old}:一.（一）": (f"{new}:一.（一）", "已校核"),
                      f"{old}:一.（二）": (f"{new}:一.（二）", "待复核")}
    table = CliRunner().invoke(app, ["corrections", "--data-dir", str(settings.data_dir)], env={"COLUMNS": "250"})
    assert "现在对应的任务" in table.output and f"{new}:一.（二）" in table.output


def test_cli_all_versions_on_export_and_overdue(two_versions, tmp_path: Path) -> None:
    settings, old, _ = two_versions
    data = ["--data-dir", str(settings.data_dir)]
    runner = CliRunner()
    out = tmp_path / "every.xlsx"
    assert runner.invoke(app, ["export", "--all-versions", "--out", str(out), *data]).exit_code == 0
    assert any(i.startswith(old) for i in _task_ids(out))
    latest = json.loads(runner.invoke(app, ["overdue", "--as-of", "2025-01-01", "--json", *data]).output)
    every = json.loads(runner.invoke(app, ["overdue", "--as-of", "2025-01-01", "--json", "--all-versions", *data]).output)
    assert (len(latest["tasks"]), latest["superseded_documents"]) == (1, 1)
    assert (len(every["tasks"]), every["superseded_documents"]) == (3, 0)
    notice = tmp_path / "督办通报.xlsx"
    shown = runner.invoke(app, ["overdue", "--as-of", "2025-01-01", "--xlsx", str(notice), *data], env={"COLUMNS": "250"})
    assert "已有新版本的文件（1 个）未计入" in shown.output
    assert "已有新版本的文件（1 个）未计入" in load_workbook(notice)["超期任务"]["A1"].value


def test_api_ledger_leaves_the_older_version_out_and_says_which(two_versions) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    settings, old, new = two_versions
    with TestClient(create_app(settings.model_copy(update={"embedding_model": "fake"}))) as http:
        assert http.get("/ledger/superseded").json() == [
            {"doc_id": old, "title": "攀枝花市园区提质工作方案", "current_doc_id": new,
             "current_title": "攀枝花市园区提质工作方案"}]
        assert {r["doc_id"] for r in http.get("/ledger/tasks").json()} == {new}
        assert {r["doc_id"] for r in http.get("/ledger/tasks?all_versions=true").json()} == {old, new}
        duban = http.get("/ledger/overdue?as_of=2025-01-01").json()
        assert [t["task_id"] for t in duban["tasks"]] == [f"{new}:一.（一）"] and duban["superseded_documents"] == 1
        assert len(http.get("/ledger/overdue?as_of=2025-01-01&all_versions=true").json()["tasks"]) == 3
        views = http.get("/ledger/corrections").json()
    assert {(v["correction"]["task_id"], v["current_task_id"]) for v in views} == {
        (f"{old}:一.（一）", f"{new}:一.（一）"), (f"{old}:一.（二）", f"{new}:一.（二）")}


def test_api_units_and_raw_tasks_count_the_latest_version_only(two_versions) -> None:
    """/units, /units/{name}/tasks and /tasks read the extraction itself; they too are the latest
    version of each document unless all_versions=true (the 单位负荷 chart counted a measure of
    the draft and of the final twice)."""
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    settings, old, new = two_versions
    with TestClient(create_app(settings.model_copy(update={"embedding_model": "fake"}))) as http:
        assert {t["doc_id"] for t in http.get("/tasks").json()} == {new}
        assert {t["doc_id"] for t in http.get("/tasks?all_versions=true").json()} == {old, new}
        assert {t["doc_id"] for t in http.get(f"/tasks?doc={old}").json()} == {old}  # asked for by id
        latest = {u["canonical"]: u for u in http.get("/units").json()}
        every = {u["canonical"]: u for u in http.get("/units?all_versions=true").json()}
        planning = next(name for name in latest if name.endswith("发展和改革委员会"))
        assert (latest[planning]["lead_count"], every[planning]["lead_count"]) == (1, 2)
        assert any(name.endswith("投资促进局") for name in latest)  # only the final names it
        one = http.get(f"/units/{planning}/tasks").json()
        both = http.get(f"/units/{planning}/tasks?all_versions=true").json()
    assert [t["doc_id"] for t in one["lead"]] == [new] and len(both["lead"]) == 2


def test_an_older_row_can_be_corrected_but_progress_goes_on_the_latest(two_versions, tmp_path: Path) -> None:

    settings, old, new = two_versions
    settings = copy_ledger(settings, tmp_path)
    with Registry.open(settings) as registry:
        stored = correct_field(registry, f"{old}:一.（一）", "lead", "市商务局", "李四", NOW)
        with pytest.raises(LedgerRequestError, match="已有新版本"):
            add_report(registry, f"{old}:一.（一）", "市财政局", "推进中", AS_OF)
        tracked = LedgerReader(registry).tracked()
    assert stored.task_id == f"{old}:一.（一）"
    rows = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    assert [m.name for m in rows[f"{new}:一.（一）"].lead] == ["市商务局"]


def test_checks_compare_the_latest_versions_only(tmp_path: Path) -> None:
    """A 征求意见稿 and its 正式稿 that changed a figure are versions, not two documents in conflict."""
    from extractors.checks import check_registry

    goal = "一、发展目标\n到2025年，{place}园区工业总产值达到{value}亿元。\n二、重点任务\n（一）推进园区规划编制。（牵头单位：市发展和改革委员会）\n"
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "in", file_seconds=0, file_memory_bytes=0)
    settings.corpus_dir.mkdir()
    draft = settings.corpus_dir / "目标一稿.txt"
    draft.write_text("攀枝花市园区提质行动方案（征求意见稿）\n\n" + goal.format(place="全市", value=1000), encoding="utf-8")
    [old] = build_registry([draft], settings, progress=False).added
    final = settings.corpus_dir / "目标正式稿.txt"
    final.write_text("攀枝花市园区提质行动方案\n\n" + goal.format(place="全市", value=1200), encoding="utf-8")
    [new] = build_registry([final], settings, progress=False, as_version_of=old).added
    with Registry.open(settings) as registry:
        every = check_registry(registry, all_versions=True)
        latest = check_registry(registry)
    between = [f for f in every if {f.left.source.doc_id, f.right.source.doc_id} == {old, new}]
    assert between, "the two versions' figures should disagree when both are checked"
    assert not [f for f in latest if old in {f.left.source.doc_id, f.right.source.doc_id}]
