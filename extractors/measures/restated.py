"""A 任务清单 that restates the body's measures row by row (任务名称 = the item's run-in title) adds
its units and time limits to those measures; it does not make a second measure of each."""

from __future__ import annotations

import re

from pipeline.model import Task

_NOISE = re.compile(r"[\s“”\"'‘’《》「」（）()、，,。：:；;]")


def title_key(title: str) -> str:
    """A title without punctuation and spaces: a row restates the measure whose key it shares."""
    return _NOISE.sub("", title)


def merge_restated_rows(tasks: list[Task], rows: list[Task]) -> tuple[list[Task], list[Task]]:
    """(body measures with the units and time limits of the rows that restate them, rows left).

    A row restates a measure when its task cell is the measure's title (punctuation aside). A
    measure that names units of its own keeps them, and gets the row's units only where it names
    none; a row that restates no measure stays a measure of its own."""
    by_title: dict[str, int] = {}
    for k, task in enumerate(tasks):
        by_title.setdefault(title_key(task.title), k)
    merged = list(tasks)
    left: list[Task] = []
    taken: set[int] = set()
    for row in rows:
        k = by_title.get(title_key(row.title))
        if k is None or k in taken or not title_key(row.title):
            left.append(row)
            continue
        taken.add(k)
        task = merged[k]
        update: dict = {}
        if not (task.lead or task.supporting or task.unassigned_units):
            update |= {"lead": row.lead, "supporting": row.supporting,
                       "unassigned_units": row.unassigned_units, "role_rule": row.role_rule}
        if row.deadlines:
            # the list's 完成时限 is the time limit the secretariat tracks, first; the body's own
            # dates and recurrences (到2025年, 每年) stay beside it unless one holds the other (a
            # window in the prose, 在5个工作日内响应, is a service standard, not a time limit)
            own = tuple(d for d in task.deadlines if d.kind != "relative"
                        and not any(d.text in r.text or r.text in d.text for r in row.deadlines))
            update["deadlines"] = row.deadlines + own
        merged[k] = task.model_copy(update=update) if update else task
    return merged, left
