"""The 任务分工表 workbook as secretariats print it, plus the views they check it with.

Sheets, in order:
  任务分工表   one block per document that names units: title bar, measures, page break
               (``task_sheet.py``)
  未分工措施   the measures of documents that name no unit for any, same layout
  责任矩阵     per document, its units against its measures (``matrix_sheet.py``)
  单位责任清单 未明确责任 目标指标 待核实   check lists (``lists.py``)
  冲突核查     the consistency checks' findings, when the caller ran them (``findings.py``)

Units a document names without saying who leads (``（责任单位：市财政局、市商务局）``) are shown as
责任单位: labelled in the 配合单位／责任单位 column, 责 in the matrix, 责任 in the duty list;
never left out, never put in the 牵头单位 column. Every sheet prints in 宋体 五号 (10.5 pt) on
A4 landscape (A3 when its columns cannot fit A4 at that size) with its header on every page
and page numbers in the footer (``print_layout.py``).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from extractors.export.findings import FINDING_COLUMNS, finding_rows
from extractors.export.ledger import Ledger
from extractors.export.lists import (
    DUTY_COLUMNS,
    REVIEW_COLUMNS,
    TARGET_COLUMNS,
    UNCLEAR_COLUMNS,
    duty_groups,
    review_rows,
    target_rows,
    unclear_rows,
)
from extractors.export.matrix_sheet import matrix_sheet
from extractors.export.print_layout import grouped_sheet, table_sheet
from extractors.export.task_sheet import task_sheets


def write_workbook(ledger: Ledger, path: Path) -> None:
    build_workbook(ledger).save(path)


def build_workbook(ledger: Ledger) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "任务分工表"
    wb.properties.creator = "taizhang"
    task_sheets(wb, ledger)
    matrix_sheet(wb, ledger)
    grouped_sheet(wb, "单位责任清单", DUTY_COLUMNS, duty_groups(ledger), page_per_group=False)
    table_sheet(wb, "未明确责任", UNCLEAR_COLUMNS, unclear_rows(ledger))
    table_sheet(wb, "目标指标", TARGET_COLUMNS, target_rows(ledger), text_columns=("原文",))
    table_sheet(wb, "待核实", REVIEW_COLUMNS, review_rows(ledger))
    if ledger.findings is not None:
        table_sheet(wb, "冲突核查", FINDING_COLUMNS, finding_rows(ledger),
                    text_columns=("说明", "甲 原文", "乙 原文"))
    wb.active = 0
    return wb
