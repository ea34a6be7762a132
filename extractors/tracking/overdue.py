"""督办: which tasks are overdue, due soon or completed on a given day, per unit and per document.

The rules, in order (pure functions of the task, its reports up to the day, and the day):
1. Latest report 已完成 (a dated or undated task) → 已完成. A recurring task is never done once
   and for all: it follows rule 4.
2. Latest report 滞后 → 超期, whatever the date says: the unit itself says it is behind.
3. A dated deadline (by a date, a period's end, relative to issue; the last one when there are
   several phases) → 超期 once the day is past it; 即将到期 when it falls within N days.
4. A recurring deadline (每月 / 每季度 / 每半年 / 每年) → 超期 when the last period that has
   ended got no report dated in it or since; 即将到期 when the current period ends within N days
   with no report in it yet.
5. Ongoing (长期坚持 / 持续推进 / 常态化) → 持续推进: never late by date alone.
6. No deadline → 无时限.
A task counts for the units that lead it, else for its 责任单位 (supporting units report to the
lead); a task naming neither counts for 未明确责任单位.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.model import Task

from extractors.tracking.apply import TrackedLedger
from extractors.tracking.model import ProgressReport

State = Literal["已完成", "超期", "即将到期", "进行中", "持续推进", "无时限"]
NO_UNIT = "未明确责任单位"
_PERIOD_WORDS = (("月", 1), ("季", 3), ("半年", 6), ("年", 12))


@dataclass(frozen=True)
class TaskState:
    task: Task
    document: str  # title
    units: tuple[str, ...]
    state: State
    due: dt.date | None  # the date it is (was) due, for dated and recurring tasks
    reason: str
    latest: ProgressReport | None


@dataclass(frozen=True)
class UnitSummary:
    unit: str
    tasks: int
    completed: int
    overdue: int
    due_soon: int

    @property
    def completion_rate(self) -> float:
        return self.completed / self.tasks if self.tasks else 0.0


def period_months(task: Task) -> int | None:
    """The length in months of a recurring deadline's period (每季度 → 3), None if not recurring."""
    for d in task.deadlines:
        if d.kind == "recurring":
            return next((months for word, months in _PERIOD_WORDS if word in d.text), 12)
    return None


def final_due(task: Task) -> dt.date | None:
    """The last date a dated (non-recurring, non-ongoing) deadline of the task sets."""
    dates = [d.date or d.end for d in task.deadlines
             if d.kind in ("by_date", "period", "relative") and (d.date or d.end) is not None]
    return max(dates) if dates else None


def period_bounds(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The period of ``months`` (1, 3, 6, 12; aligned on the calendar year) holding ``day``."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + months
    end = (dt.date(day.year + 1, 1, 1) if end_month > 12 else dt.date(day.year, end_month, 1)) - dt.timedelta(days=1)
    return start, end


def task_state(task: Task, reports: Sequence[ProgressReport], as_of: dt.date, within: int,
               issued: dt.date | None = None) -> tuple[State, dt.date | None, str]:
    """(state, due date, reason) of ``task`` on ``as_of``; ``reports`` are the task's, any date;
    ``issued``: the document's date (a period that ended before it owes no report)."""
    known = sorted((r for r in reports if r.report_date <= as_of), key=lambda r: (r.report_date, r.report_id or 0))
    latest = known[-1] if known else None
    months = period_months(task)
    due = final_due(task)
    if latest is not None and latest.status == "已完成" and (months is None or due is not None):
        return "已完成", due, f"{latest.report_date:%Y-%m-%d} 报送已完成"
    if latest is not None and latest.status == "滞后":
        return "超期", due, f"{latest.report_date:%Y-%m-%d} 单位报送滞后"
    if due is not None:
        if due < as_of:
            return "超期", due, f"完成时限 {due:%Y-%m-%d} 已过"
        if (due - as_of).days <= within:
            return "即将到期", due, f"{(due - as_of).days} 天后到期"
        return "进行中", due, f"完成时限 {due:%Y-%m-%d}"
    if months is not None:
        start, end = period_bounds(as_of, months)
        previous_start, previous_end = period_bounds(start - dt.timedelta(days=1), months)
        owed = issued is None or issued <= previous_end
        if owed and not any(r.report_date >= previous_start for r in known):
            return "超期", previous_end, f"{previous_start:%Y-%m-%d}—{previous_end:%Y-%m-%d} 未报送（按期报送任务）"
        if not any(r.report_date >= start for r in known) and (end - as_of).days <= within:
            return "即将到期", end, f"本期 {end:%Y-%m-%d} 截止，尚未报送"
        return "进行中", end, "按期报送"
    if any(d.kind == "ongoing" for d in task.deadlines):
        return "持续推进", None, "长期任务，不按日期判定超期"
    return "无时限", None, "未写明完成时限"


def responsible_units(task: Task) -> tuple[str, ...]:
    named = task.lead or task.unassigned_units
    return tuple(dict.fromkeys(m.canonical for m in named)) or (NO_UNIT,)


def task_states(tracked: TrackedLedger, reports: Iterable[ProgressReport], as_of: dt.date,
                within: int = 30, unit: str | None = None) -> list[TaskState]:
    by_task: dict[str, list[ProgressReport]] = defaultdict(list)
    for r in reports:
        by_task[r.task_id].append(r)
    out: list[TaskState] = []
    for doc in tracked.ledger.documents:
        for t in doc.tasks:
            units = responsible_units(t)
            if unit is not None and unit not in units:
                continue
            state, due, reason = task_state(t, by_task.get(t.task_id, []), as_of, within, doc.meta.date)
            mine = sorted(by_task.get(t.task_id, []), key=lambda r: (r.report_date, r.report_id or 0))
            latest = next((r for r in reversed(mine) if r.report_date <= as_of), None)
            out.append(TaskState(t, doc.meta.title, units, state, due, reason, latest))
    return out


def unit_summaries(states: Sequence[TaskState], unit: str | None = None) -> list[UnitSummary]:
    """Per unit: tasks, completed, overdue, due soon; the most overdue first."""
    count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in states:
        for u in s.units:
            if unit is None or u == unit:
                count[u]["tasks"] += 1
                count[u][s.state] += 1
    rows = [UnitSummary(u, c["tasks"], c["已完成"], c["超期"], c["即将到期"]) for u, c in count.items()]
    return sorted(rows, key=lambda r: (-r.overdue, -r.due_soon, r.unit))


def document_summaries(states: Sequence[TaskState]) -> list[UnitSummary]:
    """The same counts per document (its title in ``unit``)."""
    count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in states:
        count[s.document]["tasks"] += 1
        count[s.document][s.state] += 1
    return [UnitSummary(d, c["tasks"], c["已完成"], c["超期"], c["即将到期"]) for d, c in count.items()]
