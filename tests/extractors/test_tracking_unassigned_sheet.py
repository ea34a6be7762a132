"""The 未分工措施 sheet is read back like the 任务分工表: a secretariat assigning a 规划's measures
types a lead there, marks a row 非任务, fixes a deadline; the import stores each as a correction
naming that sheet, a rebuild with a changed rule keeps them, and the next export shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.registry import build
from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from extractors.tracking.service import LedgerReader, import_workbooks
from pipeline.settings import Settings
from tests.tracking_ledger import build_corpus_ledger, copy_ledger, export_xlsx

PLAN = "xiqu-2021-chengyu-guihua:"  # a 规划 that names no unit: all its measures are on 未分工措施
SHEET = "未分工措施"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("built"))


@pytest.fixture
def ledger(built: Settings, tmp_path: Path) -> Settings:
    return copy_ledger(built, tmp_path / "copy")


def _tracked(settings: Settings):
    with Registry.open(settings) as registry:
        tracked = LedgerReader(registry).tracked()
    return tracked, {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}


def test_edits_on_the_unassigned_sheet_become_corrections_that_survive_a_rebuild(
        ledger: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wb = load_workbook(export_xlsx(ledger, tmp_path / "任务分工表.xlsx"))
    ws = wb[SHEET]
    col = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, col["任务ID"]).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value}
    lead, not_a_task, deadline = [t for t in rows if t.startswith(PLAN)][:3]
    assert ws.cell(rows[lead], col["牵头单位"]).value in (None, "")  # a column to fill in, empty
    ws.cell(rows[lead], col["牵头单位"]).value = "区发展和改革局"
    ws.cell(rows[lead], col["配合单位／责任单位"]).value = "区财政局\n责任单位：区商务局"
    ws.cell(rows[not_a_task], col["校核"]).value = "非任务"
    ws.cell(rows[deadline], col["完成时限"]).value = "2023年底前"
    edited = tmp_path / "改.xlsx"
    wb.save(edited)

    with Registry.open(ledger) as registry:
        report = import_workbooks([edited], registry)
    assert report.ok, report.failed
    found = {(c.task_id, c.field): c for c in report.corrections}
    assert set(found) == {(lead, "lead"), (lead, "supporting"), (lead, "unassigned"),
                          (not_a_task, "not_a_task"), (deadline, "deadline")}
    origin = found[(lead, "lead")].origin
    letter = chr(ord("A") + col["牵头单位"] - 1)
    assert (origin.sheet, origin.row, origin.column) == (SHEET, rows[lead], f"牵头单位({letter})")

    # a rebuild with a changed rule re-extracts every document: the edits hold
    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "changed-rule")
    assert len(build_registry([], ledger, progress=False).updated) == 5
    tracked, tasks = _tracked(ledger)
    assert [(m.name, m.role) for m in tasks[lead].lead] == [("区发展和改革局", "lead")]
    assert [m.name for m in tasks[lead].supporting] == ["区财政局"]
    assert [m.name for m in tasks[lead].unassigned_units] == ["区商务局"]
    assert not_a_task not in tasks and not_a_task in {t.task_id for t, _ in tracked.excluded}
    assert [(d.text, str(d.date)) for d in tasks[deadline].deadlines] == [("2023年底前", "2023-12-31")]
    assert tracked.reviews == []

    # the plan now assigns a measure: the next export prints it on 任务分工表, marked, and that
    # file imported as it is changes nothing
    again = export_xlsx(ledger, tmp_path / "again.xlsx")
    wb = load_workbook(again)
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value == lead)
    assert ws.cell(row, col["牵头单位"]).value == "区发展和改革局"
    assert "牵头单位已校核" in ws.cell(row, col["校核"]).value
    assert not any(ws.cell(r, col["任务ID"]).value == lead for r in range(2, wb[SHEET].max_row + 1)
                   if wb[SHEET].cell(r, 1).value)  # not printed twice
    with Registry.open(ledger) as registry:
        assert import_workbooks([again], registry).corrections == []


def test_a_workbook_exported_before_the_sheet_was_read_back_still_imports(ledger: Settings, tmp_path: Path) -> None:
    """Format 1 (the snapshot held the task sheet's header only): its 任务分工表 edits import."""
    wb = load_workbook(export_xlsx(ledger, tmp_path / "任务分工表.xlsx"))
    snapshot = wb["_taizhang"]
    assert snapshot["B1"].value == "2"
    snapshot["B1"] = "1"
    snapshot.delete_rows(3)  # the 未分工措施 header row format 1 did not have
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value)
    ws.cell(row, col["完成时限"]).value = "2026年底前"
    wb.save(tmp_path / "旧格式.xlsx")
    with Registry.open(ledger) as registry:
        report = import_workbooks([tmp_path / "旧格式.xlsx"], registry)
    assert report.ok, report.failed
    assert [(c.field, c.after, c.origin.sheet) for c in report.corrections] == [("deadline", "2026年底前", "任务分工表")]
