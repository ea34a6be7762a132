"""A bracket or labelled statement (or a table cell) read into units with roles.

Order of evidence: label (read beside the statement's other labels: 牵头单位：A，责任单位：B → B
supports) > cue > the statement's own rule note > the rule in force (passed in) > unassigned.
Roles are never guessed: a statement with no label, 牵头 cue or rule leaves its units
``unassigned``, even a single unit.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractors.roles.conventions import (
    CLOSERS,
    OPENERS,
    CueRole,
    LabelRole,
    RoleRule,
    RuleKind,
    bracket_depth,
    find_role_rules,
    label_beside,
    label_regex,
    label_role,
)
from extractors.roles.items import COMMA, PERIOD, SEMICOLON, Item, list_items, mask_notes
from extractors.roles.text import TextView
from extractors.units.context import UnitContext, qualify_unit
from extractors.units.names import canonical_unit, simplify
from pipeline.model import Role, Span, UnitMention


class ResponsibilityParse(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    units: tuple[UnitMention, ...] = ()
    rule_applied: str | None = None  # label / cue / <rule core>; None: unassigned
    rule_stated: RoleRule | None = None
    span: Span | None = None

    def by_role(self, role: Role) -> tuple[UnitMention, ...]:
        return tuple(u for u in self.units if u.role == role)


def _assign(
    items: list[Item], label: LabelRole, rule: RoleRule | None
) -> tuple[list[Role], str | None]:
    if label in ("lead", "supporting"):
        return [label] * len(items), "label"
    cued = {it.cue for it in items if it.cue}
    if cued:
        roles = [
            _cued_role(it.cue, cued, any(x.cue is None for x in items[:k]), _cues_after(items, k))
            for k, it in enumerate(items)
        ]
        if rule is None or any(r != "unassigned" for r in roles):
            return roles, "cue"
        # （A、B负责） under a stated convention: 负责 names the units, the convention their roles
    if rule is not None:
        return _apply_rule(items, rule.kind), rule.core
    return ["unassigned"] * len(items), None


def _cues_after(items: list[Item], k: int) -> set[CueRole]:
    return {it.cue for it in items[k + 1 :] if it.cue}


def _cued_role(
    cue: CueRole | None, cued: set[CueRole], uncued_before: bool, after: set[CueRole]
) -> Role:
    """The role of one group given every cue of its statement (see the cue kinds in roles.yaml),
    whether an uncued group stands before it and the cues of the groups after it.

    牵头 leads; 负责 (charge) leads only beside a 配合 / 参与 group and supports beside a 牵头
    group; 配合 and 按职责分工负责 (duty) support where something leads; an uncued group is the
    complement of the 配合 / duty groups that follow it (（A，B配合）: A leads; but in （A、B按职责
    分工负责，C） C is one more unit named, not a lead) and of 牵头 (（A牵头，B）: B supports).
    With nothing to contrast with, no role is stated: unassigned."""
    if cue == "lead":
        return "lead"
    if cue == "charge":
        if "lead" in cued:
            return "supporting"
        return "lead" if "supporting" in cued else "unassigned"
    contrast_only = cued <= {"supporting", "duty"}
    if cue is None:
        if "lead" in cued:
            return "supporting"
        return "lead" if contrast_only and "supporting" in after else "unassigned"
    leads = "lead" in cued or (cue == "supporting" and "charge" in cued) or (
        uncued_before and contrast_only and "supporting" in cued
    )
    return "supporting" if leads else "unassigned"


def _apply_rule(items: list[Item], kind: RuleKind) -> list[Role]:
    if kind == "first_listed":
        return ["lead" if k == 0 else "supporting" for k in range(len(items))]
    if kind == "marked_lead":
        if not any(it.marked for it in items):
            return ["unassigned"] * len(items)
        return ["lead" if it.marked else "supporting" for it in items]
    stops = {COMMA, SEMICOLON, PERIOD} if kind == "before_first_comma" else {SEMICOLON}
    roles: list[Role] = []
    passed = False
    for it in items:
        passed = passed or (it.boundary in stops)
        roles.append("supporting" if passed else "lead")
    return roles


def _segments(m: str, a: int, b: int) -> list[tuple[LabelRole, int, int]]:
    """[a, b) cut at labels. Text before the first label is dropped when a label exists."""
    hits = [
        h
        for h in label_regex().finditer(m, a, b)
        if bracket_depth(m[a : h.start()], h.start() - a) == 0
    ]
    if not hits:
        return [("neutral", a, b)]
    out: list[tuple[LabelRole, int, int]] = []
    for k, h in enumerate(hits):
        end = hits[k + 1].start() if k + 1 < len(hits) else b
        out.append((label_role(h), h.end(), end))
    return out


def parse_marked(
    view: TextView,
    start: int,
    end: int,
    base: int = 0,
    rule: RoleRule | None = None,
    context: UnitContext | None = None,
) -> ResponsibilityParse | None:
    """Parse ``view.text[start:end]`` when it is a bracket or starts with a label; None
    otherwise (a sentence statement). ``rule``: the rule in force; ``context``: the document's
    places, which bare names (区财政局) take (None reads each name alone)."""
    text, s = view.text, view.simplified
    a, b = start, end
    if s[a] in OPENERS and s[b - 1] in CLOSERS:
        a, b = a + 1, b - 1
    elif label_regex().match(s, a) is None:
        return None
    stated = next(iter(find_role_rules(text[a:b], base=base + a)), None)
    active = stated or rule
    m = mask_notes(s, a, b, view.blanked)
    units: list[UnitMention] = []
    applied: list[str] = []
    segments = _segments(m, a, b)
    labels = {label for label, _, _ in segments}
    for label, x, y in segments:
        if label == "stop":
            continue
        items = list_items(m, x, y)
        roles, how = _assign(items, label_beside(label, labels), active)
        if how:
            applied.append(how)
        for it, role in zip(items, roles):
            units.append(unit_mention(text, it, role, base, context))
    return ResponsibilityParse(
        units=tuple(units),
        rule_applied=applied[0] if applied else None,
        rule_stated=stated,
        span=Span(start=base + start, end=base + end),
    )


def unit_mention(
    text: str, it: Item, role: Role, base: int, context: UnitContext | None
) -> UnitMention:
    """The UnitMention of item ``it`` of ``text`` (offset by ``base``): its name as written,
    without whitespace, its canonical name (qualified by ``context`` when given) and ``role``."""
    written = re.sub(r"\s+", "", text[it.start : it.end])
    if it.shared is not None:  # 州 of 州、县（市）人民政府 is 州人民政府
        written += re.sub(r"\s+", "", text[it.shared[0] : it.shared[1]])
    match = canonical_unit(written)
    if context is not None:
        match = qualify_unit(match, context)
    return UnitMention(
        name=written,
        canonical=match.canonical,
        role=role,
        span=Span(start=base + it.start, end=base + it.end),
        known=match.known,
        flags=match.flags,
    )


def parse_unit_list(
    text: str,
    base: int = 0,
    role: LabelRole = "neutral",
    rule: RoleRule | None = None,
    context: UnitContext | None = None,
    header: frozenset[LabelRole] = frozenset(),
) -> ResponsibilityParse:
    """A bare list of units (a table cell under 牵头单位 / 配合单位 / 责任单位).

    ``role``: what the cell's column header says; ``header``: the roles of every unit column
    of the table, so a row's roles come from the header, never from the cell alone: a 责任单位
    column beside a 牵头单位 column supports (see ``label_beside``), and a single unit in a
    责任单位 column with no 牵头 column is not a guessed lead."""
    s = simplify(text)
    m = mask_notes(s, 0, len(s))
    items = list_items(m, 0, len(s))
    roles, how = _assign(items, label_beside(role, header), rule)
    units = [unit_mention(text, it, r, base, context) for it, r in zip(items, roles)]
    return ResponsibilityParse(
        units=tuple(units),
        rule_applied=how,
        span=Span(start=base, end=base + len(text)) if text else None,
    )
