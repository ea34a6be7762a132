"""The 督查室's commands: ``taizhang import``, ``taizhang overdue``, ``taizhang corrections`` and
the unit templates of ``taizhang export --for-unit`` (implementations in extractors/tracking)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.errors import LedgerRequestError
from pipeline.settings import Settings

from extractors.export.ledger import left_out_note, measure_heading
from extractors.registry.store import Registry
from extractors.tracking.progress import read_day
from extractors.tracking.service import (
    LedgerReader,
    current_task_ids,
    export_unit_templates,
    import_workbooks,
    supervision,
    write_supervision_workbook,
)

from search_api.unit_lookup import ledger_unit


def run_import_command(files: list[Path], settings: Settings) -> bool:
    """Import edited 任务分工表 and filled 进展报送 files; one line per refused file on stderr."""
    console = Console()
    with Registry.open(settings) as registry:
        report = import_workbooks(files, registry)
    table = Table(title="taizhang import")
    for name in ("文件", "类型", "新校核", "新进展", "说明"):
        table.add_column(name)
    for f in report.files:
        table.add_row(Text(f.path), f.kind, str(f.corrections), str(f.reports), Text(f.note))
    console.print(table)
    for message in report.failed:
        print(message, file=sys.stderr, flush=True)
    return report.ok


def run_unit_templates_command(settings: Settings, unit: str | None, out: Path | None,
                               all_versions: bool = False) -> list[Path]:
    target = out or (settings.data_dir / "进展报送")
    with Registry.open(settings) as registry:
        if unit is not None:
            unit = ledger_unit(unit, (u.canonical for u in registry.units()))
        return export_unit_templates(registry, unit, target, all_versions)


def parse_day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    day = read_day(text)
    if day is None:
        raise LedgerRequestError(None, f"--as-of「{text}」不是日期", "请写成 2025-06-30")
    return day


def run_overdue_command(settings: Settings, unit: str | None, as_of: str | None, within: int,
                        xlsx: Path | None, as_json: bool, all_versions: bool = False) -> None:
    day = parse_day(as_of)
    with Registry.open(settings) as registry:
        if unit is not None:
            unit = ledger_unit(unit, (u.canonical for u in registry.units()))
        result = supervision(registry, day, within, unit, all_versions)
    if xlsx is not None:
        path = write_supervision_workbook(result, xlsx)
        print(f"督办通报已写出：{path}", file=sys.stderr)
    if as_json:
        payload = {
            "as_of": day.isoformat(), "within": within, "superseded_documents": result.superseded,
            "units": [{"unit": u.unit, "tasks": u.tasks, "completed": u.completed, "overdue": u.overdue,
                       "due_soon": u.due_soon, "completion_rate": round(u.completion_rate, 4)}
                      for u in result.units],
            "tasks": [{"task_id": s.task.task_id, "state": s.state, "due": s.due.isoformat() if s.due else None,
                       "units": list(s.units), "reason": s.reason}
                      for s in result.states if s.state in ("超期", "即将到期")],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console()
    for state in ("超期", "即将到期"):
        rows = [s for s in result.states if s.state == state]
        table = Table(title=f"{state}（截至 {day:%Y-%m-%d}，{len(rows)} 项）")
        for name in ("单位", "任务", "到期日", "情况"):
            table.add_column(name)
        for s in rows:
            # the measure as a reader knows it (its document, number and title), not its id
            task = Text(f"{measure_heading(s.task)}\n《{s.document}》", overflow="fold")
            table.add_row(Text("、".join(s.units)), task, s.due.isoformat() if s.due else "", Text(s.reason))
        console.print(table)
    table = Table(title="各单位完成情况")
    for name in ("单位", "任务数", "已完成", "超期", "即将到期", "完成率"):
        table.add_column(name)
    for u in result.units:
        table.add_row(Text(u.unit), str(u.tasks), str(u.completed), str(u.overdue), str(u.due_soon),
                      f"{u.completion_rate:.0%}")
    console.print(table)
    if result.superseded:
        console.print(left_out_note(result.superseded, "计入", "taizhang overdue --all-versions"), markup=False)


def run_corrections_command(settings: Settings, pending_only: bool, as_json: bool) -> None:
    with Registry.open(settings) as registry:
        reader = LedgerReader(registry)
        corrections = reader.store.corrections()
        tracked = reader.tracked(corrections=corrections)
    review = {r.correction.correction_id: r for r in tracked.reviews}
    current = current_task_ids(tracked)
    shown = [c for c in corrections if not pending_only or c.correction_id in review]
    if as_json:
        out = [{**c.model_dump(mode="json", exclude={"task_json"}),
                "current_task_id": current.get(c.correction_id, c.task_id),
                "status": "待复核" if c.correction_id in review else "已校核",
                "new_text": review[c.correction_id].new_text if c.correction_id in review else None}
               for c in shown]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"校核 {len(shown)} 条（待复核 {len(review)} 条）")
    for name in ("编号", "状态", "校核时的任务", "现在对应的任务", "字段", "原值 → 新值", "来自"):
        table.add_column(name)
    for c in shown:
        now = current.get(c.correction_id, c.task_id)
        table.add_row(str(c.correction_id), "待复核" if c.correction_id in review else "已校核", Text(c.task_id),
                      Text("同左" if now == c.task_id else now), c.field, Text(f"{c.before or '空'} → {c.after or '空'}"), Text(c.origin.label()))
    Console().print(table)
