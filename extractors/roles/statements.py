"""Responsibility statements → units with roles (牵头 lead / 配合 supporting / unassigned).

Formats read (cue words, labels and rule notes are data in ``lexicons/roles.yaml``):

- ``〔责任单位：A，B、C（逗号前为牵头单位，下同）〕`` – a rule note: leads before the first comma;
- ``〔责任单位：A、B；C、D，分号前为牵头单位,下同〕`` – leads before the first semicolon;
- ``（A，B、C。逗号前为牵头部门，下同）`` – no label; a bracket standing after a sentence at the
  end of its paragraph whose items all look like units;
- ``（A牵头，B、C配合）`` / ``（A、B牵头，C及各县区按职责分工负责）`` / ``（A负责）`` – cue words;
- ``牵头单位：A`` / ``配合单位：B`` / ``责任单位：…`` / ``完成时限：…`` – labelled lines;
- ``列第一位者为牵头单位`` – a note anywhere: the first unit leads;
- sentences whose subject is a named body followed by a duty word (``国家卫生健康委要会同相关部门…``,
  ``2019年6月底前，各省份建立…``, ``由A负责…``, ``请A、B在…前完成``): 牵头 / 会同 make the subject
  lead and the 会同 partners support, any other duty states no role (see ``_sentence_statements``).

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
from extractors.units.names import (
    canonical_unit,
    looks_like_unit,
    name_endings,
    simplify,
    suffix_endings,
)
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
    """Spans ``[start, end)`` of the responsibility statements in ``text``: brackets (included),
    labelled lines and sentences that charge a body (see ``_sentence_statements``)."""
    s = simplify(text)
    marked = _marked_statements(s)
    return _merge(marked + _sentence_statements(s, marked))


def _marked_statements(s: str) -> list[tuple[int, int]]:
    """Spans of the bracket and label statements of ``s`` (simplified), sorted and disjoint."""
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
    elif label_regex().match(s, a) is None:
        return _parse_sentence(text, s, start, end, base, context)
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
    spans = [p.span for p in parses if p.span is not None]  # sentence statements have none
    return ResponsibilityParse(
        units=tuple(u for p in parses for u in p.units),
        rule_applied=next((p.rule_applied for p in parses if p.rule_applied), None),
        rule_stated=next((p.rule_stated for p in parses if p.rule_stated), None),
        span=Span(start=spans[0].start, end=spans[-1].end) if spans else None,
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


# --------------------------------------------------------------------------------------------
# Responsibility stated in sentences (A要会同B… / 由A负责… / 请A、B在…前完成)
#
# 国务院 and 部委 documents, 办法 and notices often name no unit in brackets: the clause itself
# charges a body (2019年3月底前，国家卫生健康委推行…; 国家卫生健康委要会同相关部门…). Such a
# clause is a statement when its grammatical subject (at a clause start, after a time or a
# connective, or after 由 / 请) is a list of named bodies followed by a duty predicate; the words
# are data (``sentences`` in lexicons/roles.yaml). A sentence statement has no span of its own
# (``ResponsibilityParse.span`` is None): it is part of its measure's prose, never a bound of it.

_CLAUSE_END_CHAR = re.compile("[。；;！!？?]")
_MAX_SUBJECT = 60  # characters from a clause start to its predicate
_HEADING_RANKS = (("部分", 0), ("篇", 0), ("章", 1), ("节", 2), ("条", 3))


class _Sentence(NamedTuple):
    start: int  # where the subject (or 由 / 请) starts
    end: int  # end of the predicate's head (and of the 会同 partners)
    subject: tuple[int, int]
    partners: tuple[int, int] | None
    lead: bool  # 牵头 / 会同: the subject leads


@functools.cache
def _sentence_rules() -> dict[str, re.Pattern[str]]:
    lex = role_lexicon()
    return {r.id.removeprefix("sentence_"): r.regex for r in lex.sentences}


@functools.cache
def _subject_endings() -> frozenset[str]:
    """Last characters a subject can have: a known name's or a body suffix's."""
    return name_endings() | suffix_endings(role_lexicon().rule("sentence_subject_shape").pattern)


def _sentence_statements(s: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the sentence statements of ``s`` outside the bracket and label statements
    ``taken`` (sorted, disjoint), in the measures a heading ladder allows (see ``_zones``)."""
    rules = _sentence_rules()
    if not rules["predicate"].search(s):
        return []
    starts = [a for a, _ in taken]
    zones = _Zones(s)
    depth_at = _DepthCounter(s)
    bracketed = len(taken) >= 2
    out: list[tuple[int, int]] = []
    ends = _subject_endings()
    # where a subject can end: a predicate after a character a name ends with (one pass)
    reach = [m.start() for m in rules["predicate"].finditer(s, 1) if s[m.start() - 1] in ends]
    strong = set(_clause_starts(s))
    for p in sorted(strong.union(_comma_clause_starts(s))):
        k = bisect.bisect_right(reach, p)
        if k == len(reach) or reach[k] > p + _MAX_SUBJECT + 60:
            continue  # no subject can end within reach of this clause start
        if _inside(taken, starts, p) or depth_at(p) > 0:
            continue
        hit = _sentence_at(s, p)
        if hit is None or (out and hit.start < out[-1][1]) or not zones.allows(hit.start):
            continue
        if p not in strong and not (
            hit.start == p and rules["comma_predicate"].match(s[hit.subject[1] : hit.subject[1] + 8])
        ):
            continue
        k = bisect.bisect_left(starts, hit.start)
        if k < len(starts) and starts[k] < hit.end:
            continue
        a, b = _Zones.measure_bounds(s, hit.start)
        if _after_closed_statement(s, taken[bisect.bisect_left(starts, a) : k], hit.start):
            continue
        if bracketed and zones.in_guarantees(hit.start) and not _inside_any(starts, a, b):
            # a document that names its units in brackets: a 保障措施 item without one of its
            # own is a general requirement (各县（区）政府要…), not a measure of its own
            continue
        if _sentence_units(s, hit):
            out.append((hit.start, hit.end))
    return out


_COMMA_CHAR = re.compile("[，,]\\s*")


_DUTY_WORD = re.compile("负责|牵头|会同")


def _comma_clause_starts(s: str) -> list[int]:
    """Clause starts after a comma (…实行就医地管理，就医地经办机构负责审核…): a subject there
    counts only before an explicit duty word (``sentence_comma_predicate``), so only commas
    with such a word within a subject's reach are tried."""
    duties = [m.start() for m in _DUTY_WORD.finditer(s)]
    out: list[int] = []
    for m in _COMMA_CHAR.finditer(s):
        k = bisect.bisect_right(duties, m.end())
        if k < len(duties) and duties[k] <= m.end() + _MAX_SUBJECT:
            out.append(m.end())
    return out


def _inside_any(starts: list[int], a: int, b: int) -> bool:
    """Whether a statement of ``starts`` (sorted) starts in [a, b)."""
    k = bisect.bisect_left(starts, a)
    return k < len(starts) and starts[k] < b


def _after_closed_statement(s: str, marked: list[tuple[int, int]], position: int) -> bool:
    """Whether a bracket or label statement of the same item closed a paragraph before
    ``position``: the text after it is the document's own closing (各有关部门要…; 国务院办公厅将
    会同有关方面…), not the measure's (tasks end a measure at its statement the same way)."""
    return any(e <= position and "\n" in s[e:position] for _, e in marked)


_CLAUSE_START = re.compile(r"[。；;！!？?]|[，,](?=\s*[由请])")
_LINE_BEFORE_CLAUSE = "。；;！!？?：:"
_RUN_IN_END = re.compile("[。；;]")


def _clause_starts(s: str) -> list[int]:
    """Where a clause can begin: the text's start, after 。；！？, after a heading's number,
    after a comma before 由 / 请 (…，请财政部落实…), and at a line start when the line before
    ended a sentence, was blank or was a heading (a line of a PDF wrapped inside a sentence,
    …支持⏎市科技局建设…, starts no clause)."""
    heading = _sentence_rules()["heading"]
    out = [m.end() for m in _CLAUSE_START.finditer(s)]
    previous_heading = False
    for m in re.finditer(r"(?:^|\n)", s):
        p = m.end()
        h = heading.match(s[p : p + 16])
        if h is not None:
            out.append(p + h.end())
        else:
            j = p - 2
            while j >= 0 and s[j] in " \t\u3000\r":
                j -= 1
            if p == 0 or j < 0 or s[j] in _LINE_BEFORE_CLAUSE or s[j] == "\n" or previous_heading:
                out.append(p)
        line_end = s.find("\n", p)
        line = s[p : len(s) if line_end == -1 else line_end]
        previous_heading = h is not None and not _RUN_IN_END.search(line)  # a title on its own line
    for p in list(out):
        h = heading.match(s[p : p + 16])
        if h is not None:
            out.append(p + h.end())
    return sorted(set(out))


def _sentence_at(s: str, p: int) -> _Sentence | None:
    """The sentence statement whose clause starts at ``p``, if its subject names bodies."""
    rules = _sentence_rules()
    end_mark = _CLAUSE_END_CHAR.search(s, p, p + 400)
    stop = end_mark.start() if end_mark is not None else min(len(s), p + 400)
    lead_in = rules["lead_in"].match(s[p : min(stop, p + 48)])
    x = p + lead_in.end() if lead_in else p
    while x < stop and s[x] in _BLANK:
        x += 1
    numbered = rules["heading"].match(s[x : x + 16])
    if numbered is not None:  # 。⏎第八条　省人民政府…: the number is no part of the subject
        x += numbered.end()
        while x < stop and s[x] in _BLANK:
            x += 1
    start = x
    by = rules["by"].match(s, x, stop)
    if by is None and lead_in is None:
        # 由 / 请 a few characters into its clause (事后监管由医保行政部门…负责)
        k = s.find("由", x, min(stop, x + 8))
        by = rules["by"].match(s, k, stop) if k != -1 and "，" not in s[x:k] else None
        if by is not None:
            start = k
    if by is not None:
        x = by.end()
    pred = rules["predicate"].search(s, x, min(stop, x + _MAX_SUBJECT))
    if pred is None or pred.start() == x or s[pred.start() - 1] not in _subject_endings():
        return None  # the subject does not end like the name of a body
    if rules["not_predicate"].match(s[pred.end() : pred.end() + 4]):
        return None
    subject = (x, pred.start())
    if rules["not_subject"].match(s[x : x + 6]) or rules["not_name"].search(s[x : pred.start()]):
        return None
    if not _subject_shape_ok(s, *subject):
        return None
    head = s[pred.start() : min(stop, pred.start() + 12)]
    lead = rules["lead"].match(head) is not None
    partners = None
    end = pred.end()
    m = rules["partners"].match(head)
    if m is not None:
        a = pred.start() + m.end()
        nxt = rules["predicate"].search(s, a, min(stop, a + _MAX_SUBJECT))
        b = nxt.start() if nxt is not None else a
        comma = s.find("，", a, b)
        b = comma if comma != -1 else b
        if b > a:
            partners = (a, b)
            end = b
    return _Sentence(start=start, end=end, subject=subject, partners=partners, lead=lead)


def _subject_shape_ok(s: str, a: int, b: int) -> bool:
    """A subject is a list of names: no comma, balanced brackets, nothing clause-like."""
    text = s[a:b]
    if any(ch in text for ch in "，,：:“”\"《》") or not text.strip():
        return False
    depth = 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth -= 1
            if depth < 0:
                return False  # 各省 区、市）: a bracket lost in conversion, the names are garbled
    return depth == 0


def _sentence_items(s: str, a: int, b: int, strict: bool = True) -> list[_Item] | None:
    """Bodies named in ``s[a:b]`` (a subject or a 会同 partner list), vague collectives and
    supported actors left out. ``strict`` (a subject): None when an item names no body, as the
    clause then has another subject; otherwise (partners) such an item is left out."""
    lex = role_lexicon()
    rules = _sentence_rules()
    if lex.rule("not_unit_item").regex.search(re.sub(r"\s+", "", s[a:b])):
        return None
    items = _items(_empty_brackets_blanked(s), a, b)
    out: list[_Item] = []
    for it in items:
        if it.cue is not None:
            return None
        if rules["vague"].search(it.name):
            continue
        known = canonical_unit(it.name).known
        if not known and rules["not_actor"].search(it.name):
            continue
        if known or (looks_like_unit(it.name) and rules["subject_shape"].search(it.name)):
            out.append(it)
        elif strict:
            return None
    return out if items else None


def _sentence_units(s: str, hit: _Sentence) -> list[tuple[_Item, Role]]:
    """(item, role) for each body the sentence names: the subject leads when it 牵头 / 会同, and
    its 会同 partners support; otherwise no role is stated."""
    subject = _sentence_items(s, *hit.subject)
    if not subject:
        return []
    out: list[tuple[_Item, Role]] = [(it, "lead" if hit.lead else "unassigned") for it in subject]
    if hit.lead and hit.partners is not None:
        partners = _sentence_items(s, *hit.partners, strict=False) or []
        out.extend((it, "supporting") for it in partners)
    return out


def _parse_sentence(
    text: str, s: str, start: int, end: int, base: int, context: UnitContext | None
) -> ResponsibilityParse:
    hit = _sentence_at(s, _clause_start_before(s, start))
    if hit is None or hit.start != start:
        return ResponsibilityParse()
    a, b = _Zones.measure_bounds(s, hit.start)
    marked = [(a + x, a + y) for x, y in _marked_statements(s[a:b])]
    named = _named_bodies(text, marked)
    found = [(it, role) for it, role in _sentence_units(s, hit) if not _same_body(it.name, named)]
    if found and not hit.lead and _paragraph_has_lead(s, hit, marked):
        # a paragraph that names its lead in one sentence gives the others their shares:
        # 行政监管部门要牵头抓总…。信息化建设部门要做好…。经办机构要用好…
        found = [(it, "supporting") for it, _ in found]
    units = [_mention(text, it, role, base, context) for it, role in found]
    return ResponsibilityParse(units=tuple(units), rule_applied="cue" if hit.lead else None)


def _named_bodies(text: str, marked: list[tuple[int, int]]) -> set[str]:
    """Canonical names of the units the bracket and label statements ``marked`` name."""
    return {u.canonical for a, b in marked for u in parse_statement(text, a, b).units}


def _same_body(name: str, named: set[str]) -> bool:
    """Whether a brackets' unit of the measure is the body ``name`` stands for: the brackets
    already give it its role (各市 beside 各市人民政府: a place stands for its government)."""
    canonical = canonical_unit(name).canonical
    return canonical in named or any(
        n.startswith(canonical) and n[len(canonical) :] in ("人民政府", "政府") for n in named
    )


def _clause_start_before(s: str, position: int) -> int:
    """The clause start whose sentence statement starts at ``position``."""
    floor = max(0, position - 80)
    best = floor
    window = s[floor : position + 1]
    for p in _clause_starts(window) + [m.end() for m in _COMMA_CHAR.finditer(window)]:
        if best < floor + p <= position:
            best = floor + p
    return best


def _paragraph_has_lead(s: str, hit: _Sentence, marked: list[tuple[int, int]]) -> bool:
    """Whether another sentence of the paragraph of ``hit`` makes a body lead."""
    a = s.rfind("\n", 0, hit.start) + 1
    b = s.find("\n", hit.start)
    b = len(s) if b == -1 else b
    for p in _clause_starts(s[a:b]):
        other = _sentence_at(s, a + p)
        if (
            other is not None
            and other.lead
            and other.start != hit.start
            and not _after_closed_statement(s, marked, other.start)
            and _sentence_items(s, *other.subject)
        ):
            return True
    return False


class _Zones:
    """Which parts of a text may hold sentence statements, from its numbered lines: not the
    sections a heading of ``section_non_task`` opens (发展现状, 总体要求, 发展目标, 附则 …; the
    first heading from the top of the ladder whose title speaks decides, as for measures), and
    not the introduction of a heading whose items follow (四、考核程序 + its opening paragraph
    + （一）…（三）): that text belongs to no single measure. It also tells the items under a
    保障措施 / 组织实施 heading (``section_guarantee``)."""

    def __init__(self, s: str) -> None:
        self._s = s
        self._lines = _heading_lines(s)
        self._starts = [h[0] for h in self._lines]
        self._verdicts: list[bool] = []
        self._guarantee: list[bool] = []
        stack: list[tuple[int, str | None]] = []
        for k, (_pos, rank, kind) in enumerate(self._lines):
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, kind))
            verdict = next((v for _, v in stack if v is not None), None)
            deeper_next = k + 1 < len(self._lines) and self._lines[k + 1][1] > rank
            self._verdicts.append(verdict != "non_task" and not deeper_next)
            self._guarantee.append(any(v == "guarantee" for _, v in stack))

    def allows(self, position: int) -> bool:
        k = bisect.bisect_right(self._starts, position) - 1
        return k < 0 or self._verdicts[k]

    def in_guarantees(self, position: int) -> bool:
        k = bisect.bisect_right(self._starts, position) - 1
        return k >= 0 and self._guarantee[k]

    @staticmethod
    def measure_bounds(s: str, position: int) -> tuple[int, int]:
        """[start, end) of the numbered item around ``position`` (at most a few thousand
        characters either way)."""
        heading = _sentence_rules()["heading"]
        a = s.rfind("\n", 0, position) + 1
        floor = max(0, position - 4000)
        while a > floor and not heading.match(s[a : a + 16]):
            a = s.rfind("\n", 0, a - 1) + 1
        b = s.find("\n", position)
        ceiling = min(len(s), position + 4000)
        while b != -1 and b < ceiling and not heading.match(s[b + 1 : b + 17]):
            b = s.find("\n", b + 1)
        return max(a, floor), (ceiling if b == -1 or b > ceiling else b)


def _heading_lines(s: str) -> list[tuple[int, int, str | None]]:
    """(offset, rank, kind of its title: task / non_task / None) of every numbered line."""
    heading = _sentence_rules()["heading"]
    lex = role_lexicon()
    non_task, task = lex.rule("section_non_task").regex, lex.rule("section_task").regex
    guarantee = lex.rule("section_guarantee").regex
    annex = _sentence_rules()["annex"]
    out: list[tuple[int, int, str | None]] = []
    for p in [0, *(m.end() for m in re.finditer("\n", s))]:
        m = heading.match(s[p : p + 16])
        if m is None:
            if annex.match(s[p : p + 16]):
                out.append((p, -1, _annex_kind(s, p)))
            continue
        token = m.group().strip(" \t\u3000#")
        rank = _heading_rank(token)
        line_end = s.find("\n", p + m.end())
        line = s[p + m.end() : len(s) if line_end == -1 else line_end]
        run_in = _RUN_IN_END.search(line)
        title = re.sub(r"\s+", "", line[: run_in.start()] if run_in else line)  # 附　则
        kind = None
        if not run_in or run_in.end() >= len(line.rstrip()):  # a heading standing on its own line
            if non_task.search(title):
                kind = "non_task"
            elif task.search(title):
                kind = "guarantee" if guarantee.search(title) else "task"
        out.append((p, rank, kind))
    return out


_ANNEX_TASKS = re.compile("分工|清单|方案|任务|措施")


def _annex_kind(s: str, p: int) -> str:
    """task when an attachment's title (its line and the next) names tasks, else non_task."""
    end = p
    for _ in range(2):
        k = s.find("\n", end + 1)
        end = len(s) if k == -1 else k
    return "task" if _ANNEX_TASKS.search(s[p:end]) else "non_task"


def _heading_rank(token: str) -> int:
    for word, rank in _HEADING_RANKS:
        if token.endswith(word):
            return rank
    if token[0] in "（(":
        return 8 if token[1].isdigit() else 6
    if token[0].isdigit():
        return 7
    if token[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return 9
    return 5  # 一、
