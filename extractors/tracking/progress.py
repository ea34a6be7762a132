"""Progress reports (进展情况): a template per unit, read back as dated rows of history.

A unit reports on the tasks it leads or is named 责任单位 for (a supporting unit reports to the
lead, as 分工方案 usually say). The template's sheet is protected so only 进展情况, 完成状态,
存在问题, 下步计划 and 报送日期 can be typed in; 完成状态 is a drop-down (未启动 / 推进中 / 已完成 /
滞后). Each filled row becomes a ``ProgressReport``; a report is never overwritten: a later
report is another row, and the latest one is what the 任务分工表 and 督办 show.

Templates for every unit come as one file each, or as one workbook with one protected sheet per
unit (its name made safe for Excel: ``sheet_titles``); the import reads every sheet of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import WorkbookImportError
from pipeline.model import Task

from extractors.export.columns import Column
from extractors.export.ledger import deadline_cell, measure_cell
from extractors.export.safe_cells import safe_cell
from extractors.export.write import atomic_write
from extractors.tracking.apply import TrackedLedger
from extractors.tracking.model import PROGRESS_STATUSES, Origin, ProgressReport
from extractors.tracking.workbook_in import check_header, check_mark, check_registry, open_workbook, sheet_values
from extractors.tracking.workbook_out import SNAPSHOT_SHEET

PROGRESS_MARK = "taizhang进展报送"
# 2: the hidden sheet lists (sheet, unit) for each unit's sheet; 1: one sheet, 进展报送, its unit in row 1
TEMPLATE_FORMAT = "2"
REPORT_SHEET = "进展报送"  # the sheet of a one-unit template
SHEET_NAME_MAX = 31  # Excel's limit; WPS and openpyxl refuse longer
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
FIXED = (Column("序号", 5, 6), Column("文件", 12, 24), Column("具体措施", 30, 60), Column("职责", 6, 8),
         Column("完成时限", 8, 16), Column("上次报送", 16, 30))
EDITABLE = (Column("进展情况", 20, 40), Column("完成状态", 8, 10), Column("存在问题", 16, 30),
            Column("下步计划", 16, 30), Column("报送日期", 10, 12))
TASK_ID = Column("任务ID", 10, 20)
HEADERS = [c.header for c in (*FIXED, *EDITABLE, TASK_ID)]
_ROLE = {"lead": "牵头", "unassigned": "责任"}
_EDIT_FILL = PatternFill("solid", fgColor="E2EFDA")
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|]')
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def reporting_role(task: Task, unit: str) -> str | None:
    """牵头 or 责任 when ``unit`` (canonical) must report on ``task``; None otherwise."""
    if any(m.canonical == unit for m in task.lead):
        return "lead"
    if any(m.canonical == unit for m in task.unassigned_units):
        return "unassigned"
    return None


def reporting_units(tracked: TrackedLedger) -> list[str]:
    """Every unit that leads or is 责任单位 for a task, by name."""
    units = {m.canonical for d in tracked.ledger.documents for t in d.tasks
             for m in (*t.lead, *t.unassigned_units)}
    return sorted(units)


def latest_reports(reports: Iterable[ProgressReport]) -> dict[str, ProgressReport]:
    """task_id → its latest report (by report date, then arrival)."""
    latest: dict[str, ProgressReport] = {}
    for r in sorted(reports, key=lambda r: (r.report_date, r.report_id or 0)):
        latest[r.task_id] = r
    return latest


def sheet_titles(units: Sequence[str], reserved: Iterable[str] = (SNAPSHOT_SHEET,)) -> dict[str, str]:
    """unit → a sheet name Excel and WPS accept: at most 31 characters, none of []:*?/\\, not
    blank, not starting or ending with an apostrophe, unique ignoring case (as Excel compares),
    not ``reserved`` nor History (Excel keeps that name). A name cut short or clashing is
    numbered: 某某～2."""
    taken = {r.casefold() for r in (*reserved, "History")}
    titles: dict[str, str] = {}
    for unit in units:
        base = _NOT_IN_SHEET_NAMES.sub("_", unit).strip().strip("'") or "单位"
        title, n = base[:SHEET_NAME_MAX].rstrip("'"), 1
        while title.casefold() in taken:
            n += 1
            title = base[:SHEET_NAME_MAX - len(f"～{n}")].rstrip("'") + f"～{n}"
        taken.add(title.casefold())
        titles[unit] = title
    return titles


def progress_workbook(tracked: TrackedLedger, sheets: Mapping[str, str], epoch: str,
                      latest: Mapping[str, ProgressReport]) -> Workbook:
    """The template units fill in: for each (sheet name → unit) of ``sheets`` a protected sheet
    with the unit's tasks and the five columns it may edit, nothing else. The hidden sheet says
    which sheet is whose; with several, the workbook's structure is locked too (a renamed sheet
    would lose its unit)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, unit in sheets.items():
        _unit_sheet(wb.create_sheet(title), tracked, unit, latest)
    meta = wb.create_sheet(SNAPSHOT_SHEET)
    meta.sheet_state = "veryHidden"
    only = next(iter(sheets.values())) if len(sheets) == 1 else ""
    meta.append([PROGRESS_MARK, TEMPLATE_FORMAT, epoch, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), only])
    meta.append(HEADERS)
    for title, unit in sheets.items():
        meta.append([title, unit])
    if len(sheets) > 1:
        wb.security = WorkbookProtection(lockStructure=True)
    return wb


def _unit_sheet(ws: Worksheet, tracked: TrackedLedger, unit: str, latest: Mapping[str, ProgressReport]) -> None:
    ws.append(HEADERS)
    n = 0
    for doc in tracked.ledger.documents:
        for t in doc.tasks:
            role = reporting_role(t, unit)
            if role is None:
                continue
            n += 1
            last = latest.get(t.task_id)
            before = f"{last.report_date:%Y-%m-%d} {last.status}：{last.progress}" if last else ""
            ws.append([n, safe_cell(doc.meta.title), safe_cell(measure_cell(t)), _ROLE[role],
                       safe_cell(deadline_cell(t)), safe_cell(before), "", "", "", "", None,
                       safe_cell(t.task_id)])
    _layout(ws, n)


def _layout(ws, rows: int) -> None:
    columns = (*FIXED, *EDITABLE, TASK_ID)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.max_width
    ws.column_dimensions[get_column_letter(len(columns))].hidden = True
    for cell in ws[1]:
        cell.font = Font(name="宋体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    first_edit = len(FIXED) + 1
    for r in range(2, rows + 2):
        for c in range(1, len(columns) + 1):
            cell = ws.cell(r, c)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if first_edit <= c < first_edit + len(EDITABLE):
                cell.protection = Protection(locked=False)
                cell.fill = _EDIT_FILL
        ws.cell(r, first_edit + 4).number_format = "yyyy-mm-dd"
    status = DataValidation(type="list", formula1='"' + ",".join(PROGRESS_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="完成状态", error="请选择：未启动、推进中、已完成、滞后")
    ws.add_data_validation(status)
    if rows:
        letter = get_column_letter(first_edit + 1)
        status.add(f"{letter}2:{letter}{rows + 1}")
    ws.freeze_panes = "A2"
    ws.protection.sheet = True  # only the unlocked (green) cells can be typed in
    ws.protection.formatRows = False  # a unit may still make a row taller to read it
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"


def write_unit_templates(tracked: TrackedLedger, units: Sequence[str], epoch: str,
                         latest: Mapping[str, ProgressReport], out: Path, one_file: Path | None = None) -> list[Path]:
    """One template per unit in folder ``out`` (进展报送_<单位>.xlsx), or ``one_file`` for one unit."""
    written = []
    for unit in units:
        path = one_file or out / f"进展报送_{_UNSAFE_IN_NAMES.sub('_', unit)}.xlsx"
        wb = progress_workbook(tracked, {REPORT_SHEET: unit}, epoch, latest)
        written.append(atomic_write(path, wb.save))
    return written


def write_units_workbook(tracked: TrackedLedger, units: Sequence[str], epoch: str,
                         latest: Mapping[str, ProgressReport], out: Path) -> Path:
    """Every unit's template in one workbook ``out``, one protected sheet per unit."""
    titles = sheet_titles(units)
    wb = progress_workbook(tracked, {titles[u]: u for u in units}, epoch, latest)
    return atomic_write(out, wb.save)


def read_day(text: str) -> dt.date | None:
    """A date as people write it: 2025-03-31, 2025/3/31, 2025.3.31, 2025年3月31日; None if not one."""
    m = _DATE.fullmatch(text.strip().removesuffix("日"))
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def _report_date(path: Path, sheet: str, row: int, text: str, default: dt.date) -> dt.date:
    if not text:
        return default
    day = read_day(text)
    if day is None:
        raise WorkbookImportError(path, f"工作表「{sheet}」第{row}行「报送日期」列「{text}」不是日期",
                                  "请写成 2025-03-31 或 2025年3月31日")
    return day


def read_progress_workbook(path: Path, epoch: str, sha: str, name: str, tracked: TrackedLedger,
                           existing: Sequence[ProgressReport], now: dt.datetime) -> list[ProgressReport]:
    """The reports a filled template holds (every unit's sheet of it) that are not stored yet
    (same content = same report)."""
    wb = open_workbook(path)
    try:
        meta = check_mark(path, wb, PROGRESS_MARK)
        check_registry(path, meta[0][2] if len(meta[0]) > 2 else "", epoch)
        if (meta[0][1:2] or [""])[0] == "1":  # written before templates held several units
            sheets = [(REPORT_SHEET, meta[0][4] if len(meta[0]) > 4 else "")]
        else:
            sheets = [(r[0], r[1]) for r in meta[2:] if len(r) > 1 and r[0]]
        values = {sheet: sheet_values(path, wb, sheet) for sheet, _ in sheets}
    finally:
        wb.close()
    known = {t.task_id for d in tracked.ledger.documents for t in d.tasks}
    stored = {_key(r) for r in existing}
    expected = meta[1] if len(meta) > 1 else []
    out: list[ProgressReport] = []
    for sheet, unit in sheets:
        for report in _sheet_reports(path, sheet, unit, values[sheet], expected, known, sha, name, now):
            if _key(report) not in stored:
                stored.add(_key(report))
                out.append(report)
    return out


def _sheet_reports(path: Path, sheet: str, unit: str, values: list[list[str]], expected: list[str],
                   known: set[str], sha: str, name: str, now: dt.datetime) -> list[ProgressReport]:
    """The reports typed into one unit's sheet."""
    columns = check_header(path, sheet, 1, values[0] if values else [], expected)
    out: list[ProgressReport] = []
    for number, row in enumerate(values[1:], start=2):
        cell = {h: (row[i] if i < len(row) else "") for h, i in columns.items()}
        if not any(cell[c.header] for c in EDITABLE[:4]):
            continue  # nothing reported on this task
        where = f"工作表「{sheet}」第{number}行"
        if cell["任务ID"] not in known:
            raise WorkbookImportError(path, f"{where}「任务ID」「{cell['任务ID']}」不在当前台账中",
                                      "请用最新导出的模板报送")
        status = cell["完成状态"]
        if status not in PROGRESS_STATUSES:
            letter = get_column_letter(columns["完成状态"] + 1)
            raise WorkbookImportError(path, f"{where}第{letter}列「完成状态」为「{status}」",
                                      f"请填写：{'、'.join(PROGRESS_STATUSES)}")
        out.append(ProgressReport(
            task_id=cell["任务ID"], unit=unit, status=status, progress=cell["进展情况"],
            problems=cell["存在问题"], next_steps=cell["下步计划"],
            report_date=_report_date(path, sheet, number, cell["报送日期"], now.date()),
            origin=Origin(file=name, file_sha256=sha, sheet=sheet, row=number), created_at=now,
        ))
    return out


def _key(r: ProgressReport) -> tuple:
    return (r.task_id, r.unit, r.report_date, r.status, r.progress, r.problems, r.next_steps)
