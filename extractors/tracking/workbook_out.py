"""What the tracking adds to the exported 任务分工表 workbook, after the sheet is laid out.

Added, never laid out here (extractors/export/xlsx.py owns the layout): columns at the right of
the 任务分工表 and 未分工措施 sheets (最新进展, 进展状态, 校核, and a hidden 任务ID that ties a row
to its task however the rows are sorted; on 未分工措施 also 牵头单位 and 配合单位／责任单位 to
fill in, as its layout has no unit columns), a comment and a fill on every corrected cell, a 校核记录
sheet with every correction ever made (待复核 ones with the old and the new text), and a
very hidden 「_taizhang」 sheet holding what was exported: the registry it came from, the header
row, and each row's editable values and source text. An import compares a person's cells with
that snapshot, so only what they changed becomes a correction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from copy import copy

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.model import Task

from extractors.export.columns import Column
from extractors.export.ledger import CorrectedField, measure_heading, source_locator
from extractors.export.safe_cells import safe_cell
from extractors.export.task_sheet import (
    DEADLINE_HEADER,
    LEAD_HEADER,
    LOCATOR_HEADER,
    SHARED_UNITS_HEADER,
    TASK_SHEET,
    UNASSIGNED_SHEET,
    assigning_documents,
)
from extractors.tracking.apply import APPLIED, EDITABLE_FIELDS, TrackedLedger, field_value, latest_per_field
from extractors.tracking.model import FIELD_LABEL, Correction, ProgressReport

SNAPSHOT_SHEET = "_taizhang"
LEDGER_MARK = "taizhang任务分工表"
# 2: a header row for each of EDITED_SHEETS; 1 (before 未分工措施 was read back): the task sheet's only
SNAPSHOT_FORMAT = "2"
EDITED_SHEETS = (TASK_SHEET, UNASSIGNED_SHEET)
PROGRESS_HEADER, STATUS_HEADER, CHECK_HEADER, TASK_ID_HEADER = "最新进展", "进展状态", "校核", "任务ID"
ADDED_HEADERS = (PROGRESS_HEADER, STATUS_HEADER, CHECK_HEADER, TASK_ID_HEADER)
# 未分工措施 is laid out without unit columns (its documents name none); a person assigning its
# measures types the units into these, added at its right like the tracking columns
FILL_IN_HEADERS = (LEAD_HEADER, SHARED_UNITS_HEADER)
ADDED_WIDTHS = {PROGRESS_HEADER: 30, STATUS_HEADER: 8, CHECK_HEADER: 24, TASK_ID_HEADER: 20,
                LEAD_HEADER: 17, SHARED_UNITS_HEADER: 20}
# the snapshot's columns after the task id: the editable fields, the 校核 cell, the source text
SNAPSHOT_COLUMNS = (*EDITABLE_FIELDS, "check", "source_text")
_CORRECTED_FILL = PatternFill("solid", fgColor="FFF2CC")
_REVIEW_FILL = PatternFill("solid", fgColor="F8CBAD")
# the lookbehind starts a match only at the start of a name: linear on long cells
LOCATOR = re.compile(r"(?<![\w.\-])[\w.\-]+:\d+-\d+")
LOG_COLUMNS = (
    Column("编号", 5, 6), Column("状态", 8, 14), Column("任务ID", 16, 30), Column("具体措施", 16, 40),
    Column("字段", 8, 12), Column("原值", 10, 30), Column("新值", 10, 30), Column("来自", 16, 40),
    Column("时间", 10, 20), Column("原文（校核时）", 16, 50), Column("原文（现在）", 16, 50),
)


def header_row(ws: Worksheet, marker: str = "具体措施", scan: int = 8) -> int:
    """The row holding the column headers (a title row may sit above it)."""
    for row in ws.iter_rows(min_row=1, max_row=scan):
        if any(c.value == marker for c in row):
            return row[0].row
    return 1


def task_rows_by_locator(ws: Worksheet, first: int, tasks: Sequence[Task]) -> dict[int, Task]:
    """Sheet row → task, found by the source locator each row carries (its hidden 定位 cell, or
    the 来源 cell of a layout without one); rows in export order when no locator is found."""
    by_locator = {source_locator(t.source): t for t in tasks}
    headers = {c.value: c.column for c in ws[first - 1]}
    source_column = headers.get(LOCATOR_HEADER) or headers.get("来源")
    found: dict[int, Task] = {}
    for row in ws.iter_rows(min_row=first):
        cells = [row[source_column - 1]] if source_column and source_column <= len(row) else row
        for cell in cells:
            if isinstance(cell.value, str):
                hit = next((by_locator[m] for m in LOCATOR.findall(cell.value) if m in by_locator), None)
                if hit is not None:
                    found[row[0].row] = hit
                    break
    if not found:
        found = {first + i: t for i, t in enumerate(tasks)}
    return found


def _check_text(notes: Sequence[CorrectedField]) -> str:
    parts = []
    for n in notes:
        if n.field == "add_task":
            parts.append("人工新增任务")
        elif n.field == "merge" and n.status == APPLIED:
            parts.append(f"已并入「{n.corrected}」一行")
        elif n.field == "merge":  # on the row to merge: its target's text changed since
            parts.append(f"并入「{n.corrected}」待复核：该行原文已变化，未合并")
        elif n.status == APPLIED:
            parts.append(f"{n.label}已校核（原：{n.extracted or '空'}）")
        else:
            parts.append(f"{n.label}待复核：原文已变化，校核值「{n.corrected}」未套用")
    return "；".join(parts)


def annotate_task_sheet(wb: Workbook, tracked: TrackedLedger, latest: Mapping[str, ProgressReport],
                        epoch: str) -> None:
    """The added columns of both sheets a person edits, the corrected cells marked, and the
    snapshot an import compares with."""
    with_units, without = assigning_documents(tracked.ledger)
    headers: dict[str, list] = {}
    shown: dict[str, str] = {}
    for sheet, documents, added in ((TASK_SHEET, with_units, ADDED_HEADERS),
                                    (UNASSIGNED_SHEET, without, (*FILL_IN_HEADERS, *ADDED_HEADERS))):
        tasks = [t for d in documents for t in d.tasks]
        headers[sheet], deadlines = _annotate_sheet(wb[sheet], added, tasks, tracked, latest)
        shown |= deadlines
    _snapshot_sheet(wb, headers, [t for d in tracked.ledger.documents for t in d.tasks], tracked, epoch, shown)


def _annotate_sheet(ws: Worksheet, added: Sequence[str], tasks: Sequence[Task], tracked: TrackedLedger,
                    latest: Mapping[str, ProgressReport]) -> tuple[list, dict[str, str]]:
    """Columns ``added`` at the right of ``ws`` (the last, 任务ID, hidden) filled for ``tasks``;
    corrected cells marked. Returns the sheet's header row and each task's 完成时限 as printed."""
    head = header_row(ws)
    headers = [c.value for c in ws[head]]
    rows = task_rows_by_locator(ws, head + 1, tasks) if tasks else {}
    first_new = len(headers) + 1
    style_from = ws.cell(head, len(headers))
    for offset, name in enumerate(added):
        cell = ws.cell(head, first_new + offset, name)
        cell.font, cell.fill = copy(style_from.font), copy(style_from.fill)
        cell.alignment, cell.border = copy(style_from.alignment), copy(style_from.border)
        ws.column_dimensions[get_column_letter(first_new + offset)].width = ADDED_WIDTHS[name]
    ws.column_dimensions[get_column_letter(first_new + len(added) - 1)].hidden = True
    column_of = {h: i + 1 for i, h in enumerate([*headers, *added]) if isinstance(h, str)}
    body = ws.cell(head + 1, len(headers))  # the body's look, shared (copying per cell is slow)
    font, alignment, border = copy(body.font), copy(body.alignment), copy(body.border)
    for r, task in rows.items():
        notes = tracked.ledger.corrections.get(task.task_id, ())
        report = latest.get(task.task_id)
        values = {PROGRESS_HEADER: report.progress if report else "", STATUS_HEADER: report.status if report else "",
                  CHECK_HEADER: _check_text(notes), TASK_ID_HEADER: task.task_id}
        for offset, name in enumerate(added):
            # a fill-in unit column starts empty: no measure of a document on 未分工措施 names a unit
            cell = ws.cell(r, first_new + offset, safe_cell(values.get(name, "")))
            cell.font, cell.alignment, cell.border = font, alignment, border
        for note in notes:
            column = column_of.get(note.label)
            if column is None and note.field in ("supporting", "unassigned"):
                column = column_of.get(SHARED_UNITS_HEADER)
            if column is None:
                continue
            cell = ws.cell(r, column)
            cell.fill = _CORRECTED_FILL if note.status == APPLIED else _REVIEW_FILL
            cell.comment = Comment(f"{note.status}：提取值「{note.extracted or '空'}」，校核值"
                                   f"「{note.corrected or '空'}」\n{note.origin}", "taizhang")
    if ws.auto_filter.ref:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(first_new + len(added) - 1)}{max(ws.max_row, head)}"
    due = column_of.get(DEADLINE_HEADER)
    shown = {t.task_id: str(ws.cell(r, due).value or "") for r, t in rows.items()} if due else {}
    return [*headers, *added], shown


def _snapshot_sheet(wb: Workbook, headers: Mapping[str, list], tasks: Sequence[Task], tracked: TrackedLedger,
                    epoch: str, shown_deadlines: Mapping[str, str]) -> None:
    """The hidden sheet an import compares with: a mark row, the header row of each sheet a person
    edits (``EDITED_SHEETS``, in that order), then a row per task: its id, its editable values as
    the ledger reads them, its 校核 text, its source text, and its 完成时限 as printed (a measure
    with no deadline of its own shows its document's period or 未明确: left as is, that is no edit)."""
    ws = wb.create_sheet(SNAPSHOT_SHEET)
    ws.sheet_state = "veryHidden"  # not offered by Excel's or WPS's 取消隐藏
    ws.append([LEDGER_MARK, SNAPSHOT_FORMAT, epoch, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")])
    for sheet in EDITED_SHEETS:
        ws.append([safe_cell(h) if isinstance(h, str) else h for h in headers[sheet]])
    for t in tasks:
        check = _check_text(tracked.ledger.corrections.get(t.task_id, ()))
        ws.append([safe_cell(t.task_id), *(safe_cell(field_value(t, f)) for f in EDITABLE_FIELDS),
                   safe_cell(check), safe_cell(t.text), safe_cell(shown_deadlines.get(t.task_id, ""))])


def correction_log_sheet(wb: Workbook, corrections: Sequence[Correction], tracked: TrackedLedger,
                         extracted: Mapping[str, Task]) -> None:
    """校核记录: every correction, newest first, with what became of it, under the task id it
    applies to now (a correction made on a replaced version names its measure in the new one)."""
    carried = {c.correction_id: c for c in tracked.carried}
    corrections = [carried.get(c.correction_id, c) for c in corrections]
    latest = {c.correction_id for c in latest_per_field(corrections).values()}
    review = {r.correction.correction_id: r for r in tracked.reviews}
    ws = wb.create_sheet("校核记录")
    ws.append([c.header for c in LOG_COLUMNS])
    for c in sorted(corrections, key=lambda c: -(c.correction_id or 0)):
        task = extracted.get(c.task_id)
        if c.correction_id in review:
            status, now = "待复核", review[c.correction_id].new_text or "（已无此任务）"
        elif c.field != "add_task" and c.correction_id not in latest:
            status, now = "已被后来的校核取代", ""
        else:
            status, now = "已校核", ""
        ws.append([c.correction_id, status, safe_cell(c.task_id), safe_cell(measure_heading(task) if task else ""),
                   FIELD_LABEL[c.field], safe_cell(c.before), safe_cell(c.after), safe_cell(c.origin.label()),
                   c.created_at.strftime("%Y-%m-%d %H:%M"), safe_cell(c.source_text),
                   safe_cell(now)])
    for i, col in enumerate(LOG_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.max_width
    ws.freeze_panes = "A2"
