"""The 任务分工表 workbook as secretariats print it, plus the views they check it with.

Sheets: 任务分工表 (one row per measure), 责任矩阵 (measures × units), 单位责任清单 (per unit:
what it leads, what it supports, what it is named responsible for without a lead/supporting
split), 未明确责任, 目标指标, 待核实 (typos, roles not stated, units the authority does not know).

Units a document names without saying who leads (``（责任单位：市财政局、市商务局）``) are shown as
责任单位 in their own column and as 责任 in the matrix and the duty list: never left out, never
put in the 牵头单位 column. Every sheet: frozen header, auto-filter, wrapped text, widths
that fit CJK (a CJK character counts as two), A4 landscape fitted to the page width, the
header row repeated on every printed page, page numbers in the footer.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.model import Task, UnitMention

from extractors.export.ledger import (
    Ledger,
    deadline_cell,
    key_task_cell,
    measure_cell,
    measure_heading,
    page_line_label,
    source_cell,
    span_locator,
    unit_names,
)
from extractors.export.columns import Column
from extractors.export.findings import FINDING_COLUMNS, finding_rows
from extractors.export.safe_cells import TRUNCATION_NOTE, safe_cell

Value = str | int | Decimal | None

FONT = "宋体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LINE_HEIGHT = 14.5  # points per text line at 11 pt
_MAX_ROW_HEIGHT = 409  # Excel's limit
_MAX_LINES = int((_MAX_ROW_HEIGHT - 4) // _LINE_HEIGHT)
_UNITS_PER_PAGE = 20  # 责任矩阵 columns that stay legible on one A4 landscape page
ROLE_LABEL = {"lead": "牵头", "supporting": "配合", "unassigned": "责任"}
COMPARATOR_LABEL = {
    "eq": "＝", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "approx": "约",
    "increase_by": "增加", "decrease_by": "减少", "qualitative": "定性",
}

# Units named with no lead/supporting split: a column of their own, beside 牵头 and 配合
UNSPLIT_HEADER = "责任单位（未分牵头）"


TASK_COLUMNS = (
    Column("序号", 5, 6), Column("文件", 12, 24), Column("重点任务", 12, 24), Column("具体措施", 30, 64),
    Column("牵头单位", 10, 22), Column("配合单位", 10, 30), Column(UNSPLIT_HEADER, 10, 30),
    Column("完成时限", 8, 16), Column("来源", 16, 34),
)
DUTY_COLUMNS = (
    Column("单位", 10, 24), Column("原文写法", 10, 24), Column("职责", 5, 6), Column("文件", 12, 24),
    Column("任务编号", 8, 18), Column("具体措施", 20, 50), Column("完成时限", 8, 16), Column("来源", 16, 34),
)
UNCLEAR_COLUMNS = (
    Column("序号", 5, 6), Column("文件", 12, 24), Column("任务编号", 8, 18), Column("具体措施", 20, 50),
    Column("问题", 12, 30), Column("已提及单位", 10, 30), Column("来源", 16, 34),
)
TARGET_COLUMNS = (
    Column("序号", 5, 6), Column("文件", 12, 24), Column("指标", 10, 24), Column("范围", 6, 16),
    Column("年份", 6, 6), Column("比较", 5, 6), Column("数值", 8, 14), Column("上限", 8, 14),
    Column("单位", 5, 10), Column("属性", 6, 8), Column("累计", 5, 5), Column("原文", 20, 50),
    Column("来源", 16, 34),
)
REVIEW_COLUMNS = (
    Column("序号", 5, 6), Column("类型", 8, 20), Column("单位（原文）", 10, 24), Column("规范名", 10, 24),
    Column("说明", 10, 30), Column("文件", 12, 24), Column("任务编号", 8, 18), Column("具体措施", 16, 40),
    Column("来源", 16, 34),
)


def write_workbook(ledger: Ledger, path: Path) -> None:
    build_workbook(ledger).save(path)


def build_workbook(ledger: Ledger) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "任务分工表"
    wb.properties.creator = "taizhang"
    _table_sheet(wb, "任务分工表", TASK_COLUMNS, task_rows(ledger))
    _matrix_sheet(wb, ledger)
    _table_sheet(wb, "单位责任清单", DUTY_COLUMNS, duty_rows(ledger))
    _table_sheet(wb, "未明确责任", UNCLEAR_COLUMNS, unclear_rows(ledger))
    _table_sheet(wb, "目标指标", TARGET_COLUMNS, target_rows(ledger))
    _table_sheet(wb, "待核实", REVIEW_COLUMNS, review_rows(ledger))
    if ledger.findings is not None:
        _table_sheet(wb, "冲突核查", FINDING_COLUMNS, finding_rows(ledger))
    wb.active = 0
    return wb


# ------------------------------------------------------------------------------ row contents


def _tasks(ledger: Ledger) -> Iterable[tuple[str, Task]]:
    for doc in ledger.documents:
        for task in doc.tasks:
            yield doc.meta.title, task


def task_label(task: Task) -> str:
    """The measure's own numbering path (``二.（一）.1``), without the doc_id prefix."""
    return task.task_id.removeprefix(f"{task.doc_id}:")


def fit_to_row(text: str, width: int, max_lines: int = _MAX_LINES) -> str:
    """``text`` cut to what a row of the tallest height shows, ending with where to read the rest.

    A longer cell would be silently clipped on screen and on paper; the full text stays in the
    CSV/JSON exports and in the source the 来源 locator points to.
    """
    if _lines(text, width) <= max_lines:
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


def task_rows(ledger: Ledger) -> list[list[Value]]:
    measure_width = TASK_COLUMNS[3].max_width
    return [
        [n, title, key_task_cell(t), fit_to_row(measure_cell(t), measure_width), unit_names(t.lead),
         unit_names(t.supporting), unit_names(t.unassigned_units), deadline_cell(t), source_cell(t.source)]
        for n, (title, t) in enumerate(_tasks(ledger), start=1)
    ]


def unit_order(ledger: Ledger) -> list[str]:
    """Canonical units named for measures, busiest first (measures it leads, supports or is
    named responsible for; then the most leads, then by name)."""
    lead: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for _, t in _tasks(ledger):
        for unit, role in _roles_by_unit(t).items():
            total[unit] += 1
            lead[unit] += role == "lead"
    return sorted(total, key=lambda u: (-total[u], -lead[u], u))


def _roles_by_unit(task: Task) -> dict[str, str]:
    roles: dict[str, str] = {}
    for m in (*task.lead, *task.supporting, *task.unassigned_units):  # first (strongest) role wins
        roles.setdefault(m.canonical, m.role)
    return roles


def duty_rows(ledger: Ledger) -> list[list[Value]]:
    by_unit: dict[str, dict[str, list[tuple[str, Task, UnitMention]]]] = defaultdict(lambda: defaultdict(list))
    for title, t in _tasks(ledger):
        for m in (*t.lead, *t.supporting, *t.unassigned_units):
            by_unit[m.canonical][m.role].append((title, t, m))
    rows: list[list[Value]] = []
    for unit in unit_order(ledger):
        for role in ("lead", "supporting", "unassigned"):
            seen: set[str] = set()
            for title, t, m in by_unit[unit][role]:
                if t.task_id in seen:
                    continue
                seen.add(t.task_id)
                rows.append([unit, m.name, ROLE_LABEL[role], title, task_label(t), measure_heading(t),
                             deadline_cell(t), source_cell(t.source)])
    return rows


def unclear_problem(task: Task) -> str | None:
    """Why a measure's responsibility is not clear, or None when it has a lead and every unit
    named for it has its role.

    A measure whose document names 责任单位 without a lead has responsible units: it is listed
    because no lead is stated, never as having no responsible unit.
    """
    if not (task.lead or task.supporting or task.unassigned_units):
        return "未写明责任单位"
    if not task.lead and task.unassigned_units:
        return f"未明确牵头单位（责任单位：{unit_names(task.unassigned_units)}）"
    if not task.lead:
        return "无牵头单位"
    if task.unassigned_units:
        return f"部分单位未分牵头配合：{unit_names(task.unassigned_units)}"
    return None


def unclear_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for title, t in _tasks(ledger):
        problem = unclear_problem(t)
        if problem:
            named = unit_names((*t.lead, *t.supporting, *t.unassigned_units))
            rows.append([len(rows) + 1, title, task_label(t), measure_heading(t), problem, named,
                         source_cell(t.source)])
    return rows


def target_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for doc in ledger.documents:
        for g in doc.targets:
            rows.append([
                len(rows) + 1, doc.meta.title, g.indicator, g.scope, g.year,
                COMPARATOR_LABEL.get(g.comparator, g.comparator), g.value, g.value_max, g.unit,
                g.binding, "是" if g.cumulative else "", g.quote, source_cell(g.source),
            ])
    return rows


def mention_issues(m: UnitMention, partly_assigned: bool = True) -> tuple[list[str], list[str]]:
    """(kinds, notes) that make a unit mention worth a human look.

    ``partly_assigned``: the measure names a lead or supporting unit too. Only then is a unit
    without a role odd; a measure whose document lists 责任单位 with no lead at all is shown once,
    in 未明确责任, not once per unit here (real 分工方案 do that for every measure)."""
    kinds, notes = [], []
    for flag in m.flags:
        if flag.startswith("possible_typo"):
            kinds.append("疑似错别字")
            notes.append(f"疑为：{flag.partition(':')[2]}" if ":" in flag else flag)
        else:
            kinds.append("其他")
            notes.append(flag)
    if m.role == "unassigned" and partly_assigned:
        kinds.append("角色不明")
    if not m.known:
        kinds.append("未收录单位")
    return kinds, notes


def review_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for title, t in _tasks(ledger):
        partly_assigned = bool(t.lead or t.supporting)
        for m in (*t.lead, *t.supporting, *t.unassigned_units):
            kinds, notes = mention_issues(m, partly_assigned)
            if not kinds:
                continue
            where = source_cell(t.source)
            if m.span is not None:  # point at the unit's name itself, on the measure's page/line
                locator = span_locator(t.doc_id, m.span.start, m.span.end)
                where = f"{t.doc_id} {page_line_label(t.source)}\ntaizhang show {locator}"
            rows.append([len(rows) + 1, "；".join(dict.fromkeys(kinds)), m.name, m.canonical,
                         "；".join(notes), title, task_label(t), measure_heading(t), where])
    return rows


# --------------------------------------------------------------------------------- formatting


def display_width(text: str) -> int:
    """Columns a line takes on screen: CJK and full-width characters count as two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer numbers go in as text, unchanged


def _cell_value(value: Value) -> str | int | Decimal | None:
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > _EXCEL_DIGITS:
        return safe_cell(str(value))
    return value


def _number_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    return "0." + "0" * -exponent if isinstance(exponent, int) and exponent < 0 else "0"


def _lines(text: str, width: float) -> int:
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def _table_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: list[list[Value]],
                 freeze: str = "A2") -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([c.header for c in columns])
    for r, row in enumerate(rows, start=2):
        ws.append([_cell_value(v) for v in row])
        for c, value in enumerate(row, start=1):
            if isinstance(value, Decimal) and not isinstance(ws.cell(r, c).value, str):
                ws.cell(r, c).number_format = _number_format(value)  # 16.40 shows as 16.40
    widths = []
    for i, col in enumerate(columns, start=1):
        longest = max((display_width(line) for r in rows for line in str(r[i - 1] or "").split("\n")),
                      default=0)
        widths.append(min(max(longest + 2, display_width(col.header) + 2, col.min_width), col.max_width))
        ws.column_dimensions[get_column_letter(i)].width = widths[-1]
    _style(ws, widths)
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    _print_setup(ws)
    return ws


def _style(ws: Worksheet, widths: Sequence[float], first_data_row: int = 2) -> None:
    for cell in ws[1]:
        cell.font = Font(name=FONT, bold=True, size=11)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    body_font = Font(name=FONT, size=11)
    for row in ws.iter_rows(min_row=first_data_row):
        lines = 1
        for cell, width in zip(row, widths):
            cell.font = body_font
            cell.alignment = _WRAP
            cell.border = _BORDER
            if isinstance(cell.value, str):
                lines = max(lines, _lines(cell.value, width))
        ws.row_dimensions[row[0].row].height = min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT + 4)


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as needed down
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = ws.title


def _matrix_sheet(wb: Workbook, ledger: Ledger) -> Worksheet:
    """Measures down, canonical units across; 牵头/配合/责任 where they meet; totals at the bottom."""
    units = unit_order(ledger)
    fixed = (Column("序号", 5, 6), Column("任务编号", 8, 16), Column("具体措施", 20, 40))
    ws = wb.create_sheet("责任矩阵")
    ws.append([c.header for c in fixed] + [safe_cell(u) for u in units])
    lead_totals = [0] * len(units)
    support_totals = [0] * len(units)
    unsplit_totals = [0] * len(units)
    tasks = list(_tasks(ledger))
    for n, (_, t) in enumerate(tasks, start=1):
        roles = _roles_by_unit(t)
        marks = []
        for i, unit in enumerate(units):
            role = roles.get(unit)
            lead_totals[i] += role == "lead"
            support_totals[i] += role == "supporting"
            unsplit_totals[i] += role == "unassigned"
            marks.append(ROLE_LABEL[role] if role else None)
        ws.append([n, safe_cell(task_label(t)), safe_cell(measure_heading(t)), *marks])
    last_data_row = len(tasks) + 1
    ws.append([None, "合计", "牵头", *lead_totals])
    ws.append([None, "合计", "配合", *support_totals])
    ws.append([None, "合计", ROLE_LABEL["unassigned"], *unsplit_totals])
    widths = [min(max(c.min_width, 1), c.max_width) for c in fixed]
    widths[2] = fixed[2].max_width
    widths += [5] * len(units)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _style(ws, widths)
    for cell in ws[1][len(fixed):]:
        cell.alignment = Alignment(text_rotation=255, vertical="top", horizontal="center", wrap_text=True)
    longest_unit = max((len(u) for u in units), default=4)
    ws.row_dimensions[1].height = min(_MAX_ROW_HEIGHT, longest_unit * 16 + 12)  # stacked CJK glyphs
    for row in ws.iter_rows(min_row=2, min_col=len(fixed) + 1):
        for cell in row:
            cell.alignment = _CENTER
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{last_data_row}"
    _print_setup(ws)
    # one page wide would shrink 60 unit columns to nothing: ~20 units a page, measures repeated
    ws.page_setup.fitToWidth = max(1, math.ceil(len(units) / _UNITS_PER_PAGE))
    ws.print_title_cols = "A:C"
    return ws
