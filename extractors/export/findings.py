"""The workbook's 冲突核查 sheet: each consistency finding with both quotes side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.model import Evidence

from extractors.export.columns import Column
from extractors.export.ledger import source_locator
from extractors.export.print_cells import printed_source

if TYPE_CHECKING:
    from extractors.export.ledger import Ledger

KIND_LABEL = {
    "conflict": "数值冲突",
    "basis_mismatch": "口径不一",
    "year_drift": "年份不一",
    "superseded": "新文件改写",
    "consistent": "相互印证",
    "part_exceeds_whole": "局部超过整体",
    "rule_conflict": "规则冲突",
    "lead_conflict": "牵头单位不一",
    "sum_mismatch": "数量对不上",
}
SEVERITY_LABEL = {"high": "高", "medium": "中", "low": "低", "info": "—"}

# Both sides read across one row: wider than A4 at 五号, so this sheet prints on A3.
FINDING_COLUMNS = (
    Column("序号", 5, 5), Column("类型", 8, 12), Column("严重程度", 6, 6), Column("说明", 18, 36),
    Column("甲 文件", 12, 22), Column("甲 原文", 18, 36), Column("甲 解读", 12, 22), Column("甲 来源", 11, 12),
    Column("乙 文件", 12, 22), Column("乙 原文", 18, 36), Column("乙 解读", 12, 22), Column("乙 来源", 11, 12),
    Column("较新", 5, 5), Column("规则", 10, 20),
    Column("甲 定位", 20, 40, hidden=True), Column("乙 定位", 20, 40, hidden=True),
)


def _side(ev: Evidence, titles: dict[str, str]) -> list[str | None]:
    return [titles.get(ev.source.doc_id, ev.source.doc_id), ev.quote, ev.parsed, printed_source(ev.source)]


def finding_rows(ledger: "Ledger") -> list[list]:
    """Flagged findings first (by severity), corroborations (相互印证) last."""
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    titles = ledger.titles()
    rows: list[list] = []
    for f in sorted(ledger.findings or (), key=lambda f: (order.get(f.severity, 9), f.kind, f.finding_id)):
        newer = {"left": "甲", "right": "乙"}.get(f.newer or "", "")
        rows.append([
            len(rows) + 1, KIND_LABEL.get(f.kind, f.kind), SEVERITY_LABEL.get(f.severity, f.severity), f.reason,
            *_side(f.left, titles), *_side(f.right, titles), newer, f.rule,
            source_locator(f.left.source), source_locator(f.right.source),
        ])
    return rows
