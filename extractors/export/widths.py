"""Paper and column widths: which sheet size a table prints on, and how wide each column is.

Excel measures a column in units of the default font's digit (Calibri 11: 7 px in Excel, 7.43 in
LibreOffice at 96 dpi); a 10.5 pt CJK glyph is 14 px, so a CJK character counts as two units
(``display_width``). ``fit_columns`` gives the printed columns widths that fit the paper at 100 %
and make the printed rows as short as they can be.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from extractors.export.columns import Column

Value = str | int | Decimal | None

# Page margins in inches; the printable width left over is what the columns may take.
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
_PX_PER_UNIT = 7.5  # a width unit: 7 px in Excel, 7.43 in LibreOffice; planned for the wider
_PX_PER_COLUMN = 5  # plus the cell's padding, per column
_SAFETY = 0.99  # and the grid lines


@dataclass(frozen=True)
class Paper:
    """A sheet size in landscape: its openpyxl code and its width and height in points."""

    name: str
    code: int
    width_pt: float
    height_pt: float

    def width_units(self, columns: int) -> float:
        """Total column width (Excel units) that prints on one page across at 100 %."""
        usable_px = (self.width_pt - 72 * (MARGINS.left + MARGINS.right)) / 0.75
        return (usable_px - _PX_PER_COLUMN * columns) / _PX_PER_UNIT * _SAFETY

    def body_height_pt(self) -> float:
        """Height for rows on a page (points), between the margins."""
        return self.height_pt - 72 * (MARGINS.top + MARGINS.bottom)


A4 = Paper("A4", int(Worksheet.PAPERSIZE_A4), 841.89, 595.28)
A3 = Paper("A3", int(Worksheet.PAPERSIZE_A3), 1190.55, 841.89)
PAPERS = (A4, A3)  # the first whose narrowest widths fit is used


@dataclass(frozen=True)
class SheetLayout:
    paper: Paper
    widths: tuple[float, ...]  # one per column, hidden ones included
    hidden: tuple[bool, ...]

    def visible_width(self) -> float:
        return sum(w for w, h in zip(self.widths, self.hidden) if not h)

    def fits(self) -> bool:
        """True when the printed columns fit the paper across at 100 %."""
        return self.visible_width() <= self.paper.width_units(self.hidden.count(False))


def display_width(text: str) -> int:
    """Columns a line takes on screen: CJK and full-width characters count as two, and so do
    the ambiguous ones (— “ ” …), which a CJK font such as 宋体 draws full width."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` units wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def natural_width(column: Column, values: Sequence[Value]) -> int:
    """The width that shows every value on one line per line break, within the column's range."""
    longest = max((display_width(line) for v in values for line in str(v or "").split("\n")), default=0)
    return min(max(longest + 2, display_width(column.header) + 2, column.min_width), column.max_width)


LAYOUT_SAMPLE_ROWS = 600  # widths are chosen on at most this many rows, evenly spread
_STEPS = (1, 2, 4, 6, 8, 12, 16)  # width increments tried (units); a CJK character is two
_BUNDLES_TRIED = 24  # the cheapest rows whose every cell is widened to save that row a line


def _lines(cell: Sequence[int], width: float) -> int:
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(w / usable)) for w in cell)


def _width_for(cell: Sequence[int], lines: int, start: float, limit: float) -> float | None:
    """The narrowest width from ``start`` up to ``limit`` at which ``cell`` takes ``lines``."""
    width = max(start, math.ceil(sum(cell) / lines) + 1)
    while width <= limit:
        if _lines(cell, width) <= lines:
            return width
        width += 1
    return None


class _WidthSearch:
    """Printed lines of a sample of rows under trial widths (the sample's cells as line widths)."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[Value]], visible: list[int],
                 widths: list[float], need: list[int]) -> None:
        sample = rows[:: max(1, len(rows) // LAYOUT_SAMPLE_ROWS)]
        self.cells = {c: [[display_width(line) for line in str(r[c]).split("\n")]
                          if r[c] not in (None, "") else [] for r in sample] for c in visible}
        self.visible, self.widths, self.need = visible, widths, need
        self.limit = [min(need[c], columns[c].max_width) for c in range(len(columns))]
        self.lines = {c: self.column_lines(c, widths[c]) for c in visible}
        self.n_rows = len(sample)

    def column_lines(self, c: int, width: float) -> list[int]:
        return [_lines(cell, width) for cell in self.cells[c]]

    def height(self, changed: dict[int, list[int]]) -> int:
        """Total printed lines with some columns' lines replaced."""
        lines = [changed.get(c, self.lines[c]) for c in self.visible]
        return sum(max(col[r] for col in lines) for r in range(self.n_rows))

    def best_step(self, room: float) -> tuple[float, dict[int, float]] | None:
        """(lines saved per unit, {column: new width}) of the best one-column widening."""
        # per row: its tallest cell, the column holding it and the runner-up, so that a trial
        # width of one column is scored in one pass over the rows
        ranked = [sorted(((self.lines[c][r], c) for c in self.visible), reverse=True) for r in range(self.n_rows)]
        tallest = [rk[0][0] for rk in ranked]
        best = None
        for c in self.visible:
            others = [(rk[1][0] if len(rk) > 1 else 1) if rk[0][1] == c else rk[0][0] for rk in ranked]
            for step in _STEPS:
                if step > room or self.widths[c] + step > self.limit[c]:
                    break
                trial = self.column_lines(c, self.widths[c] + step)
                saved = sum(t - max(o, n) for t, o, n in zip(tallest, others, trial))
                if saved > 0 and (best is None or saved / step > best[0]):
                    best = (saved / step, {c: self.widths[c] + step})
        return best

    def best_bundle(self, room: float) -> tuple[float, dict[int, float]] | None:
        """When no one column saves a line alone (a row is as tall in two columns): widen every
        cell of a row enough to save it a line; of the cheapest such rows, the best."""
        bundles: list[tuple[float, dict[int, float]]] = []
        for r in range(self.n_rows):
            tallest = max(self.lines[c][r] for c in self.visible)
            if tallest < 2:
                continue
            bundle: dict[int, float] = {}
            for c in self.visible:
                if self.lines[c][r] >= tallest:
                    width = _width_for(self.cells[c][r], tallest - 1, self.widths[c], self.limit[c])
                    if width is None:
                        break
                    bundle[c] = width
            else:
                cost = sum(w - self.widths[c] for c, w in bundle.items())
                if 0 < cost <= room:
                    bundles.append((cost, bundle))
        now = self.height({})
        best = None
        for cost, bundle in sorted(bundles, key=lambda b: b[0])[:_BUNDLES_TRIED]:
            saved = now - self.height({c: self.column_lines(c, w) for c, w in bundle.items()})
            if saved > 0 and (best is None or saved / cost > best[0]):
                best = (saved / cost, bundle)
        return best

    def apply(self, new: dict[int, float]) -> float:
        """Set the new widths; returns the width they took."""
        taken = 0.0
        for c, width in new.items():
            taken += width - self.widths[c]
            self.widths[c] = width
            self.lines[c] = self.column_lines(c, width)
        return taken


def fit_columns(columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> SheetLayout:
    """Widths that print on one page across at full size, with rows as short as they can be.

    The paper is the first of ``PAPERS`` the printed columns' minimum widths fit. Every printed
    column starts at its minimum; the page's remaining width goes, a few units at a time, to the
    column where it saves the most printed lines over the rows, or, when no single column saves
    a line, to all the cells of a row that keep it tall (never past a column's maximum or past
    what its longest line needs). Width that saves nothing is shared among the columns still
    wrapping, so the table fills the page. Hidden columns get what their values need and count
    for nothing.
    """
    visible = [i for i, c in enumerate(columns) if not c.hidden]
    paper = next((p for p in PAPERS if sum(columns[i].min_width for i in visible) <= p.width_units(len(visible))),
                 PAPERS[-1])
    need = [natural_width(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    widths = [float(c.min_width) if not c.hidden else float(need[i]) for i, c in enumerate(columns)]
    room = paper.width_units(len(visible)) - sum(widths[i] for i in visible)
    search = _WidthSearch(columns, rows, visible, widths, need)
    while room >= 1 and search.n_rows:
        move = search.best_step(room) or search.best_bundle(room)
        if move is None:
            break
        room -= search.apply(move[1])
    wrapping = [i for i in visible if widths[i] < need[i]]
    for i in wrapping:  # what saves no line still spares a wrapped line here and there
        widths[i] = min(need[i], widths[i] + room / len(wrapping))
    return SheetLayout(paper, tuple(math.floor(w) for w in widths), tuple(c.hidden for c in columns))
