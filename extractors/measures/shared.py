"""What measures read from prose and measures read from a 分工 table share: one role per unit,
the measure's deadlines, its title from its first sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractors.context import DocumentContext
from extractors.deadlines import extract_deadlines
from pipeline.model import Deadline, Section, Span, UnitMention

_ROLE_STRENGTH = {"lead": 0, "supporting": 1, "unassigned": 2}


def split_roles(units: Sequence[UnitMention]) -> tuple[tuple[UnitMention, ...], ...]:
    """(lead, supporting, unassigned), each unit once: a unit a measure names in two statements
    keeps the strongest role stated for it (（A、B按职责分工负责）…（A牵头）: A leads)."""
    best: dict[str, UnitMention] = {}
    for unit in units:
        kept = best.get(unit.canonical)
        if kept is None or _ROLE_STRENGTH[unit.role] < _ROLE_STRENGTH[kept.role]:
            best[unit.canonical] = unit
    chosen = {id(u) for u in best.values()}
    groups: dict[str, list[UnitMention]] = {"lead": [], "supporting": [], "unassigned": []}
    for unit in units:  # document order
        if id(unit) in chosen:
            groups[unit.role].append(unit)
    return tuple(groups["lead"]), tuple(groups["supporting"]), tuple(groups["unassigned"])


def measure_deadlines(ctx: DocumentContext, text: str, base: int) -> list[Deadline]:
    """The measure's deadlines, each phrase once (每年 said of two duties is one 时限)."""
    found = extract_deadlines(
        text,
        ctx.doc.meta.date,
        base=base,
        reference_year=ctx.reference_year,
        first_due_year=ctx.first_due_year,
        current_year=ctx.current_year,  # 年底前, 6月底前
    )
    seen: set[str] = set()
    return [d for d in found if not (d.text in seen or seen.add(d.text))]


# a clause of a 完成时限 cell opening with its month ("2021年2月公布预算信息，8月公布决算")
_SLOT_CLAUSE_DATE = re.compile(r"(?:^|(?<=[，,；;。]))\s*((?:(?:19|20)[0-9]{2}年)?[0-9]{1,2}月(?:份|底|末)?)")


def time_slot_deadlines(ctx: DocumentContext, text: str, base: int) -> list[Deadline]:
    """The deadlines of a 完成时限 cell: every time it states is due, so a clause that opens with its
    month is one even when the month is not followed by 前 (6月: this year's June) or stands before
    the issue date (a 台账 published after its first step was due); a cell no rule reads (按国家部署
    推进) is kept as written, unresolved, as a 完成时限 label's value is."""
    found = measure_deadlines(ctx, text, base)
    taken = [(d.span.start - base, d.span.end - base) for d in found if d.span is not None]
    for m in _SLOT_CLAUSE_DATE.finditer(text):
        if any(a < m.end(1) and m.start(1) < b for a, b in taken):
            continue
        phrase, at = m.group(1), base + m.start(1)
        read = extract_deadlines(phrase, None, at, current_year=ctx.current_year)
        if not read and "年" not in phrase and ctx.current_year:  # the month of the document's year
            dated = extract_deadlines(f"{ctx.current_year}年{phrase}", None)
            span = Span(start=at, end=at + len(phrase))
            read = [d.model_copy(update={"text": phrase, "span": span}) for d in dated]
        found.extend(read)
    if not found and re.search(r"[\u4e00-\u9fff0-9０-９]", text):  # not a dash or a slash
        stripped = text.strip()
        at = base + text.find(stripped)
        found = [Deadline(text=stripped, kind="unspecified", span=Span(start=at, end=at + len(stripped)))]
    seen: set[str] = set()
    return sorted((d for d in found if not (d.text in seen or seen.add(d.text))),
                  key=lambda d: d.span.start if d.span else 0)


def first_sentence(text: str) -> str:
    head = re.split(r"[。；\n]", text.strip(), maxsplit=1)[0]
    return head[:40]


def merged_deadlines(have: Sequence[Deadline], more: Sequence[Deadline]) -> tuple[Deadline, ...]:
    """``have`` and then the deadlines of ``more`` whose phrase it does not hold already (a time a
    note or a table column states again is one 时限)."""
    known = {d.text for d in have}
    return (*have, *(d for d in more if d.text not in known))


def part_holding(ctx: DocumentContext, position: int) -> Section | None:
    """The part a note at ``position`` speaks for (本部分任务均于…完成, 以上工作由A牵头…): the
    deepest item holding it when that item has items of its own (the note at the part's head or
    after its last item's paragraph), else that item's parent (the note inside its last item)."""
    holding = [s for s in ctx.content_sections if s.span.start <= position < s.span.end]
    if not holding:
        return None
    deepest = max(holding, key=lambda s: s.level)
    if ctx.children(deepest):
        return deepest
    return ctx.by_id.get(deepest.parent_id) if deepest.parent_id else None
