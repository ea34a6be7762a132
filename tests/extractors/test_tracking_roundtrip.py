"""The secretariat's round trip on the corpus: export the 任务分工表, edit it with openpyxl as a
person would (five kinds of edit), import it, rebuild with a changed rule: the edits are still
there (and a merge of two rows); change the source under one of them: it is listed 待复核 with
the old and the new text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.registry import build
from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from extractors.run import Extraction
from extractors.tracking.service import LedgerReader, correct_field, import_workbooks, run_tracked_export
from extractors.tracking.workbook_in import read_ledger_workbook
from pipeline.errors import WorkbookImportError
from pipeline.settings import Settings
from tests.tracking_ledger import build_corpus_ledger, copy_ledger, export_xlsx

D = "dongqu-2023-chengzai-fangan:"
# a measure of another document on the sheet (a 规划 that assigns nobody prints on 未分工措施,
# which the import does not read)
NOT_A_TASK = "pzh-2025-yuanqu-tizhi-tongzhi:二.（二）.6"
QUOTE = "建立健全推进园区提升承载能力工作机制，强化组织协调，定期研究解决园区建设发展中遇到的困难问题。"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("built"))


@pytest.fixture
def ledger(built: Settings, tmp_path: Path) -> Settings:
    return copy_ledger(built, tmp_path)


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def _rows(ws, columns) -> dict[str, int]:
    return {ws.cell(r, columns["任务ID"]).value: r for r in range(2, ws.max_row + 1)}


def edit_as_a_person(exported: Path, out: Path) -> None:
    """Five kinds of edit, made the way a person makes them in Excel or WPS."""
    wb = load_workbook(exported)
    ws = wb["任务分工表"]
    col = _columns(ws)
    row = _rows(ws, col)
    ws.cell(row[D + "二.（一）.1"], col["牵头单位"]).value = "区发展和改革委员会"  # change the lead
    supporting = ws.cell(row[D + "二.（一）.2"], col["配合单位／责任单位"])
    first, *rest = (supporting.value or "").split("\n")  # 配合 on the first line, 责任单位：… below
    supporting.value = "\n".join([f"{first}、区财政局" if first else "区财政局", *rest])  # add a supporting unit
    ws.cell(row[D + "二.（一）.3"], col["完成时限"]).value = "2024年6月底前"  # add a deadline
    ws.cell(row[NOT_A_TASK], col["校核"]).value = "非任务"  # not a task
    into = ws.cell(row[D + "二.（二）.4"], col["序号"]).value  # merge a row into another, by its 序号
    ws.cell(row[D + "二.（二）.5"], col["校核"]).value = f"并入 {into}"
    new = ws.max_row + 1  # a task the extractor missed, quoted from the document
    ws.cell(new, col["文件"]).value = "攀枝花东区高新技术产业园区承载能力提升三年行动方案"
    ws.cell(new, col["具体措施"]).value = "强化园区运行机制\n" + QUOTE
    ws.cell(new, col["牵头单位"]).value = "区财政局"
    ws.cell(new, col["完成时限"]).value = "2025年底前"
    wb.save(out)


def _check(settings: Settings):
    with Registry.open(settings) as registry:
        tracked = LedgerReader(registry).tracked()
    tasks = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    return tracked, tasks


def _assert_edits_hold(tasks, tracked) -> None:
    assert [m.name for m in tasks[D + "二.（一）.1"].lead] == ["区发展和改革委员会"]
    assert "区发展和改革委员会" not in [m.name for m in tasks[D + "二.（一）.1"].supporting]
    assert "区财政局" in [m.name for m in tasks[D + "二.（一）.2"].supporting]
    deadline = tasks[D + "二.（一）.3"].deadlines
    assert [(d.text, str(d.date)) for d in deadline] == [("2024年6月底前", "2024-06-30")]
    assert NOT_A_TASK not in tasks
    assert sorted(t.task_id for t, _ in tracked.excluded) == sorted([NOT_A_TASK, D + "二.（二）.5"])
    merged = tasks[D + "二.（二）.4"]  # gains 二.（二）.5's co-lead and supporters, each unit once
    assert D + "二.（二）.5" not in tasks and [m.name for m in merged.lead] == ["园区规划发展部", "高创投公司"]
    added = [t for t in tasks.values() if t.task_id.startswith(D + "补")]
    assert len(added) == 1 and added[0].text == QUOTE and [m.name for m in added[0].lead] == ["区财政局"]
    assert added[0].source.char_end - added[0].source.char_start == len(QUOTE)  # provenance kept


def test_edits_survive_a_rebuild_and_a_changed_source_goes_to_review(
        ledger: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exported = export_xlsx(ledger, tmp_path / "任务分工表.xlsx")
    edited = tmp_path / "任务分工表-改.xlsx"
    edit_as_a_person(exported, edited)

    with Registry.open(ledger) as registry:
        first = import_workbooks([edited], registry)
        assert first.ok, first.failed
        assert sorted(c.field for c in first.corrections) == \
            ["add_task", "deadline", "lead", "merge", "not_a_task", "supporting"]
        lead = next(c for c in first.corrections if c.field == "lead")
        assert (lead.origin.sheet, lead.origin.column, lead.before) == ("任务分工表", "牵头单位(D)", "区经济和信息化局")
        # idempotent: the same file, and the same cells saved again by another program
        assert import_workbooks([edited], registry).corrections == []
        resaved = tmp_path / "再存.xlsx"
        load_workbook(edited).save(resaved)
        again = import_workbooks([resaved], registry)
        assert again.ok and again.corrections == []
        assert len(LedgerReader(registry).store.corrections()) == 6
    tracked, tasks = _check(ledger)
    _assert_edits_hold(tasks, tracked)
    assert "区林业局" in [m.name for m in tasks[D + "二.（二）.4"].supporting]  # 二.（二）.5's supporter
    # a typed name is read as the document reads it: 区财政局 of this 东区 document is 东区财政局
    added = next(t for t in tasks.values() if t.task_id.startswith(D + "补"))
    assert [(m.name, m.canonical) for m in added.lead] == [("区财政局", "东区财政局")]
    assert ("区财政局", "东区财政局") in [(m.name, m.canonical) for m in tasks[D + "二.（一）.2"].supporting]

    # a rebuild with a changed rule: supporting units are no longer read at all
    real_extract = build._extract

    def changed_rule(doc):
        found = real_extract(doc)
        return Extraction(found.document, tuple(t.model_copy(update={"supporting": ()}) for t in found.tasks),
                          found.targets)

    monkeypatch.setattr(build, "_extract", changed_rule)
    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "changed-rule")
    rebuilt = build_registry([], ledger, progress=False)
    assert len(rebuilt.updated) == 5
    with Registry.open(ledger) as registry:
        assert registry.task(D + "二.（一）.2").supporting == ()  # the extraction changed…
    tracked, tasks = _check(ledger)
    _assert_edits_hold(tasks, tracked)  # …the corrections did not
    assert tracked.reviews == []

    # a new version of the document changes the text under the lead correction
    source = ledger.corpus_dir / "dongqu-2023-chengzai-fangan.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("采取“园中园”、集中发展区等", "采取“园中园”、集中发展区、飞地园区等", 1),
                      encoding="utf-8")
    assert build_registry([], ledger, progress=False).updated == ["dongqu-2023-chengzai-fangan"]
    tracked, tasks = _check(ledger)
    [review] = tracked.reviews
    assert review.correction.task_id == D + "二.（一）.1" and review.reason == "原文已变化"
    assert "集中发展区等" in review.old_text and "飞地园区" in review.new_text
    assert [m.name for m in tasks[D + "二.（一）.1"].lead] == ["区经济和信息化局"]  # not applied silently
    assert "区财政局" in [m.name for m in tasks[D + "二.（一）.2"].supporting]  # the others still hold
    assert any(t.task_id.startswith(D + "补") for t in tasks.values())  # its quote only moved

    # the workbook shows it: a 待复核 note on the row, and the 校核记录 with both texts
    wb = load_workbook(export_xlsx(ledger, tmp_path / "again.xlsx"))
    ws = wb["任务分工表"]
    col = _columns(ws)
    row = _rows(ws, col)
    assert "待复核" in ws.cell(row[D + "二.（一）.1"], col["校核"]).value
    assert "已校核" in ws.cell(row[D + "二.（一）.2"], col["校核"]).value
    assert ws.cell(row[D + "二.（一）.2"], col["配合单位／责任单位"]).comment is not None
    log = {r[2]: r for r in wb["校核记录"].iter_rows(min_row=2, values_only=True)}
    assert log[D + "二.（一）.1"][1] == "待复核" and "飞地园区" in log[D + "二.（一）.1"][10]
    assert wb["_taizhang"].sheet_state == "veryHidden"

    # confirming the value against the new text (the web page's edit) settles the review
    with Registry.open(ledger) as registry:
        correct_field(registry, D + "二.（一）.1", "lead", "区发展和改革委员会", "督查室")
    tracked, tasks = _check(ledger)
    assert tracked.reviews == [] and [m.name for m in tasks[D + "二.（一）.1"].lead] == ["区发展和改革委员会"]

    # the JSON carries the extracted and the corrected value side by side
    contract = json.loads(run_tracked_export(ledger, "json", tmp_path / "t.json").read_text(encoding="utf-8"))
    by_id = {t["task_id"]: t for d in contract["documents"] for t in d["tasks"]}
    [note] = by_id[D + "二.（一）.2"]["corrections"]
    assert note["status"] == "已校核" and note["extracted"] == "" and note["corrected"].endswith("区财政局")


def test_foreign_edited_or_formula_workbooks_are_refused_by_sheet_row_column(
        ledger: Settings, tmp_path: Path) -> None:
    exported = export_xlsx(ledger, tmp_path / "任务分工表.xlsx")
    wb = load_workbook(exported)
    sheet = wb["任务分工表"]
    header, formula, good = tmp_path / "表头.xlsx", tmp_path / "公式.xlsx", tmp_path / "好.xlsx"
    for path, cell, value in ((header, "D1", "主责单位"), (formula, "D5", '=HYPERLINK("http://example.com","x")'),
                              (good, "F5", "2026年底前")):
        before, sheet[cell] = sheet[cell].value, value
        wb.save(path)
        sheet[cell] = before
    with Registry.open(ledger) as registry:
        report = import_workbooks([header, formula, good], registry)
        assert [f.corrections for f in report.files] == [0, 0, 1]  # the good file still went in
        assert "「任务分工表」第1行第D列表头为「主责单位」，导出时为「牵头单位」" in report.failed[0]
        assert "「任务分工表」第5行第D列（牵头单位）是公式" in report.failed[1]
        assert len(LedgerReader(registry).store.corrections()) == 1
    with Registry.open(Settings(data_dir=tmp_path / "other")) as registry:  # another registry
        refused = import_workbooks([good], registry)
    assert not refused.ok and "另一个台账库" in refused.failed[0] and "第1行第C列" in refused.failed[0]
    plain = tmp_path / "plain.xlsx"
    del wb["_taizhang"]  # a workbook without taizhang's hidden sheet
    wb.save(plain)
    with Registry.open(ledger) as registry, pytest.raises(WorkbookImportError, match="不是 taizhang 导出的工作簿"):
        read_ledger_workbook(plain, LedgerReader(registry).store.epoch())


def test_a_typed_city_unit_is_the_city_body_the_document_names(corpus_documents) -> None:
    """市经信局 or 市经济和信息化局 typed into a 攀枝花 document's row is the 攀枝花市经济和信息化局 the
    extractor found there, not a second, bare unit."""
    from extractors.run import extract_document
    from extractors.tracking.apply import document_units, with_field

    tasks = extract_document(corpus_documents["pzh-2024-jianquan-qianglian-16tiao"]).tasks
    in_document = document_units(tasks)
    for typed in ("市经信局", "市经济和信息化局"):
        changed = with_field(tasks[3], "supporting", typed, None, in_document)
        assert [(m.name, m.canonical) for m in changed.supporting] == [(typed, "攀枝花市经济和信息化局")]
