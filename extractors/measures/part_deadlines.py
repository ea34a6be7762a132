"""Deadlines a document states once for a part (本部分任务均于2024年底前完成), on a line of their
own at the part's head or after its last item: every measure of the part is due then."""

from __future__ import annotations

from extractors.context import DocumentContext
from extractors.deadlines.lexicon import deadline_lexicon
from extractors.measures.shared import measure_deadlines, merged_deadlines, part_holding
from pipeline.model import Task


def with_part_deadlines(ctx: DocumentContext, tasks: list[Task]) -> list[Task]:
    """``tasks`` with each part's stated deadlines added to its measures (a deadline a measure
    states itself is kept once)."""
    regex = deadline_lexicon().part_deadline.regex
    for m in regex.finditer(ctx.text_view.simplified):
        a, b = m.span("due")
        due = measure_deadlines(ctx, ctx.doc.text[a:b], a)
        part = part_holding(ctx, m.start("due"))
        if not due or part is None:
            continue
        tasks = [task.model_copy(update={"deadlines": merged_deadlines(task.deadlines, due)})
                 if part.span.start <= task.span.start < part.span.end else task for task in tasks]
    return tasks
