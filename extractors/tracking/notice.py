"""The 督办通报 workbook: 超期任务, 即将到期, 各单位完成情况 (with a chart), as of one day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from extractors.export.columns import Column
from extractors.export.ledger import deadline_cell, measure_heading, source_locator
from extractors.export.print_cells import printed_source
from extractors.export.safe_cells import safe_cell
from extractors.tracking.overdue import TaskState, UnitSummary

TASK_COLUMNS = (
    Column("序号", 5, 6), Column("责任单位", 12, 24), Column("文件", 12, 24), Column("具体措施", 20, 50),
    Column("完成时限", 10, 16), Column("到期日", 10, 12), Column("情况", 16, 30), Column("最新进展", 20, 40),
    Column("来源", 16, 34),
)
UNIT_COLUMNS = (
    Column("单位", 12, 24), Column("任务数", 6, 8), Column("已完成", 6, 8), Column("超期", 6, 8),
    Column("即将到期", 6, 10), Column("完成率", 6, 8),
)


def _task_row(n: int, s: TaskState) -> list:
    latest = f"{s.latest.report_date:%Y-%m-%d} {s.latest.status}：{s.latest.progress}" if s.latest else ""
    return [n, safe_cell("、".join(s.units)), safe_cell(s.document), safe_cell(measure_heading(s.task)),
            safe_cell(deadline_cell(s.task)), s.due.isoformat() if s.due else "", safe_cell(s.reason),
            safe_cell(latest),
            safe_cell(f"{printed_source(s.task.source, ' ')}\n{source_locator(s.task.source)}")]


def _sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: list[list], heading: str,
           note: str = "") -> None:
    ws = wb.create_sheet(title)
    # a note goes beside the heading: the header row and the data stay where readers expect them
    ws.append([f"{heading}　{note}" if note else heading])
    ws["A1"].font = Font(name="宋体", bold=True, size=14)

    ws.append([c.header for c in columns])
    for cell in ws[2]:
        cell.font = Font(name="宋体", bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.max_width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"


def supervision_workbook(states: Sequence[TaskState], units: Sequence[UnitSummary], as_of: dt.date,
                         within: int, note: str = "") -> Workbook:
    """``note``: a 说明 line under each sheet's heading (older versions left out of the counts)."""
    wb = Workbook()
    wb.remove(wb.active)
    overdue = [s for s in states if s.state == "超期"]
    soon = [s for s in states if s.state == "即将到期"]
    day = f"{as_of:%Y年%m月%d日}"
    _sheet(wb, "超期任务", TASK_COLUMNS, [_task_row(n, s) for n, s in enumerate(overdue, start=1)],
           f"超期任务（截至{day}，共{len(overdue)}项）", note)
    _sheet(wb, "即将到期", TASK_COLUMNS, [_task_row(n, s) for n, s in enumerate(soon, start=1)],
           f"即将到期任务（{day}起{within}日内，共{len(soon)}项）", note)
    rows = [[safe_cell(u.unit), u.tasks, u.completed, u.overdue, u.due_soon, round(u.completion_rate, 4)]
            for u in units]
    _sheet(wb, "各单位完成情况", UNIT_COLUMNS, rows, f"各单位完成情况（截至{day}）", note)
    ws = wb["各单位完成情况"]
    for r in range(3, len(rows) + 3):
        ws.cell(r, 6).number_format = "0.0%"
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各单位任务完成情况"
        chart.grouping = "stacked"
        chart.overlap = 100
        data = Reference(ws, min_col=3, max_col=5, min_row=2, max_row=len(rows) + 2)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=len(rows) + 2))
        chart.height = max(8, len(rows) * 0.6)
        chart.width = 18
        ws.add_chart(chart, "H3")
    return wb
