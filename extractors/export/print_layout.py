"""How a sheet prints: paper, fonts, column widths that fit the page at full size, row heights.

A 任务分工表 is read on paper. The body prints in 宋体 五号 (10.5 pt), the size of official
documents' tables: columns are given widths that fit A4 landscape at 100 % (A3 when the
narrowest readable widths do not fit A4), so fit-to-width never shrinks the text. Widths count
a CJK character as two units (Excel's width unit is about half a 10.5 pt CJK glyph); row heights
are set from the wrapped line count, as Excel and WPS do not grow a row for wrapped text.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from extractors.export.columns import Column
from extractors.export.safe_cells import TRUNCATION_NOTE, safe_cell

Value = str | int | Decimal | None

FONT = "宋体"
BODY_PT = 10.5  # 五号: the body size of printed government tables
TITLE_PT = 14  # 四号 bold: a document's title above its rows
HEADER_FOOTER_PT = 11  # page header and footer (whole points only)
LINE_PT = 15.3  # one wrapped line at 10.5 pt: SimSun (Excel, WPS) 13.5; LibreOffice draws CJK in Noto CJK, 15.2
TITLE_LINE_PT = 20.0
ROW_PADDING_PT = 4
MAX_ROW_HEIGHT = 409  # Excel's limit
MAX_LINES = int((MAX_ROW_HEIGHT - ROW_PADDING_PT) // LINE_PT)
LIST_MAX_LINES = 12  # a list row taller than this is cut, pointing to the source (a third of a page)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")

# Named cell styles, registered once per workbook: a cell then takes one style by name instead
# of four style objects, each hashed against the workbook's tables (most of an export's time).
BODY, CENTERED, HEADER, TITLE = "台账正文", "台账居中", "台账表头", "台账标题"


def named_styles() -> tuple[NamedStyle, ...]:
    """Fresh style objects: a NamedStyle binds to the first workbook it is added to."""
    body, bold, title = Font(name=FONT, size=BODY_PT), Font(name=FONT, size=BODY_PT, bold=True), \
        Font(name=FONT, size=TITLE_PT, bold=True)
    return (
        NamedStyle(BODY, font=body, border=_BORDER, alignment=_WRAP),
        NamedStyle(CENTERED, font=body, border=_BORDER, alignment=_CENTER),
        NamedStyle(HEADER, font=bold, border=_BORDER, alignment=_CENTER, fill=PatternFill("solid", fgColor="D9D9D9")),
        NamedStyle(TITLE, font=title, border=_BORDER, alignment=_CENTER, fill=PatternFill("solid", fgColor="F2F2F2")),
    )


# Page margins in inches; the printable width left over is what the columns may take.
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
_PX_PER_UNIT = 7.5  # a width unit is the default font's digit: 7 px in Excel, 7.43 in LibreOffice (Calibri 11 at 96 dpi)
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
        """Height left for rows on a page (points), below the repeated header row."""
        return self.height_pt - 72 * (MARGINS.top + MARGINS.bottom) - 2 * LINE_PT


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


# ------------------------------------------------------------------------------- text measure


def display_width(text: str) -> int:
    """Columns a line takes on screen: CJK and full-width characters count as two, and so do
    the ambiguous ones (— “ ” …), which a CJK font such as 宋体 draws full width."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` units wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def fit_to_row(text: str, width: float, max_lines: int = MAX_LINES) -> str:
    """``text`` cut to ``max_lines`` wrapped lines, ending with where to read the rest.

    A longer cell would be silently clipped on screen and on paper; the full text stays in the
    CSV/JSON exports and in the source the 来源 locator points to.
    """
    if wrapped_lines(text, width) <= max_lines:
        return text
    kept: list[str] = []
    budget = max_lines - 1  # the last line carries the note
    usable = max(width - 1, 1)
    for line in text.split("\n"):
        need = max(1, math.ceil(display_width(line) / usable))
        if need <= budget:
            kept.append(line)
            budget -= need
            continue
        room, cut = budget * usable, 0
        while cut < len(line) and display_width(line[: cut + 1]) <= room:
            cut += 1
        kept.append(line[:cut])
        break
    return "\n".join(kept).rstrip() + "\n" + TRUNCATION_NOTE


# ------------------------------------------------------------------------------------ widths


def natural_width(column: Column, values: Sequence[Value]) -> int:
    """The width that shows every value on one line per line break, within the column's range."""
    longest = max((display_width(line) for v in values for line in str(v or "").split("\n")), default=0)
    return min(max(longest + 2, display_width(column.header) + 2, column.min_width), column.max_width)


LAYOUT_SAMPLE_ROWS = 600  # widths are chosen on at most this many rows, evenly spread
_STEPS = (1, 2, 4, 6, 8, 12, 16)  # width increments tried (units); a CJK character is two


class _Heights:
    """Printed lines of each cell of a sample of rows, for trying widths quickly."""

    def __init__(self, rows: Sequence[Sequence[Value]], columns: Sequence[int]) -> None:
        step = max(1, len(rows) // LAYOUT_SAMPLE_ROWS)
        sample = rows[::step]
        self.lines = {c: [[display_width(line) for line in str(r[c]).split("\n")]
                          if r[c] not in (None, "") else [] for r in sample] for c in columns}

    def column_lines(self, c: int, width: float) -> list[int]:
        usable = max(width - 1, 1)
        return [sum(max(1, math.ceil(w / usable)) for w in cell) for cell in self.lines[c]]


def fit_columns(columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> SheetLayout:
    """Widths that print on one page across at full size, with rows as short as they can be.

    The paper is the first of ``PAPERS`` the printed columns' minimum widths fit. Every printed
    column starts at its minimum; the page's remaining width goes, a few units at a time, to the
    column where it saves the most printed height summed over the rows (never past a column's
    maximum or past what its longest line needs). Width that saves no height is shared among
    the columns still wrapping, so the table fills the page. Hidden columns get what their
    values need and count for nothing.
    """
    visible = [i for i, c in enumerate(columns) if not c.hidden]
    paper = next((p for p in PAPERS if sum(columns[i].min_width for i in visible) <= p.width_units(len(visible))),
                 PAPERS[-1])
    need = [natural_width(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    widths = [float(c.min_width) if not c.hidden else float(need[i]) for i, c in enumerate(columns)]
    room = paper.width_units(len(visible)) - sum(widths[i] for i in visible)
    heights = _Heights(rows, visible)
    lines = {c: heights.column_lines(c, widths[c]) for c in visible}
    n_rows = len(next(iter(lines.values()), []))
    while room >= 1 and n_rows:
        # per row: the tallest cell, which column holds it, and the runner-up's lines
        ranked = [sorted(((lines[c][r], c) for c in visible), reverse=True) for r in range(n_rows)]
        tallest = [rk[0][0] for rk in ranked]
        best: tuple[float, int, int, list[int]] | None = None
        for c in visible:
            others = [(rk[1][0] if len(rk) > 1 else 1) if rk[0][1] == c else rk[0][0] for rk in ranked]
            for step in _STEPS:
                if step > room or widths[c] + step > need[c]:
                    break
                trial = heights.column_lines(c, widths[c] + step)
                saved = sum(t - max(o, n) for t, o, n in zip(tallest, others, trial))
                if saved > 0 and (best is None or saved / step > best[0]):
                    best = (saved / step, c, step, trial)
        if best is None:
            break
        _, c, step, trial = best
        widths[c] += step
        lines[c] = trial
        room -= step
    wrapping = [i for i in visible if widths[i] < need[i]]
    for i in wrapping:  # what saves no height still spares a wrapped line here and there
        widths[i] = min(need[i], widths[i] + room / len(wrapping))
    return SheetLayout(paper, tuple(math.floor(w) for w in widths), tuple(c.hidden for c in columns))


# ----------------------------------------------------------------------------------- writing


EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer numbers go in as text, unchanged


def cell_value(value: Value) -> str | int | Decimal | None:
    if isinstance(value, str):
        return safe_cell(value) or None
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > EXCEL_DIGITS:
        return safe_cell(str(value))
    return value


def number_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    return "0." + "0" * -exponent if isinstance(exponent, int) and exponent < 0 else "0"


def apply_widths(ws: Worksheet, layout: SheetLayout) -> None:
    for i, (width, hidden) in enumerate(zip(layout.widths, layout.hidden), start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = width
        dim.hidden = hidden


def write_header(ws: Worksheet, row: int, headers: Sequence[str]) -> float:
    for c, header in enumerate(headers, start=1):
        ws.cell(row, c, safe_cell(header) or None).style = HEADER
    lines = max((wrapped_lines(h, ws.column_dimensions[get_column_letter(c)].width or 8)
                 for c, h in enumerate(headers, start=1)), default=1)
    ws.row_dimensions[row].height = lines * LINE_PT + ROW_PADDING_PT
    return lines * LINE_PT + ROW_PADDING_PT


def row_height(values: Sequence[Value], layout: SheetLayout) -> float:
    """Points a body row needs for its visible text, wrapped at the layout's widths."""
    lines = max((wrapped_lines(v, w) for v, w, hidden in zip(values, layout.widths, layout.hidden)
                 if isinstance(v, str) and v and not hidden), default=1)
    return min(MAX_ROW_HEIGHT, lines * LINE_PT + ROW_PADDING_PT)


def write_row(ws: Worksheet, row: int, values: Sequence[Value], layout: SheetLayout,
              centered: Sequence[bool] = ()) -> float:
    """One body row: safe values, 10.5 pt, borders, wrapped (``centered`` columns centred),
    tall enough for its visible text. Returns the row's height in points."""
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row, c, cell_value(value))
        cell.style = CENTERED if c - 1 < len(centered) and centered[c - 1] else BODY
        if isinstance(value, Decimal) and not isinstance(cell.value, str):
            cell.number_format = number_format(value)  # 16.40 shows as 16.40
    height = row_height(values, layout)
    ws.row_dimensions[row].height = height
    return height


def write_title(ws: Worksheet, row: int, text: str, layout: SheetLayout) -> float:
    """A title bar across the printed columns (merged), e.g. a document's title and 文号."""
    last = max(i for i, h in enumerate(layout.hidden, start=1) if not h)
    ws.cell(row, 1, safe_cell(text)).style = TITLE
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    # a 14 pt glyph is 14/10.5 of a body glyph: the title wraps that much sooner
    lines = wrapped_lines(text, layout.visible_width() * BODY_PT / TITLE_PT)
    ws.row_dimensions[row].height = lines * TITLE_LINE_PT + ROW_PADDING_PT
    return lines * TITLE_LINE_PT + ROW_PADDING_PT


def new_sheet(wb: Workbook, title: str) -> Worksheet:
    """A sheet in ``wb``, with the workbook's named styles registered (once)."""
    for style in named_styles():
        if style.name not in wb.named_styles:
            wb.add_named_style(style)
    return wb.create_sheet(title)


def print_setup(ws: Worksheet, layout: SheetLayout, footnote: str = "", title_rows: str | None = "1:1") -> None:
    """Landscape on the layout's paper at 100 %, the header row (``title_rows``) on every page,
    the sheet's name above, a legend and page numbers below.

    Not fit-to-width: Excel, WPS and LibreOffice all ignore manual page breaks (one document a
    page) under fit-to-page, and the widths already fit. Only columns too wide even for A3 at
    their minimum (a layout with too many columns) fall back to fit-to-width, smaller text
    rather than columns cut off onto pages of their own.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = layout.paper.code
    visible = sum(1 for h in layout.hidden if not h)
    if layout.visible_width() > layout.paper.width_units(visible):
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages as needed down
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = 100
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins = MARGINS
    ws.oddHeader.center.text = ws.title
    # the footnote (a legend) takes the left of the footer, page numbers the right: centred
    # page numbers would print over a long footnote
    ws.oddFooter.left.text = footnote or None
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    for part in (ws.oddHeader.center, ws.oddFooter.left, ws.oddFooter.right):
        part.size = HEADER_FOOTER_PT
        part.font = FONT


def table_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: list[list[Value]],
                text_columns: Sequence[str] = ()) -> Worksheet:
    """A flat list sheet: header, one row per item, widths fitted to the paper, printable.

    ``text_columns``: headers of long-text columns cut to ``LIST_MAX_LINES`` (the source holds the
    rest), so no single row fills a printed page.
    """
    ws = new_sheet(wb, title)
    cut = [i for i, c in enumerate(columns) if c.header in text_columns]
    layout = fit_columns(columns, rows)
    apply_widths(ws, layout)
    write_header(ws, 1, [c.header for c in columns])
    for r, row in enumerate(rows, start=2):
        values = list(row)
        for i in cut:
            if isinstance(values[i], str):
                values[i] = fit_to_row(values[i], layout.widths[i], LIST_MAX_LINES)
        write_row(ws, r, values, layout)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    print_setup(ws, layout)
    return ws
