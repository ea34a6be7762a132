"""The 责任矩阵 sheet: per document, its units down and its measures across.

One matrix of every measure against every unit printed 39 pages (60 unit columns, mostly empty:
a unit is named by one or two documents). Split by document and turned so that units are rows
(names read across, not rotated) and measures are narrow columns headed by their 序号 in the
任务分工表, each document fits a page or two: 牵 / 配 / 责 where a unit meets a measure, the
unit's counts for the document at the end of its row. A document with more measures than fit
across is split into blocks of consecutive measures; a block taller than a page continues on
the next page under its title (续) and header.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.model import Task

from extractors.export.columns import Column
from extractors.export.ledger import Ledger, LedgerDocument, roles_by_unit, unit_order
from extractors.export.print_layout import (
    apply_widths,
    new_sheet,
    print_setup,
    row_height,
    write_header,
    write_row,
    write_title,
)
from extractors.export.task_sheet import assigning_documents, document_title
from extractors.export.widths import A4, SheetLayout, Value, fit_columns

MATRIX_SHEET = "责任矩阵"
ROLE_MARK = {"lead": "牵", "supporting": "配", "unassigned": "责"}
ROLES = ("lead", "supporting", "unassigned")
FOOTNOTE = "牵＝牵头单位，配＝配合单位，责＝责任单位（未分牵头、配合）；列号为该文件在任务分工表中的序号"

UNIT_COLUMN = Column("单位", 14, 26)
MARK_WIDTH = 3  # one CJK mark, or a two-digit 序号
COUNT_COLUMNS = (Column("牵头数", 7, 7), Column("配合数", 7, 7), Column("责任数", 7, 7))


@dataclass(frozen=True)
class MatrixBlock:
    """Consecutive measures of one document (numbered from ``first``), against its units."""

    document: LedgerDocument
    first: int
    tasks: Sequence[Task]
    units: Sequence[str]

    def title(self) -> str:
        title = document_title(self.document.meta)
        if len(self.tasks) < len(self.document.tasks):
            title += f"　第{self.first}—{self.first + len(self.tasks) - 1}项"
        return title

    def headers(self, across: int) -> list[str]:
        numbers = [str(self.first + i) for i in range(len(self.tasks))]
        return [UNIT_COLUMN.header, *numbers, *[""] * (across - len(numbers)), *(c.header for c in COUNT_COLUMNS)]

    def rows(self, across: int) -> list[list[Value]]:
        """One row per unit: its marks under this block's measures (blank columns pad a short
        block to ``across``), then its counts over the whole document."""
        document_roles = [roles_by_unit(t) for t in self.document.tasks]
        shown = document_roles[self.first - 1: self.first - 1 + len(self.tasks)]
        out: list[list[Value]] = []
        for unit in self.units:
            marks: list[Value] = [ROLE_MARK[r[unit]] if unit in r else None for r in shown]
            counts = [sum(1 for r in document_roles if r.get(unit) == role) for role in ROLES]
            out.append([unit, *marks, *[None] * (across - len(marks)), *counts])
        return out


def measures_across(paper_units: float) -> int:
    """How many measure columns fit on a page beside the unit and count columns (``paper_units``:
    the page's width for those columns alone; each mark column also takes a cell's padding)."""
    fixed = UNIT_COLUMN.max_width + sum(c.max_width for c in COUNT_COLUMNS)
    return max(1, int((paper_units - fixed) / (MARK_WIDTH + 5 / 7)))


def document_blocks(doc: LedgerDocument) -> list[MatrixBlock]:
    """The document's measures in balanced blocks of at most what fits across A4."""
    units = unit_order(doc.tasks)
    if not units:
        return []
    fit = measures_across(A4.width_units(1 + len(COUNT_COLUMNS)))
    n = len(doc.tasks)
    size = math.ceil(n / math.ceil(n / fit))
    return [MatrixBlock(doc, start + 1, doc.tasks[start: start + size], units) for start in range(0, n, size)]


def matrix_sheet(wb: Workbook, ledger: Ledger) -> Worksheet:
    ws = new_sheet(wb, MATRIX_SHEET)
    blocks = [b for doc in assigning_documents(ledger)[0] for b in document_blocks(doc)]
    across = max((len(b.tasks) for b in blocks), default=0)
    columns = [UNIT_COLUMN, *(Column(str(i + 1), MARK_WIDTH, MARK_WIDTH) for i in range(across)), *COUNT_COLUMNS]
    layout = fit_columns(columns, [r for b in blocks for r in b.rows(across)])
    apply_widths(ws, layout)
    centered = [False, *[True] * (len(columns) - 1)]
    page = layout.paper.body_height_pt()
    row = 1
    for b in blocks:
        if row > 1:
            ws.row_breaks.append(Break(id=row - 1))  # each document (block) starts a page
        used = _block_head(ws, row, b, across, layout, continued=False)
        row += 2
        for values in b.rows(across):
            if used + row_height(values, layout) > page:
                ws.row_breaks.append(Break(id=row - 1))
                used = _block_head(ws, row, b, across, layout, continued=True)
                row += 2
            used += write_row(ws, row, values, layout, centered)
            row += 1
    # each block has its own header row: nothing for the printer to repeat
    print_setup(ws, layout, FOOTNOTE, title_rows=None)
    return ws


def _block_head(ws: Worksheet, row: int, block: MatrixBlock, across: int, layout: SheetLayout,
                continued: bool) -> float:
    """Title bar and header row of a block; returns the height they take (points)."""
    title = write_title(ws, row, block.title() + ("（续）" if continued else ""), layout)
    return title + write_header(ws, row + 1, block.headers(across))
