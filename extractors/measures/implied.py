"""Units a document charges once with every later measure (以下均由各县（市、区）政府落实，不再列出)
or with every measure before the note (以上任务均需各设区市人民政府落实，不再单独列出)."""

from __future__ import annotations

from extractors.context import DocumentContext
from extractors.roles.statements import parse_unit_list, role_lexicon
from pipeline.model import Task, UnitMention


def with_implied_units(ctx: DocumentContext, tasks: list[Task]) -> list[Task]:
    """Units the document charged once with every later measure (以下均由各县（市、区）政府落实，
    不再列出): each measure after the note gets them, supporting where it names a lead, else as
    责任单位; a unit the measure names itself keeps its own role."""
    notes: list[tuple[int, int, str, tuple[UnitMention, ...]]] = []
    for rule in role_lexicon().implied_units:
        for m in rule.regex.finditer(ctx.text_view.simplified):
            a, b = m.span("units")
            parse = parse_unit_list(ctx.doc.text[a:b], base=a, context=ctx.units)
            units = tuple(u.model_copy(update={"role": "unassigned"}) for u in parse.units)
            notes.append((m.start(), m.end(), rule.applies_to, units))
    if not notes:
        return tasks
    out = []
    for task in tasks:
        implied = [
            u for start, end, applies_to, units in notes
            if (task.span.start >= end if applies_to == "later" else task.span.end <= start)
            for u in units
        ]
        named = {u.canonical for u in (*task.lead, *task.supporting, *task.unassigned_units)}
        added = tuple(u for u in implied if u.canonical not in named)
        if not added:
            out.append(task)
        elif task.lead:
            supporting = tuple(u.model_copy(update={"role": "supporting"}) for u in added)
            out.append(task.model_copy(update={"supporting": task.supporting + supporting}))
        else:
            out.append(task.model_copy(update={"unassigned_units": task.unassigned_units + added}))
    return out
