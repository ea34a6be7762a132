"""Reading a workbook taizhang wrote back, as values only, refusing what it cannot trust.

openpyxl in read-only mode, VBA and external links dropped: nothing in the file is run. A cell
holding a formula is refused (its cached result could be anything and it is never evaluated);
so is a workbook without taizhang's hidden sheet, one exported from another registry, and one
whose header row was edited. Every refusal names the sheet, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from pipeline.errors import WorkbookImportError

from extractors.export.task_sheet import (
    DEADLINE_HEADER,
    LEAD_HEADER,
    LOCATOR_HEADER,
    SHARED_UNITS_HEADER,
    TASK_SHEET,
    UNSPLIT_PREFIX,
)
from extractors.tracking.workbook_out import (
    CHECK_HEADER,
    EDITED_SHEETS,
    LEDGER_MARK,
    SNAPSHOT_SHEET,
    TASK_ID_HEADER,
)

FIELD_HEADERS = {
    "lead": LEAD_HEADER, "supporting": SHARED_UNITS_HEADER, "unassigned": SHARED_UNITS_HEADER, "deadline": DEADLINE_HEADER,
}


@dataclass(frozen=True)
class EditableCells:
    """The cells of one row a person may correct."""

    lead: str = ""
    supporting: str = ""
    unassigned: str = ""
    deadline: str = ""
    check: str = ""  # 校核: 非任务 takes the row out

    def value(self, field: str) -> str:
        return getattr(self, field)


@dataclass(frozen=True)
class LedgerRow:
    sheet: str  # 任务分工表 or 未分工措施
    row: int
    number: str  # 序号
    task_id: str  # "" for a row a person added
    document: str  # 文件
    measure: str  # 具体措施
    source: str  # 来源
    cells: EditableCells


@dataclass(frozen=True)
class SnapshotRow:
    task_id: str
    cells: EditableCells
    source_text: str
    shown_deadline: str = ""  # 完成时限 as printed (the document's period or 未明确 when it has none)


@dataclass(frozen=True)
class LedgerWorkbook:
    """A 任务分工表 as a person sent it back, and what taizhang had exported in it."""

    path: Path
    epoch: str
    rows: list[LedgerRow]
    snapshot: dict[str, SnapshotRow]
    columns: dict[str, dict[str, int]]  # sheet → header → 0-based column index

    def column_letter(self, row: LedgerRow, header: str) -> str:
        """The letter of ``header``'s column on ``row``'s sheet ("?" when the sheet has none)."""
        index = self.columns.get(row.sheet, {}).get(header)
        return get_column_letter(index + 1) if index is not None else "?"


def open_workbook(path: Path) -> Workbook:
    try:
        return load_workbook(path, read_only=True, data_only=False, keep_vba=False, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookImportError(path, f"无法作为 xlsx 工作簿读取：{exc.__class__.__name__}",
                                  "请用 Excel 或 WPS 另存为 .xlsx 后再导入") from exc


def cell_text(path: Path, sheet: str, row: int, column: int, header: object, cell: object) -> str:
    """A cell's value as text; a formula is refused, never evaluated."""
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
        raise WorkbookImportError(
            path, f"工作表「{sheet}」第{row}行第{get_column_letter(column)}列（{header}）是公式 {value!s:.40}",
            "导入不计算公式：请把该单元格改为文字后再导入")
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def sheet_values(path: Path, wb: Workbook, sheet: str) -> list[list[str]]:
    """Every row of ``sheet`` as text (refusing formulas)."""
    if sheet not in wb.sheetnames:
        raise WorkbookImportError(path, f"缺少工作表「{sheet}」", "请导入 taizhang 导出的工作簿")
    rows: list[list[str]] = []
    header: list[str] = []
    for r, row in enumerate(wb[sheet].iter_rows(), start=1):
        values = [cell_text(path, sheet, r, c, header[c - 1] if c <= len(header) else "", cell)
                  for c, cell in enumerate(row, start=1)]
        header = header or values
        rows.append(values)
    return rows


def check_mark(path: Path, wb: Workbook, mark: str) -> list[list[str]]:
    """The hidden snapshot sheet's rows, after checking it is taizhang's and of kind ``mark``."""
    if SNAPSHOT_SHEET not in wb.sheetnames:
        raise WorkbookImportError(path, f"不是 taizhang 导出的工作簿（缺少隐藏工作表「{SNAPSHOT_SHEET}」）",
                                  "请先用 taizhang export 导出，在导出的文件上修改后再导入")
    rows = sheet_values(path, wb, SNAPSHOT_SHEET)
    if not rows or not rows[0] or rows[0][0] != mark:
        raise WorkbookImportError(path, f"工作表「{SNAPSHOT_SHEET}」第1行第A列应为「{mark}」",
                                  "这不是这类台账工作簿，或隐藏工作表被改动：请重新导出")
    return rows


def check_registry(path: Path, epoch_in_file: str, epoch: str) -> None:
    if epoch_in_file != epoch:
        raise WorkbookImportError(
            path, f"此工作簿由另一个台账库导出（工作表「{SNAPSHOT_SHEET}」第1行第C列：库编号 "
            f"{epoch_in_file or '空'}，当前库编号 {epoch}）",
            "请从当前台账重新导出（taizhang export），在新文件上修改后导入")


def check_header(path: Path, sheet: str, row: int, found: list[str], expected: list[str]) -> dict[str, int]:
    """Column index (1-based) of each header, after checking the row is the exported one."""
    for c in range(max(len(found), len(expected))):
        got = found[c] if c < len(found) else ""
        want = expected[c] if c < len(expected) else ""
        if got != want:
            raise WorkbookImportError(
                path, f"工作表「{sheet}」第{row}行第{get_column_letter(c + 1)}列表头为「{got}」，导出时为「{want}」",
                "表头不可修改、插入或删除列：请撤销表头改动，或重新导出后再修改")
    return {h: i for i, h in enumerate(expected) if h}


def read_ledger_workbook(path: Path, epoch: str) -> LedgerWorkbook:
    """The rows of an exported 任务分工表 a person edited (its 任务分工表 and 未分工措施 sheets),
    checked against what was exported."""
    wb = open_workbook(path)
    try:
        snapshot_rows = check_mark(path, wb, LEDGER_MARK)
        check_registry(path, snapshot_rows[0][2] if len(snapshot_rows[0]) > 2 else "", epoch)
        # format 1 (written before 未分工措施 was read back) holds the task sheet's header only
        sheets = EDITED_SHEETS if (snapshot_rows[0][1:2] or [""])[0] != "1" else (TASK_SHEET,)
        expected = {sheet: (snapshot_rows[1 + i] if len(snapshot_rows) > 1 + i else [])
                    for i, sheet in enumerate(sheets)}
        values = {sheet: sheet_values(path, wb, sheet) for sheet in sheets}
    finally:
        wb.close()
    snapshot = {
        r[0]: SnapshotRow(r[0], EditableCells(*(r[1:6] + [""] * 5)[:5]), (r[6:7] or [""])[0], (r[7:8] or [""])[0])
        for r in snapshot_rows[1 + len(sheets):] if r and r[0]
    }
    rows: list[LedgerRow] = []
    columns: dict[str, dict[str, int]] = {}
    for sheet in sheets:
        columns[sheet], found = _sheet_rows(path, sheet, values[sheet], expected[sheet], snapshot)
        rows += found
    return LedgerWorkbook(path, epoch, rows, snapshot, columns)


def _sheet_rows(path: Path, sheet: str, values: list[list[str]], expected: list[str],
                snapshot: dict[str, SnapshotRow]) -> tuple[dict[str, int], list[LedgerRow]]:
    """(column of each header, the rows) of one edited sheet, its header checked first."""
    head = next((i for i, r in enumerate(values[:8]) if "具体措施" in r), 0)
    columns = check_header(path, sheet, head + 1, values[head] if values else [], expected)

    def cell(r: list[str], header: str) -> str:
        i = columns.get(header)
        return r[i] if i is not None and i < len(r) else ""

    rows: list[LedgerRow] = []
    for number, r in enumerate(values[head + 1:], start=head + 2):
        task_id = cell(r, TASK_ID_HEADER)
        if not any(r) or (not task_id and sum(1 for v in r if v) == 1 and r[0]):
            continue  # a blank row, or a document's title bar (one merged cell)
        if task_id and task_id not in snapshot:
            raise WorkbookImportError(
                path, f"工作表「{sheet}」第{number}行第{get_column_letter(columns[TASK_ID_HEADER] + 1)}列"
                f"（{TASK_ID_HEADER}）「{task_id}」不是导出时的任务", "任务ID 列不可修改；新增任务请留空该列")
        supporting, unassigned = split_shared_units(cell(r, SHARED_UNITS_HEADER))
        deadline = cell(r, DEADLINE_HEADER)
        snap = snapshot.get(task_id)
        if snap is not None and _squashed(deadline) == _squashed(snap.shown_deadline):
            deadline = snap.cells.deadline  # the printed period or 未明确, left as it was
        cells = EditableCells(cell(r, LEAD_HEADER), supporting, unassigned, deadline, cell(r, CHECK_HEADER))
        rows.append(LedgerRow(sheet, number, cell(r, "序号"), task_id, cell(r, "文件"), cell(r, "具体措施"),
                              cell(r, LOCATOR_HEADER) or cell(r, "来源"), cells))
    return columns, rows


def split_shared_units(cell: str) -> tuple[str, str]:
    """(配合单位, 责任单位) of the shared column: units on a line of their own after 责任单位： have
    no role stated; the others support."""
    supporting: list[str] = []
    unassigned: list[str] = []
    for line in cell.splitlines():
        line = line.strip()
        if line.startswith(UNSPLIT_PREFIX):
            unassigned.append(line[len(UNSPLIT_PREFIX):].strip())
        elif line:
            supporting.append(line)
    return "、".join(supporting), "、".join(unassigned)


def _squashed(text: str) -> str:
    return "".join(text.split())
