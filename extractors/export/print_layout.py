"""How a sheet prints: fonts, row heights, title bars, page setup; a flat or grouped sheet.

A 任务分工表 is read on paper. The body prints in 宋体 五号 (10.5 pt), the size of official
documents' tables: columns get widths that fit A4 landscape at 100 % (A3 when the narrowest
readable widths do not fit A4; ``widths.py``), so nothing shrinks the text. Row heights are set
from the wrapped line count, as Excel and WPS do not grow a row for wrapped text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from extractors.export.columns import Column
from extractors.export.safe_cells import TRUNCATION_NOTE, safe_cell
from extractors.export.widths import (
    MARGINS,
    SheetLayout,
    Value,
    display_width,
    fit_columns,
    wrapped_lines,
)

FONT = "宋体"
BODY_PT = 10.5  # 五号: the body size of printed government tables
TITLE_PT = 14  # 四号 bold: a document's title above its rows
HEADER_FOOTER_PT = 11  # page header and footer (whole points only)
# one wrapped line at 10.5 pt: SimSun (Excel, WPS) needs 13.5, LibreOffice's Noto CJK 15.2;
# planned for the taller, so no printed line is clipped
LINE_PT = 15.3
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
    body = Font(name=FONT, size=BODY_PT)
    return (
        NamedStyle(BODY, font=body, border=_BORDER, alignment=_WRAP),
        NamedStyle(CENTERED, font=body, border=_BORDER, alignment=_CENTER),
        NamedStyle(HEADER, font=Font(name=FONT, size=BODY_PT, bold=True), border=_BORDER, alignment=_CENTER,
                   fill=PatternFill("solid", fgColor="D9D9D9")),
        NamedStyle(TITLE, font=Font(name=FONT, size=TITLE_PT, bold=True), border=_BORDER, alignment=_CENTER,
                   fill=PatternFill("solid", fgColor="F2F2F2")),
    )


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
    if not layout.fits():
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
    centered = [c.header == "序号" for c in columns]
    for r, row in enumerate(rows, start=2):
        values = list(row)
        for i in cut:
            if isinstance(values[i], str):
                values[i] = fit_to_row(values[i], layout.widths[i], LIST_MAX_LINES)
        write_row(ws, r, values, layout, centered)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    print_setup(ws, layout)
    return ws


def grouped_sheet(wb: Workbook, title: str, columns: Sequence[Column],
                  groups: Sequence[tuple[str, list[list[Value]]]], page_per_group: bool,
                  footnote: str = "", note: str = "") -> Worksheet:
    """Header row (repeated on every printed page), then ``note`` as a 说明 bar when given,
    then per group a title bar and its rows; with ``page_per_group`` each group starts a
    printed page. A 序号 column is centred."""
    ws = new_sheet(wb, title)
    layout = fit_columns(columns, [v for _, rows in groups for v in rows])
    apply_widths(ws, layout)
    write_header(ws, 1, [c.header for c in columns])
    centered = [c.header == "序号" for c in columns]
    row = 2
    if note:
        write_title(ws, row, note, layout)
        row += 1
    for i, (group_title, rows) in enumerate(groups):
        if i and page_per_group:
            ws.row_breaks.append(Break(id=row - 1))
        write_title(ws, row, group_title, layout)
        row += 1
        for values in rows:
            write_row(ws, row, values, layout, centered)
            row += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row - 1, 1)}"
    print_setup(ws, layout, footnote)
    return ws
