"""Responsibility statements → units with roles (牵头 lead / 配合 supporting / unassigned).

Formats read (cue words, labels and rule notes are data in ``lexicons/roles.yaml``):

- ``〔责任单位：A，B、C（逗号前为牵头单位，下同）〕`` – a rule note: leads before the first comma;
- ``〔责任单位：A、B；C、D，分号前为牵头单位,下同〕`` – leads before the first semicolon;
- ``（A，B、C。逗号前为牵头部门，下同）`` – no label; a bracket standing after a sentence at the
  end of its paragraph whose items all look like units;
- ``（A牵头，B、C配合）`` / ``（A、B牵头，C及各县区按职责分工负责）`` / ``（A负责）`` – cue words;
- ``牵头单位：A`` / ``配合单位：B`` / ``责任单位：…`` / ``完成时限：…`` – labelled lines;
- ``列第一位者为牵头单位`` – a note anywhere: the first unit leads.

Roles are never guessed: units of a statement with no label, 牵头 cue or rule get ``unassigned``,
even a single unit (（市科技局负责）, 〔责任单位：市财政局〕). 负责 alone states no role: it leads
only beside a 配合 / 参与 group (A、B负责，C配合) and supports beside a 牵头 group. Order of
evidence: label (read beside the statement's other labels: 牵头单位：A，责任单位：B → B supports)
> cue > the statement's own rule > the rule in force (passed in; see ``detect_role_rule``) >
unassigned.

All matching runs on a Simplified copy made character for character, so offsets are those of
the text as written; names keep their Traditional characters.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from extractors.roles.conventions import (
    CLOSERS,
    OPENERS,
    CueRole,
    LabelRole,
    RoleLexicon,
    RoleRule,
    RuleKind,
    bracket_depth,
    detect_role_rule,
    find_role_rules,
    label_beside,
    label_regex,
    label_role,
    role_lexicon,
    rule_in_force,
)
from extractors.units.context import UnitContext, qualify_unit
from extractors.units.names import canonical_unit, looks_like_unit, simplify
from pipeline.model import Role, Span, UnitMention

__all__ = [
    "ResponsibilityParse",
    "RoleLexicon",
    "RoleRule",
    "RuleKind",
    "UnitContext",
    "detect_role_rule",
    "find_role_rules",
    "find_statements",
    "parse_responsibilities",
    "parse_responsibility",
    "parse_statement",
    "parse_unit_list",
    "role_lexicon",
    "rule_in_force",
]

_COMMA, _SEMICOLON, _PERIOD = "comma", "semicolon", "period"
_SEPARATORS = {"，": _COMMA, ",": _COMMA, "；": _SEMICOLON, ";": _SEMICOLON, "。": _PERIOD}
_ITEM_SEPARATORS = "、"
_BLANK = " \t\r\n\f\u3000"
_PARAGRAPH_END_FILLER = " \t\u3000。；;.，,"
_SENTENCE_END = "。；;！!？?:：*"
_BRACKET_CHAR = re.compile("[" + re.escape(OPENERS + CLOSERS) + "]")
_OPENER_CHAR = re.compile("[" + re.escape(OPENERS) + "]")


class ResponsibilityParse(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    units: tuple[UnitMention, ...] = ()
    rule_applied: str | None = None  # label / cue / <rule core>; None: unassigned
    rule_stated: RoleRule | None = None
    span: Span | None = None

    def by_role(self, role: Role) -> tuple[UnitMention, ...]:
        return tuple(u for u in self.units if u.role == role)


# --------------------------------------------------------------------------------------------
# Finding statements


def _all_closers(s: str) -> dict[int, int]:
    """Opener offset → its closer's offset, for every balanced pair, in one stack pass (the closer at which
    the depth counted from the opener returns to zero; scanning from each opener instead made
    unbalanced text quadratic)."""
    stack: list[int] = []
    closers: dict[int, int] = {}
    for m in _BRACKET_CHAR.finditer(s):
        if m.group() in OPENERS:
            stack.append(m.start())
        elif stack:
            closers[stack.pop()] = m.start()
    return closers


def find_statements(text: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of the responsibility statements in ``text`` (brackets included)."""
    s = simplify(text)
    regions: list[tuple[int, int]] = []
    closers = _all_closers(s)
    i = 0
    while (opener := _OPENER_CHAR.search(s, i)) is not None:
        i = opener.start()
        j = closers.get(i)
        if j is not None and _is_statement_bracket(s, i, j):
            regions.append((i, j + 1))
            i = j + 1
            continue
        i += 1
    # Bracket regions are sorted and disjoint, and labels come in order, so "inside an earlier
    # region" is one bisect plus the furthest end of the label regions: no rescans of the text.
    starts = [a for a, _ in regions]
    label_end = -1
    depth_at = _DepthCounter(s)
    for m in label_regex().finditer(s):
        if label_role(m) == "stop" or _inside(regions, starts, m.start()) or m.start() < label_end:
            continue
        if depth_at(m.start()) > 0:
            continue
        end = _label_line_end(s, m.end())
        regions.append((m.start(), end))
        label_end = max(label_end, end)
    return _merge(regions)


def _inside(regions: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    k = bisect.bisect_right(starts, position) - 1
    return k >= 0 and position < regions[k][1]


class _DepthCounter:
    """``bracket_depth(s, p)`` for rising ``p``, counting each bracket of ``s`` once."""

    def __init__(self, s: str) -> None:
        self._s, self._pos, self._depth = s, 0, 0

    def __call__(self, position: int) -> int:
        if position < self._pos:
            self._pos, self._depth = 0, 0
        for m in _BRACKET_CHAR.finditer(self._s, self._pos, position):
            if m.group() in OPENERS:
                self._depth += 1
            elif self._depth:
                self._depth -= 1
        self._pos = max(self._pos, position)
        return self._depth


def _merge(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(regions):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _label_line_end(s: str, start: int) -> int:
    """End of a labelled list: the line's end or 。, extended over labelled lines that follow."""
    end = start
    while True:
        stop = len(s)
        for ch in "\n。":
            k = s.find(ch, end)
            if k != -1:
                stop = min(stop, k)
        nxt = stop + 1
        while nxt < len(s) and s[nxt] in _BLANK + "；;，,。":
            nxt += 1
        m = label_regex().match(s, nxt)
        if m is None:
            return stop + (1 if stop < len(s) and s[stop] == "。" else 0)
        end = m.end()


# An unlabelled bracket of units (（市发展改革委、市财政局）) names a few, at most a few dozen, units;
# a longer one is prose. Without this bound, text with stray brackets (a bracket opened in one
# paragraph and closed pages later, nested) had every bracket's whole content cut into would-be
# unit lists: quadratic, 7.7 s for 500,000 characters of it.
_MAX_UNIT_BRACKET = 800


def _is_statement_bracket(s: str, i: int, j: int) -> bool:
    content = s[i + 1 : j]
    m = label_regex().search(content)
    if m is not None and label_role(m) != "stop" and bracket_depth(content, m.start()) == 0:
        return True
    if j - i > _MAX_UNIT_BRACKET:
        return False
    window = _masked_window(s, i + 1, j)
    items = _items(window, 0, len(window))
    if not items or not all(looks_like_unit(it.name) for it in items):
        return False
    stated = any(it.cue is not None for it in items) or bool(find_role_rules(content))
    return stated or (_after_sentence(s, i) and _ends_paragraph(s, j + 1))


def _after_sentence(s: str, i: int) -> bool:
    k = i - 1
    while k >= 0 and s[k] in " \t\u3000":
        k -= 1
    return k < 0 or s[k] in _SENTENCE_END or s[k] in "\n\f"


def _ends_paragraph(s: str, k: int) -> bool:
    while k < len(s) and s[k] in _PARAGRAPH_END_FILLER:
        k += 1
    return k >= len(s) or s[k] in "\n\f\r"


# --------------------------------------------------------------------------------------------
# Items of a list


class _Item(NamedTuple):  # a working record inside one statement, made by the hundred
    start: int
    end: int
    name: str  # simplified, no whitespace
    group: int
    boundary: str | None  # separator that opened this item's group: comma / semicolon / period
    cue: CueRole | None = None


_EMPTY_BRACKETS = re.compile(r"[（(]\s*[）)]")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


@functools.lru_cache(maxsize=4)
def _empty_brackets_blanked(s: str) -> str:
    return _EMPTY_BRACKETS.sub(_blank, s)


def _mask_notes(s: str, a: int, b: int) -> str:
    """``s`` with rule notes inside [a, b) blanked (same length), and brackets left empty.

    Only [a, b) and the whitespace and brackets around it can change with the notes; the rest
    is the document with its empty brackets blanked, computed once per text. An empty bracket
    is an opener, spaces and a closer, so none spans a cut after a character that is neither
    space nor opener, or before one that is neither space nor closer.
    """
    lo = a
    while lo > 0 and (s[lo - 1].isspace() or s[lo - 1] in "（("):
        lo -= 1
    hi = b
    while hi < len(s) and (s[hi].isspace() or s[hi] in "）)"):
        hi += 1
    chars = list(s[lo:hi])
    for rule in find_role_rules(s[a:b], base=a - lo):
        assert rule.span is not None
        for k in range(rule.span.start, rule.span.end):
            chars[k] = " "
    middle = _EMPTY_BRACKETS.sub(_blank, "".join(chars))
    whole = _empty_brackets_blanked(s)
    return whole[:lo] + middle + whole[hi:]


def _masked_window(s: str, a: int, b: int) -> str:
    """``_mask_notes(s, a, b)[a:b]`` without copying all of ``s``.

    An empty-bracket match touching [a, b) starts at an opener followed only by whitespace up
    to ``a`` and ends at most one closer past the whitespace after ``b``; masking the slice
    that holds those neighbours gives the same characters inside [a, b).
    """
    lo = a
    while lo > 0 and s[lo - 1].isspace():
        lo -= 1
    lo = max(lo - 1, 0)
    hi = b
    while hi < len(s) and s[hi].isspace():
        hi += 1
    hi = min(hi + 1, len(s))
    return _mask_notes(s[lo:hi], a - lo, b - lo)[a - lo : b - lo]


def _items(m: str, a: int, b: int) -> list[_Item]:
    """Units listed in ``m[a:b]`` (``m`` = simplified text with notes masked)."""
    raw: list[tuple[int, int, int, str | None]] = []  # start, end, group, boundary
    group, boundary, depth, start = 0, None, 0, a
    joined = _joined_separators(m, a, b)
    for k in range(a, b):
        ch = m[k]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
        elif k in joined:
            continue
        elif depth == 0 and (ch in _SEPARATORS or ch in _ITEM_SEPARATORS):
            raw.append((start, k, group, boundary))
            start = k + 1
            if ch in _SEPARATORS:
                group, boundary = group + 1, _SEPARATORS[ch]
    raw.append((start, b, group, boundary))
    items: list[_Item] = []
    for x, y, g, bd in raw:
        items.extend(_clean_item(m, x, y, g, bd))
    return _spread_cues(items)


def _joined_separators(m: str, a: int, b: int) -> set[int]:
    """Offsets of the 、 inside one collective (各区、市政府): they separate no units."""
    if "、" not in m[a:b]:
        return set()
    return {
        k
        for hit in role_lexicon().rule("tier_series").regex.finditer(m, a, b)
        for k in range(hit.start(), hit.end())
        if m[k] == "、"
    }


def _clean_item(m: str, x: int, y: int, group: int, boundary: str | None) -> list[_Item]:
    lex = role_lexicon()
    x, y = _trim(m, x, y)
    cue: CueRole | None = None
    for rule in lex.cues:
        hit = rule.regex.search(m[x:y])
        if hit:
            cue, y = rule.role, x + hit.start()
            break
    x, y = _trim(m, x, y)
    pre = lex.rule("prefix_by").regex.match(m[x:y])
    if pre:
        x += pre.end()
    post = lex.rule("suffix_etc").regex.search(m[x:y])
    if post and post.start() > 0:
        y = x + post.start()
    x, y = _trim(m, x, y)
    if x >= y or lex.rule("not_unit_item").regex.search(re.sub(r"\s+", "", m[x:y])):
        return []
    return _split_joined(m, x, y, group, boundary, cue)


_BODY_START = re.compile(r"^[市区县省各]")


def _split_joined(
    m: str, x: int, y: int, group: int, boundary: str | None, cue: CueRole | None
) -> list[_Item]:
    """A及B / A和B / A会同B / A B → two units, only where both sides look like units."""
    for hit in role_lexicon().rule("joiner").regex.finditer(m, x, y):
        left, right = _trim(m, x, hit.start()), _trim(m, hit.end(), y)
        if (
            min(left[1] - left[0], right[1] - right[0]) < 3
        ):  # 各县（区）党委和政府: 政府 alone names no body
            continue
        if not all(looks_like_unit(m[p:q]) for p, q in (left, right)):
            continue
        if hit.group().isspace() and not (
            _BODY_START.match(m[right[0] : right[1]])
            or canonical_unit(m[right[0] : right[1]]).known
        ):
            continue  # a page break inside one name, not two names
        huitong = hit.group() == "会同"
        return [
            *_split_joined(m, *left, group, boundary, "lead" if huitong else cue),
            *_split_joined(m, *right, group, boundary, "supporting" if huitong else cue),
        ]
    name = re.sub(r"\s+", "", m[x:y])
    return [_Item(start=x, end=y, name=name, group=group, boundary=boundary, cue=cue)]


def _trim(m: str, x: int, y: int) -> tuple[int, int]:
    while x < y and m[x] in _BLANK + "、":
        x += 1
    while y > x and m[y - 1] in _BLANK + "、":
        y -= 1
    return x, y


def _spread_cues(items: list[_Item]) -> list[_Item]:
    """A cue at the end of a group (A、B牵头) speaks for the uncued units before it."""
    out: list[_Item] = []
    for idx, it in enumerate(items):
        if it.cue is None:
            later = next((nx for nx in items[idx + 1 :] if nx.group == it.group and nx.cue), None)
            if later is not None:
                it = it._replace(cue=later.cue)
        out.append(it)
    return out


# --------------------------------------------------------------------------------------------
# Roles


def _assign(
    items: list[_Item], label: LabelRole, rule: RoleRule | None
) -> tuple[list[Role], str | None]:
    if label in ("lead", "supporting"):
        return [label] * len(items), "label"
    cued = {it.cue for it in items if it.cue}
    if cued:
        roles = [_cued_role(it.cue, cued, any(x.cue is None for x in items)) for it in items]
        if rule is None or any(r != "unassigned" for r in roles):
            return roles, "cue"
        # （A、B负责） under a stated convention: 负责 names the units, the convention their roles
    if rule is not None:
        return _apply_rule(items, rule.kind), rule.core
    return ["unassigned"] * len(items), None


def _cued_role(cue: CueRole | None, cued: set[CueRole], uncued: bool) -> Role:
    """The role of one group given every cue of its statement (see the cue kinds in roles.yaml).

    牵头 leads; 负责 (charge) leads only beside a 配合 / 参与 group and supports beside a 牵头
    group; 配合 and 按职责分工负责 (duty) support where something leads; an uncued group is the
    complement of 配合 / duty groups (（A，B配合）: A leads) and of 牵头 (（A牵头，B）: B supports).
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
        return "lead" if contrast_only else "unassigned"
    leads = "lead" in cued or (cue == "supporting" and "charge" in cued) or (uncued and contrast_only)
    return "supporting" if leads else "unassigned"


def _apply_rule(items: list[_Item], kind: RuleKind) -> list[Role]:
    if kind == "first_listed":
        return ["lead" if k == 0 else "supporting" for k in range(len(items))]
    stops = {_COMMA, _SEMICOLON, _PERIOD} if kind == "before_first_comma" else {_SEMICOLON}
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


def parse_statement(
    text: str,
    start: int,
    end: int,
    base: int = 0,
    rule: RoleRule | None = None,
    context: UnitContext | None = None,
) -> ResponsibilityParse:
    """Parse the statement ``text[start:end]`` (a bracket or labelled lines). ``context``: the
    document's places, which bare names (区财政局) take; None reads each name alone."""
    s = simplify(text)
    a, b = start, end
    if s[a] in OPENERS and s[b - 1] in CLOSERS:
        a, b = a + 1, b - 1
    stated = next(iter(find_role_rules(text[a:b], base=base + a)), None)
    active = stated or rule
    m = _mask_notes(s, a, b)
    units: list[UnitMention] = []
    applied: list[str] = []
    segments = _segments(m, a, b)
    labels = {label for label, _, _ in segments}
    for label, x, y in segments:
        if label == "stop":
            continue
        items = _items(m, x, y)
        roles, how = _assign(items, label_beside(label, labels), active)
        if how:
            applied.append(how)
        for it, role in zip(items, roles):
            units.append(_mention(text, it, role, base, context))
    return ResponsibilityParse(
        units=tuple(units),
        rule_applied=applied[0] if applied else None,
        rule_stated=stated,
        span=Span(start=base + start, end=base + end),
    )


def _mention(
    text: str, it: _Item, role: Role, base: int, context: UnitContext | None
) -> UnitMention:
    written = re.sub(r"\s+", "", text[it.start : it.end])
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


def parse_responsibilities(
    text: str, base: int = 0, rule: RoleRule | None = None, context: UnitContext | None = None
) -> list[ResponsibilityParse]:
    """One parse per statement found in ``text``. ``rule``: the rule in force (from earlier)."""
    return [parse_statement(text, a, b, base, rule, context) for a, b in find_statements(text)]


def parse_responsibility(
    text: str, base: int = 0, rule: RoleRule | None = None, context: UnitContext | None = None
) -> ResponsibilityParse:
    """Units and roles of the responsibility statement(s) in ``text``.

    ``text`` may be the statement itself (``〔责任单位：…〕``) or a whole measure holding it.
    Several statements are merged (units in order; span from the first to the last).
    ``base``: offset of ``text`` in the document; ``rule``: the rule in force (a ``下同`` note
    stated earlier); ``context``: the document's places (see ``unit_context``). Returns an empty
    parse when ``text`` holds no statement.
    """
    parses = parse_responsibilities(text, base, rule, context)
    if not parses:
        return ResponsibilityParse()
    if len(parses) == 1:
        return parses[0]
    first, last = parses[0], parses[-1]
    assert first.span is not None and last.span is not None
    return ResponsibilityParse(
        units=tuple(u for p in parses for u in p.units),
        rule_applied=next((p.rule_applied for p in parses if p.rule_applied), None),
        rule_stated=next((p.rule_stated for p in parses if p.rule_stated), None),
        span=Span(start=first.span.start, end=last.span.end),
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
    m = _mask_notes(s, 0, len(s))
    items = _items(m, 0, len(s))
    roles, how = _assign(items, label_beside(role, header), rule)
    units = [_mention(text, it, r, base, context) for it, r in zip(items, roles)]
    return ResponsibilityParse(
        units=tuple(units),
        rule_applied=how,
        span=Span(start=base, end=base + len(text)) if text else None,
    )
