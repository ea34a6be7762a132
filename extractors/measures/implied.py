"""Units a document charges once with every later measure (以下均由各县（市、区）政府落实，不再列出),
with every measure before the note (以上任务均需各设区市人民政府落实，不再单独列出), or with every
item under a heading that names their lead (一、县示范区管委会牵头工作（8项））."""

from __future__ import annotations

from extractors.context import DocumentContext
from extractors.measures.shared import measure_deadlines, merged_deadlines, part_holding
from extractors.numbers import parse_number
from extractors.roles.statements import find_statements, parse_statement, parse_unit_list, role_lexicon
from pipeline.model import Task, UnitMention


def with_implied_units(ctx: DocumentContext, tasks: list[Task]) -> list[Task]:
    """Units the document charged once with every later measure (以下均由各县（市、区）政府落实，
    不再列出): each measure after the note gets them, supporting where it names a lead, else as
    责任单位; a unit the measure names itself keeps its own role."""
    notes: list[tuple[int, int, str, tuple[UnitMention, ...]]] = []
    for rule in role_lexicon().implied_units:
        for m in rule.regex.finditer(ctx.text_view.simplified):
            a, b = m.span("units")
            if rule.applies_to == "heading":
                tasks = _with_heading_lead(ctx, tasks, m.start("units"), a, b)
                continue
            if rule.applies_to in ("group", "group_unowned"):
                count = parse_number(m.group("count")) if m.groupdict().get("count") else None
                tasks = _with_group_note(ctx, tasks, a, b, int(count) if count else None,
                                         unowned_only=rule.applies_to == "group_unowned")
                continue
            parse = parse_unit_list(ctx.doc.text[a:b], base=a, context=ctx.units)
            units = tuple(u.model_copy(update={"role": "unassigned"}) for u in parse.units)
            notes.append((m.start(), m.end(), rule.applies_to, units))
    if not notes:
        return tasks
    out = []
    for task in tasks:
        implied = [
            u for start, end, applies_to, units in notes
            if (task.span.start >= end if applies_to == "later"
                else task.span.end > start if applies_to == "here_and_later" else task.span.end <= start)
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


def _with_group_note(ctx: DocumentContext, tasks: list[Task], a: int, b: int,
                     count: int | None = None, unowned_only: bool = False) -> list[Task]:
    """以上工作由A统筹推进，B、C配合… closing a group's last item (``doc.text[a:b]`` from 由): every
    item of the group up to the note (the last ``count`` of them: 以上两项工作) gets its units with
    their roles, a lead as supporting where the item names a lead of its own; a unit the item named
    without a role takes the note's. ``unowned_only`` (此项工作由A牵头…): the items before the
    note's own that name units keep to them."""
    text = ctx.doc.text
    units = [u for s, e in find_statements(text[a:b])
             for u in parse_statement(text[a:b], s, e, base=a, context=ctx.units).units]
    due = measure_deadlines(ctx, text[a:b], a)  # …配合，2024年3月起组织实施: the group's time too
    part = part_holding(ctx, a)
    if part is None or not units:
        return tasks
    members = [t.task_id for t in tasks if part.span.start <= t.span.start < a
               and not (unowned_only and t.span.end <= a and (t.lead or t.supporting or t.unassigned_units))]
    charged = set(members[-count:] if count else members)
    out = []
    for task in tasks:
        if task.task_id not in charged:
            out.append(task)
            continue
        # a unit the item names with no role (B负责提供宣传资料) takes the role the note states
        stated = {u.canonical for u in units if u.role in ("lead", "supporting")}
        lead, supporting = list(task.lead), list(task.supporting)
        unassigned = [u for u in task.unassigned_units if u.canonical not in stated]
        named = {u.canonical for u in (*lead, *supporting, *unassigned)}
        for unit in units:
            if unit.canonical in named:
                continue
            if unit.role == "lead" and not task.lead:
                lead.append(unit)
            elif unit.role in ("lead", "supporting"):
                supporting.append(unit.model_copy(update={"role": "supporting"}))
            else:
                unassigned.append(unit)
        out.append(task.model_copy(update={"lead": tuple(lead), "supporting": tuple(supporting),
                                           "unassigned_units": tuple(unassigned),
                                           "deadlines": merged_deadlines(task.deadlines, due)}))
    return out


def _with_heading_lead(ctx: DocumentContext, tasks: list[Task], at: int, a: int, b: int) -> list[Task]:
    """一、县示范区管委会牵头工作（8项）: the unit the heading at ``at`` names (``doc.text[a:b]``) leads
    every item under it (or the heading's own measure, when it has no items) that names no lead of
    its own, and supports those that do."""
    heading = next((s for s in ctx.doc.sections if s.heading_span.start <= at < s.heading_span.end), None)
    if heading is None:
        return tasks
    leads = [u.model_copy(update={"role": "lead"})
             for u in parse_unit_list(ctx.doc.text[a:b], base=a, context=ctx.units).units]
    if not leads:
        return tasks
    out = []
    for task in tasks:
        if not heading.span.start <= task.span.start < heading.span.end:
            out.append(task)
            continue
        named = {u.canonical for u in (*task.lead, *task.supporting)}
        added = [u for u in leads if u.canonical not in named]
        rest = tuple(u for u in task.unassigned_units if u.canonical not in {x.canonical for x in added})
        if task.lead:
            supporting = tuple(u.model_copy(update={"role": "supporting"}) for u in added)
            out.append(task.model_copy(update={"supporting": task.supporting + supporting, "unassigned_units": rest}))
        else:
            out.append(task.model_copy(update={"lead": tuple(added), "unassigned_units": rest}))
    return out
