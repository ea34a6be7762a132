"""The units a list names, item by item: shared by bracket and label statements, table cells and
the subjects of sentences.

``list_items`` cuts a list at 、，；。 outside brackets (not at the 、 inside one collective,
各区、市政府), strips cue words (牵头 / 配合 / 负责 …) and affixes (由…, …等), splits A及B / A会同B
where both sides look like units, and lets a cue at the end of a group speak for the units
before it. Its input has rule notes masked (``mask_notes``), so 逗号前为牵头单位 is never a unit.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from extractors.roles.conventions import (
    CLOSERS,
    OPENERS,
    CueRole,
    find_role_rules,
    role_lexicon,
)
from extractors.units.divisions import division_index
from extractors.units.names import canonical_unit, looks_like_unit

_EMPTY_BRACKETS = re.compile(r"[（(]\s*[）)]")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def blank_empty_brackets(s: str) -> str:
    """``s`` with its empty brackets (（ ）, ( )) replaced by spaces, same length."""
    return _EMPTY_BRACKETS.sub(_blank, s)


COMMA, SEMICOLON, PERIOD = "comma", "semicolon", "period"
_SEPARATORS = {"，": COMMA, ",": COMMA, "；": SEMICOLON, ";": SEMICOLON, "。": PERIOD}
_ITEM_SEPARATORS = "、"
BLANK = " \t\r\n\f\u3000"  # whitespace, the form feed between pages and the ideographic space


class Item(NamedTuple):  # a working record inside one statement, made by the hundred
    """One unit of a list: offsets into the text, its name and the group it belongs to."""

    start: int
    end: int
    name: str  # simplified, no whitespace
    group: int
    boundary: str | None  # separator that opened this item's group: comma / semicolon / period
    cue: CueRole | None = None
    shared: tuple[int, int] | None = None  # a body word written once for several tiers (州、县人民政府)
    own_mark: bool = False  # the cue is a mark in brackets after this name alone (A（牵头）)
    marked: bool = False  # a mark stands before the name (▲发改局): a stated marked_lead rule makes it lead


def mask_notes(s: str, a: int, b: int, blanked: str | None = None) -> str:
    """``s`` with rule notes inside [a, b) blanked (same length), and brackets left empty.

    Only [a, b) and the whitespace and brackets around it can change with the notes; the rest
    is ``blanked``: ``s`` with its empty brackets blanked (``TextView.blanked``, made once per
    document; computed here when None). An empty bracket is an opener, spaces and a closer, so
    none spans a cut after a character that is neither space nor opener, or before one that is
    neither space nor closer.
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
    for note in role_lexicon().implied_units:  # 以下均由各地区落实，不再列出: read for later measures
        for m in note.regex.finditer(s, a, b):
            for k in range(m.start() - lo, m.end() - lo):
                chars[k] = " "
    middle = blank_empty_brackets("".join(chars))
    whole = blank_empty_brackets(s) if blanked is None else blanked
    return whole[:lo] + middle + whole[hi:]


def masked_window(s: str, a: int, b: int) -> str:
    """``mask_notes(s, a, b)[a:b]`` without copying all of ``s``.

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
    return mask_notes(s[lo:hi], a - lo, b - lo)[a - lo : b - lo]


def list_items(m: str, a: int, b: int) -> list[Item]:
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
    items: list[Item] = []
    for x, y, g, bd in raw:
        included = _INCLUDED.search(m, x, y)
        if included and (included.end() == _trim(m, x, y)[1]
                         or _TRAILING_BRACKET.fullmatch(m, included.end(), _trim(m, x, y)[1])):
            # 各区县政府（含南太湖新区、长合区管委会）: the bodies the bracket includes are units too,
            # in the same group as the collective (a convention's bracket may follow: (列第一位的…))
            items.extend(_clean_item(m, x, included.start(), g, bd))
            items.extend(it._replace(group=g, boundary=bd) for it in list_items(m, included.start(1), included.end(1)))
            continue
        items.extend(_clean_item(m, x, y, g, bd))
    return _share_place_body(m, _share_body_word(m, _spread_cues(items)))


_INCLUDED = re.compile(r"[（(]含([^（）()]{2,60})[）)]")
_TRAILING_BRACKET = re.compile(r"\s*[（(][^（）()]*[）)]\s*")


# a tier is a place word (州、县（市）人民政府) or a level (省级、地市级医保部门)
_TIER = r"(?:(?:省|市|县|区|州|地市|市县|县区)级|[省市县区州盟旗乡镇](?:[（(][省市县区州盟旗乡镇、]{1,7}[）)])?)"
_BARE_TIER = re.compile(rf"^{_TIER}$")
_TIER_AND_BODY = re.compile(rf"^({_TIER})(?:两级|三级|四级|各级)?(.{{2,}})$")


def _share_body_word(m: str, items: list[Item]) -> list[Item]:
    """Tiers that share one body word (州、县（市）人民政府; 市、区两级财政部门): each bare tier
    takes the body word of the list's last item, which keeps its own tier (两级 dropped)."""
    out = list(items)
    k = 0
    while k < len(out):
        j = k
        while j < len(out) and out[j].group == out[k].group and _BARE_TIER.match(out[j].name):
            j += 1
        hit = _TIER_AND_BODY.match(out[j].name) if k < j < len(out) and out[j].group == out[k].group else None
        if hit is None or not looks_like_unit(hit.group(2)):
            k = j + 1 if j > k else k + 1
            continue
        last = out[j]
        body = (_tail_start(m, last.start, last.end, len(hit.group(2))), last.end)
        for i in range(k, j):
            out[i] = out[i]._replace(name=out[i].name + hit.group(2), shared=body)
        if len(hit.group(1)) + len(hit.group(2)) < len(last.name):  # 区两级财政部门 → 区财政部门
            tier_end = _tail_start(m, last.start, last.end, len(last.name) - len(hit.group(1)))
            out[j] = last._replace(end=tier_end, name=hit.group(1) + hit.group(2), shared=body)
        k = j + 1
    return out


_PLACE_AND_BODY = re.compile(r"^(.{2,6}?)([市县区州])(.{2,})$")


def _share_place_body(m: str, items: list[Item]) -> list[Item]:
    """Places that share one body word (济南、青岛、烟台市政府): each bare place name before the
    list's last item takes that item's tier and body word (济南市政府)."""
    names = division_index().by_name
    out = list(items)
    k = 0
    while k < len(out):
        j = k
        while j < len(out) and out[j].group == out[k].group and out[j].name in names and not looks_like_unit(out[j].name):
            j += 1
        hit = _PLACE_AND_BODY.match(out[j].name) if k < j < len(out) and out[j].group == out[k].group else None
        if hit is None or hit.group(1) + hit.group(2) not in names or not looks_like_unit(out[j].name):
            k = j + 1 if j > k else k + 1
            continue
        tier, body = hit.group(2), hit.group(3)
        shared = (_tail_start(m, out[j].start, out[j].end, len(tier) + len(body)), out[j].end)
        for i in range(k, j):
            if out[i].name + tier in names:
                out[i] = out[i]._replace(name=out[i].name + tier + body, shared=shared)
        k = j + 1
    return out


def _tail_start(m: str, x: int, y: int, n: int) -> int:
    """Where the last ``n`` non-space characters of ``m[x:y]`` begin."""
    k = y
    while k > x and n > 0:
        k -= 1
        if not m[k].isspace():
            n -= 1
    return k


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


def _clean_item(m: str, x: int, y: int, group: int, boundary: str | None) -> list[Item]:
    lex = role_lexicon()
    x0 = x
    x, y = _trim(m, x, y)
    marked = any(ch in _NAME_MARKS for ch in m[x0:x])
    cue: CueRole | None = None
    own_mark = False
    for rule in lex.cues:
        hit = rule.regex.search(m[x:y])
        if hit:
            cue, y = rule.role, x + hit.start()
            own_mark = hit.group(0)[:1] in OPENERS
            break
    x, y = _trim(m, x, y)
    pre = lex.rule("prefix_by").regex.match(m[x:y])
    if pre:
        x += pre.end()
    post = lex.rule("suffix_etc").regex.search(m[x:y])
    if post and post.start() > 0:
        y = x + post.start()
    for note in ("suffix_seat_note", "suffix_second_name"):
        found = lex.rule(note).regex.search(m[x:y])
        if found and found.start() > 0:
            y = x + found.start()
    x, y = _trim(m, x, y)
    if x >= y or lex.rule("not_unit_item").regex.search(re.sub(r"\s+", "", m[x:y])):
        return []
    items = _split_joined(m, x, y, group, boundary, cue)
    if marked and items:
        items[0] = items[0]._replace(marked=True)
    return [it._replace(own_mark=True) for it in items] if own_mark else items


_BODY_START = re.compile(r"^[市区县省各]")


def _split_joined(
    m: str, x: int, y: int, group: int, boundary: str | None, cue: CueRole | None
) -> list[Item]:
    """A及B / A和B / A会同B / A B → two units, only where both sides look like units."""
    tiers = [t.span() for t in role_lexicon().rule("tier_series").regex.finditer(m, x, y)]
    for hit in role_lexicon().rule("joiner").regex.finditer(m, x, y):
        if any(p <= hit.start() < q for p, q in tiers):
            continue  # 各省、自治区、直辖市及计划单列市…: one collective
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
    return [Item(start=x, end=y, name=name, group=group, boundary=boundary, cue=cue)]


# marks set before a name in a list (▲发改局, ★市商务局): what they mean is the document's legend's to
# say, and none is part of the name
_NAME_MARKS = "▲△★☆※●◆■□◇"


def _trim(m: str, x: int, y: int) -> tuple[int, int]:
    while x < y and m[x] in BLANK + "、" + _NAME_MARKS:
        x += 1
    while y > x and m[y - 1] in BLANK + "、":
        y -= 1
    return x, y


def _spread_cues(items: list[Item]) -> list[Item]:
    """A cue at the end of a group (A、B牵头) speaks for the uncued units before it."""
    out: list[Item] = []
    for idx, it in enumerate(items):
        if it.cue is None:
            later = next((nx for nx in items[idx + 1 :] if nx.group == it.group and nx.cue), None)
            if later is not None and not later.own_mark:  # A、B（牵头）: the mark is B's alone
                it = it._replace(cue=later.cue)
        out.append(it)
    return out


def names_list_shape_ok(s: str, a: int, b: int) -> bool:
    """``s[a:b]`` is a list of names, as a sentence's subject is: no comma, balanced brackets,
    nothing clause-like."""
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
