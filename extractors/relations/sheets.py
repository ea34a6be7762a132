"""The relation workbooks secretariats use: 修订对照表 (序号 | 原条款 | 修改后条款 | 修改说明) and
承接对照表 (上级任务 | 本级承接措施 | 牵头单位 | 目标/时限对比 | 状态). Every cell is plain text or
a number passed through ``safe_cell`` (no formula can be written, none is)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from extractors.export.safe_cells import safe_cell
from extractors.relations.diff import VersionDiff
from extractors.relations.trace import TraceReport
from pipeline.model import SourceRef

REVISION_COLUMNS = (("序号", 6), ("原条款", 60), ("修改后条款", 60), ("修改说明", 40))


def _locator(source: SourceRef) -> str:
    """``（DOC:START-END，第3页第12行）``, only ``第12行`` for a file with no pages (a text file)."""
    return f"（{source.doc_id}:{source.char_start}-{source.char_end}，{source.where()}）"


def revision_rows(diff: VersionDiff) -> list[list[str | int]]:
    """One row per measure that changed (renumbered and moved ones included)."""
    rows: list[list[str | int]] = []
    for change in diff.changes:
        if change.kind == "unchanged" and not (change.renumbered or change.moved):
            continue
        old = "\n\n".join(r.text + _locator(r.source) for r in change.old)
        new = "\n\n".join(r.text + _locator(r.source) for r in change.new)
        rows.append([len(rows) + 1, old or "（无）", new or "（无）", change.note])
    return rows


def write_sheet(path: Path, title: str, columns: Sequence[tuple[str, float]],
                rows: list[list[str | int]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([name for name, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if isinstance(v, int) else safe_cell(v) for v in row])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (_, width) in zip(ws.columns, columns, strict=True):
        ws.column_dimensions[column[0].column_letter].width = width
        for cell in column:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)  # never a half-written workbook under the final name


def write_revision_sheet(diff: VersionDiff, path: Path) -> None:
    write_sheet(path, "修订对照表", REVISION_COLUMNS, revision_rows(diff))


TRACE_COLUMNS = (("上级任务", 50), ("本级承接措施", 50), ("牵头单位", 24), ("目标/时限对比", 36), ("状态", 10))


def trace_rows(report: TraceReport) -> list[list[str | int]]:
    """One row per link, then one per upper measure nobody takes up (未承接), then one per lower
    measure with no upper source (自选动作)."""
    rows: list[list[str | int]] = []
    for link in report.links:
        up, low = link.evidence
        compared = "\n".join(f"{c.what}：上级 {c.upper or '无'}；本级 {c.lower or '无'}"
                             for c in link.comparisons) or "—"
        rows.append([
            f"{link.upper.number or ''}{link.upper.title}\n依据：{up.quote}" + _locator(up.source),
            f"{link.lower.number or ''}{link.lower.title}\n依据：{low.quote}" + _locator(low.source),
            "、".join(link.lower_leads)
            or ("责任单位：" + "、".join(link.lower_responsible) if link.lower_responsible else "（未明确）"),
            compared,
            f"{link.status}（{link.score.total:.2f}）",
        ])
    for ref in report.untaken:
        rows.append([f"{ref.number or ''}{ref.title}" + _locator(ref.source), "（无）", "", "", "未承接"])
    for ref in report.own_actions:
        rows.append(["（无上级来源）", f"{ref.number or ''}{ref.title}" + _locator(ref.source), "", "", "自选动作"])
    return rows


def write_trace_sheet(report: TraceReport, path: Path) -> None:
    write_sheet(path, "承接对照表", TRACE_COLUMNS, trace_rows(report))
