"""The 任务分工表 sheet, laid out the way 分工表 are printed, and its twin 未分工措施.

One block per document: a title bar (the document's title and 文号), then its measures numbered
from 1, then a page break. Columns: 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位／责任单位 |
完成时限 | 来源 | 备注, then hidden columns a machine or a careful reader needs (the measure's full
text, its document, the ``taizhang show`` locator). The columns are data (``TASK_COLUMNS``):
adding one is one entry.

Documents that assign the most measures come first. A document that names no unit for any
measure (a 规划 stating goals, not duties) is not printed here with empty owner columns: its
measures are in the 未分工措施 sheet, in the same layout without the unit columns (a secretariat
drafting a 分工方案 from a 规划 fills them in there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.model import DocumentMeta, Task

from extractors.export.columns import Column
from extractors.export.ledger import Ledger, LedgerDocument, source_locator, unit_names
from extractors.export.print_cells import (
    due_cell,
    key_task_heading,
    measure_excerpt,
    printed_source,
)
from extractors.export.print_layout import grouped_sheet
from extractors.export.widths import Value
from extractors.periods import DocumentPeriod

TASK_SHEET = "任务分工表"
UNASSIGNED_SHEET = "未分工措施"
UNSPLIT_PREFIX = "责任单位："  # units named with no lead/supporting split, never shown as 配合
LEAD_HEADER = "牵头单位"
SHARED_UNITS_HEADER = "配合单位／责任单位"  # 配合 on its first line, 责任单位：… on its own line
DEADLINE_HEADER = "完成时限"
LOCATOR_HEADER = "定位"
FOOTNOTE = "具体措施以“…”结尾者为节选，全文见隐藏列“措施全文”；完成时限注（规划期）（实施期）者取文件期限"


@dataclass(frozen=True)
class MeasureRow:
    """What one printed row is made from: the measure, its number in its document, its document."""

    number: int
    task: Task
    document: LedgerDocument
    period: DocumentPeriod | None


@dataclass(frozen=True)
class TaskColumn:
    column: Column
    cell: Callable[[MeasureRow], Value]
    names_units: bool = False  # left out of 未分工措施, where no measure names a unit


def supporting_cell(row: MeasureRow) -> str:
    """配合单位, then units named with no role on a line of their own, labelled 责任单位."""
    lines = [unit_names(row.task.supporting)]
    if row.task.unassigned_units:
        lines.append(UNSPLIT_PREFIX + unit_names(row.task.unassigned_units))
    return "\n".join(line for line in lines if line)


def responsibility_note(task: Task) -> str:
    """备注: what is unclear about who does this measure, in a few characters."""
    if not (task.lead or task.supporting or task.unassigned_units):
        return "未写明责任单位"
    if not task.lead:
        return "未分牵头、配合" if task.unassigned_units and not task.supporting else "未明确牵头单位"
    if task.unassigned_units:
        return "部分单位未分牵头、配合"
    return ""


def remark_cell(row: MeasureRow) -> str:
    notes = [responsibility_note(row.task)]
    for m in (*row.task.lead, *row.task.supporting, *row.task.unassigned_units):
        for flag in m.flags:
            if flag.kind == "possible_typo":
                notes.append(f"“{m.name}”疑为“{flag.value}”")
    return "\n".join(n for n in notes if n)


TASK_COLUMNS: tuple[TaskColumn, ...] = (
    TaskColumn(Column("序号", 5, 5), lambda r: r.number),
    TaskColumn(Column("重点任务", 12, 22), lambda r: key_task_heading(r.task)),
    TaskColumn(Column("具体措施", 30, 50), lambda r: measure_excerpt(r.task)),
    # a unit column fits 市经济和信息化局 on one line: names broken mid-word are misread
    TaskColumn(Column(LEAD_HEADER, 17, 22), lambda r: unit_names(r.task.lead), names_units=True),
    TaskColumn(Column(SHARED_UNITS_HEADER, 20, 30), supporting_cell, names_units=True),
    TaskColumn(Column(DEADLINE_HEADER, 12, 16), lambda r: due_cell(r.task, r.period)),
    TaskColumn(Column("来源", 11, 12), lambda r: printed_source(r.task.source)),
    TaskColumn(Column("备注", 8, 14), remark_cell),
    TaskColumn(Column("措施全文", 40, 60, hidden=True), lambda r: r.task.text),
    TaskColumn(Column("文件", 20, 40, hidden=True), lambda r: r.document.meta.title),
    TaskColumn(Column(LOCATOR_HEADER, 20, 40, hidden=True), lambda r: source_locator(r.task.source)),
)
UNASSIGNED_COLUMNS = tuple(c for c in TASK_COLUMNS if not c.names_units)


def document_title(meta: DocumentMeta) -> str:
    """The title bar: 标题（文号）, or the issue date when there is no 文号; a draft says so."""
    notes = []
    if meta.doc_number:
        notes.append(meta.doc_number)
    elif meta.date:
        notes.append(f"{meta.date.year}年{meta.date.month}月{meta.date.day}日")
    if meta.status not in ("正式", "未知"):
        notes.append(meta.status)
    return meta.title + (f"（{'；'.join(notes)}）" if notes else "")


def assigning_documents(ledger: Ledger) -> tuple[list[LedgerDocument], list[LedgerDocument]]:
    """(documents that name units for their measures, most measures assigned first;
    documents with measures but no unit named for any)."""
    with_units = [d for d in ledger.documents if d.assigned_count()]
    order = {id(d): i for i, d in enumerate(ledger.documents)}  # ties keep the ledger's order
    with_units.sort(key=lambda d: (-d.assigned_count(), order[id(d)]))
    without = [d for d in ledger.documents if d.tasks and not d.assigned_count()]
    return with_units, without


def measure_rows(doc: LedgerDocument) -> list[MeasureRow]:
    period = doc.period()
    return [MeasureRow(n, t, doc, period) for n, t in enumerate(doc.tasks, start=1)]


def block_sheet(wb: Workbook, title: str, columns: Sequence[TaskColumn],
                documents: Sequence[LedgerDocument], note: str = "") -> Worksheet:
    """Header row (repeated on every printed page), ``note`` (what was left out) when given,
    then per document a title bar, its rows and a page break."""
    groups = [(document_title(doc.meta), [[c.cell(r) for c in columns] for r in measure_rows(doc)])
              for doc in documents]
    return grouped_sheet(wb, title, [c.column for c in columns], groups, page_per_group=True, footnote=FOOTNOTE,
                        note=note)


def task_sheets(wb: Workbook, ledger: Ledger) -> None:
    """任务分工表, and 未分工措施 (empty when every document names units): always both, so the
    workbook's sheets do not change with its content. Older versions left out of the ledger
    are named in a 说明 bar at the top of 任务分工表."""
    with_units, without = assigning_documents(ledger)
    block_sheet(wb, TASK_SHEET, TASK_COLUMNS, with_units, ledger.superseded_note())
    block_sheet(wb, UNASSIGNED_SHEET, UNASSIGNED_COLUMNS, without)
