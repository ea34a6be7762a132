"""Templates for every unit at once as one workbook, one protected sheet per unit, its name safe
for Excel; filled on several sheets and imported, every sheet is read with its own unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.registry.store import Registry
from extractors.tracking.progress import SHEET_NAME_MAX, reporting_units, sheet_titles
from extractors.tracking.service import LedgerReader, export_unit_templates, import_workbooks
from pipeline.settings import Settings
from tests.tracking_ledger import build_corpus_ledger, copy_ledger

D = "dongqu-2023-chengzai-fangan:"
LONG = "攀枝花市东区高新技术产业园区管理委员会经济发展和科技创新服务中心办公室"  # 36 characters


@pytest.mark.parametrize("units,expected", [
    (["市财政局", "市商务局"], ["市财政局", "市商务局"]),
    (["省发展改革委/省能源局", "办公室[综合]", "问题?单位*", "a:b\\c"],
     ["省发展改革委_省能源局", "办公室_综合_", "问题_单位_", "a_b_c"]),
    ([LONG, LONG + "甲"], [LONG[:SHEET_NAME_MAX], LONG[:SHEET_NAME_MAX - 2] + "～2"]),  # cut, then clashing
    (["Office", "OFFICE", "office"], ["Office", "OFFICE～2", "office～3"]),  # Excel ignores case
    (["_taizhang", "History", "'引号'", "  "], ["_taizhang～2", "History～2", "引号", "单位"]),
])
def test_sheet_titles_are_safe_for_excel(units: list[str], expected: list[str]) -> None:
    titles = sheet_titles(units)
    assert [titles[u] for u in units] == expected
    for title in titles.values():
        assert 0 < len(title) <= SHEET_NAME_MAX and not set(title) & set("[]:*?/\\")
        assert title[0] != "'" and title[-1] != "'"
    assert len({t.casefold() for t in titles.values()}) == len(units)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("built"))


@pytest.fixture
def ledger(built: Settings, tmp_path: Path) -> Settings:
    return copy_ledger(built, tmp_path / "copy")


def _fill(ws, task_id: str, status: str, day: str) -> None:
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value == task_id)
    ws.cell(row, col["进展情况"]).value = f"{task_id} 的进展"
    ws.cell(row, col["完成状态"]).value = status
    ws.cell(row, col["报送日期"]).value = day


def test_one_workbook_one_protected_sheet_per_unit_round_trip(ledger: Settings, tmp_path: Path) -> None:
    with Registry.open(ledger) as registry:
        units = reporting_units(LedgerReader(registry).tracked())
        [path] = export_unit_templates(registry, None, tmp_path / "各单位进展报送.xlsx")
    wb = load_workbook(path)
    titles = sheet_titles(units)
    assert wb.sheetnames == [titles[u] for u in units] + ["_taizhang"] and len(units) > 20
    assert wb.security.lockStructure  # a renamed sheet would lose its unit
    for unit in units:
        ws = wb[titles[unit]]
        header = [c.value for c in ws[1]]
        assert ws.protection.sheet and ws.max_row > 1
        editable = {header[c.column - 1] for row in ws.iter_rows(min_row=2) for c in row if not c.protection.locked}
        assert editable == {"进展情况", "完成状态", "存在问题", "下步计划", "报送日期"}
    assert {wb["高创投公司"].cell(r, 12).value for r in range(2, wb["高创投公司"].max_row + 1)} == \
        {D + "二.（一）.3", D + "二.（二）.5", D + "二.（四）.9"}  # what 高创投公司 leads, as in its own file

    _fill(wb["高创投公司"], D + "二.（一）.3", "推进中", "2025-02-15")
    _fill(wb["高创投公司"], D + "二.（二）.5", "滞后", "2025年6月1日")
    _fill(wb["东区高新技术产业园区服务中心"], D + "二.（五）.12", "已完成", "2025-05-10")
    filled = tmp_path / "填好.xlsx"
    wb.save(filled)
    with Registry.open(ledger) as registry:
        report = import_workbooks([filled], registry)
        assert report.ok, report.failed
        assert [f.reports for f in report.files] == [3]
        stored = LedgerReader(registry).store.reports()
        assert sorted((r.task_id, r.unit, r.origin.sheet, r.report_date) for r in stored) == sorted([
            (D + "二.（一）.3", "高创投公司", "高创投公司", dt.date(2025, 2, 15)),
            (D + "二.（二）.5", "高创投公司", "高创投公司", dt.date(2025, 6, 1)),
            (D + "二.（五）.12", "东区高新技术产业园区服务中心", "东区高新技术产业园区服务中心", dt.date(2025, 5, 10)),
        ])
        resaved = tmp_path / "再存.xlsx"
        load_workbook(filled).save(resaved)  # the same reports saved again: nothing new
        assert import_workbooks([resaved], registry).reports == []

        # a bad cell on one unit's sheet is named by that sheet
        wb = load_workbook(filled)
        _fill(wb["高创投公司"], D + "二.（四）.9", "差不多了", "2025-06-01")
        wb.save(tmp_path / "坏.xlsx")
        refused = import_workbooks([tmp_path / "坏.xlsx"], registry)
    assert not refused.ok and "工作表「高创投公司」第4行第H列「完成状态」为「差不多了」" in refused.failed[0]


def test_a_template_exported_before_several_units_per_workbook_still_imports(ledger: Settings, tmp_path: Path) -> None:
    """Format 1: one sheet, 进展报送, its unit in the hidden sheet's first row."""
    with Registry.open(ledger) as registry:
        [path] = export_unit_templates(registry, "高创投公司", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    meta = wb["_taizhang"]
    assert (meta["B1"].value, meta["E1"].value, meta["A3"].value) == ("2", "高创投公司", "进展报送")
    meta["B1"] = "1"
    meta.delete_rows(3)
    _fill(wb["进展报送"], D + "二.（一）.3", "推进中", "2025-02-15")
    wb.save(tmp_path / "旧格式.xlsx")
    with Registry.open(ledger) as registry:
        report = import_workbooks([tmp_path / "旧格式.xlsx"], registry)
    assert report.ok, report.failed
    assert [(r.unit, r.origin.sheet) for r in report.reports] == [("高创投公司", "进展报送")]
