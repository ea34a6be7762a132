"""Where the statements marked by brackets or labels are in a text: ``〔责任单位：…〕``,
``（A牵头，B配合）``, a bracket of units closing its paragraph, ``牵头单位：…`` lines.

A bracket is a statement when it holds a label outside inner brackets, or when every item in
it looks like a unit and either a cue or a rule note states roles, or it stands after a
sentence at the end of its paragraph. A labelled line runs to its line's end or 。 and takes in
the labelled lines that follow it. Spans are sorted and disjoint; brackets are included.
"""

from __future__ import annotations

import bisect
import re

from extractors.roles.conventions import (
    BRACKET_CHAR,
    BRACKET_OR_BREAK,
    OPENERS,
    bracket_depth,
    find_role_rules,
    label_regex,
    label_role,
    sentence_rules,
)
from extractors.roles.items import BLANK, list_items, masked_window
from extractors.units.names import could_be_unit, looks_like_unit

_PARAGRAPH_END_FILLER = " \t\u3000。；;.，,"
_SENTENCE_END = "。；;！!？?:：*"
_OPENER_CHAR = re.compile("[" + re.escape(OPENERS) + "]")


def _all_closers(s: str) -> dict[int, int]:
    """Opener offset → its closer's offset, for every balanced pair, in one stack pass (the closer at which
    the depth counted from the opener returns to zero; scanning from each opener instead made
    unbalanced text quadratic)."""
    stack: list[int] = []
    closers: dict[int, int] = {}
    for m in BRACKET_CHAR.finditer(s):
        if m.group() in OPENERS:
            stack.append(m.start())
        elif stack:
            closers[stack.pop()] = m.start()
    return closers


def marked_statements(s: str) -> list[tuple[int, int]]:
    """Spans of the bracket and label statements of ``s`` (simplified), sorted and disjoint."""
    regions: list[tuple[int, int]] = []
    closers = _all_closers(s)
    long_labels = _LongBracketLabels(s)
    i = 0
    while (opener := _OPENER_CHAR.search(s, i)) is not None:
        i = opener.start()
        j = closers.get(i)
        if j is not None and _is_statement_bracket(s, i, j, long_labels):
            regions.append((i, j + 1))
            i = j + 1
            continue
        i += 1
    # Bracket regions are sorted and disjoint, and labels come in order, so "inside an earlier
    # region" is one bisect plus the furthest end of the label regions: no rescans of the text.
    starts = [a for a, _ in regions]
    label_end = -1
    depth_at = DepthCounter(s)
    for m in label_regex().finditer(s):
        if label_role(m) == "stop" or in_region(regions, starts, m.start()) or m.start() < label_end:
            continue
        if depth_at(m.start()) > 0:
            continue
        end = _label_line_end(s, m.end())
        regions.append((m.start(), end))
        label_end = max(label_end, end)
    return merge_spans(regions)


def in_region(regions: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    """Whether ``position`` lies inside one of ``regions`` (sorted, disjoint; ``starts``: their
    starts, for bisecting)."""
    k = bisect.bisect_right(starts, position) - 1
    return k >= 0 and position < regions[k][1]


class DepthCounter:
    """``bracket_depth(s, p)`` for rising ``p``, counting each bracket of ``s`` once."""

    def __init__(self, s: str) -> None:
        self._s, self._pos, self._depth = s, 0, 0

    def __call__(self, position: int) -> int:
        if position < self._pos:
            self._pos, self._depth = 0, 0
        for m in BRACKET_OR_BREAK.finditer(self._s, self._pos, position):
            if m.group() in OPENERS:
                self._depth += 1
            elif m.group() == "\n":
                self._depth = 0
            elif self._depth:
                self._depth -= 1
        self._pos = max(self._pos, position)
        return self._depth


def merge_spans(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``regions`` sorted, overlapping ones joined into one."""
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
        while nxt < len(s) and s[nxt] in BLANK + "；;，,。":
            nxt += 1
        m = label_regex().match(s, nxt)
        if m is None:
            return stop + (1 if stop < len(s) and s[stop] == "。" else 0)
        end = m.end()


# An unlabelled bracket of units (（市发展改革委、市财政局）) names a few, at most a few dozen, units;
# a longer one is prose. Without this bound, text with stray brackets (a bracket opened in one
# paragraph and closed pages later, nested) would have every bracket's whole content cut into
# would-be unit lists: work quadratic in the length of the text.
_MAX_UNIT_BRACKET = 800


# A bracket up to this long is searched for its label directly; a longer one (text with
# thousands of nested brackets, where searching each would make the work quadratic in the
# text's length) asks _LongBracketLabels, which finds every label of the text once.
_MAX_SEARCHED_BRACKET = 2000


class _LongBracketLabels:
    """The first label inside a long bracket and whether it stands outside inner brackets, from
    one pass over the text's labels (made on the first long bracket). A bracket's content is
    balanced (its closer is the one its opener's depth returns at), so a label is outside inner
    brackets when the text's depth there equals the depth just inside the opener."""

    def __init__(self, s: str) -> None:
        self._s = s
        self._starts: list[int] | None = None
        self._labels: list[tuple[bool, int]] = []  # (states a role, depth in the text)
        self._depth_inside = DepthCounter(s)

    def stated_at_top(self, i: int, j: int) -> bool:
        if self._starts is None:
            depth_at = DepthCounter(self._s)
            matches = list(label_regex().finditer(self._s))
            self._starts = [m.start() for m in matches]
            self._labels = [(label_role(m) != "stop", depth_at(m.start())) for m in matches]
        k = bisect.bisect_left(self._starts, i + 1)
        if k == len(self._starts) or self._starts[k] >= j:
            return False
        states_role, depth = self._labels[k]
        return states_role and depth == self._depth_inside(i + 1)


def _is_statement_bracket(s: str, i: int, j: int, long_labels: _LongBracketLabels) -> bool:
    if j - i > _MAX_SEARCHED_BRACKET:
        return long_labels.stated_at_top(i, j)  # and far too long to be a bracket of units
    content = s[i + 1 : j]
    # the first label that names units (责任领导：张三；责任单位：… opens with a person's label)
    if any(label_role(m) != "stop" and bracket_depth(content, m.start()) == 0
           for m in label_regex().finditer(content)):
        return True
    if j - i > _MAX_UNIT_BRACKET:
        return False
    window = masked_window(s, i + 1, j)
    items = list_items(window, 0, len(window))
    stated = any(it.cue is not None for it in items) or bool(find_role_rules(content))
    shaped = [looks_like_unit(it.name) for it in items]
    if not items or not all(ok or (stated and _one_more_unit(it.name, shaped)) for it, ok in zip(items, shaped)):
        return False
    return stated or (_after_sentence(s, i) and _ends_paragraph(s, j + 1)) or _opens_item(s, i)


def _one_more_unit(name: str, shaped: list[bool]) -> bool:
    """An odd name among units whose role the bracket states: a unit the lexicon does not know,
    kept (and shown as unknown) when most of its list (``shaped``: which look like units) are."""
    return could_be_unit(name) and sum(shaped) * 2 > len(shaped)


def _opens_item(s: str, i: int) -> bool:
    """A bracket of units right after an item's number (1.【市商务局】优化…, （一）（市财政局）…):
    the units the item is given, written before it."""
    before = s[s.rfind("\n", 0, i) + 1 : i]
    head = sentence_rules()["heading"].match(before)
    return head is not None and not before[head.end() :].strip()


def _after_sentence(s: str, i: int) -> bool:
    k = i - 1
    while k >= 0 and s[k] in " \t\u3000":
        k -= 1
    return k < 0 or s[k] in _SENTENCE_END or s[k] in "\n\f"


def _ends_paragraph(s: str, k: int) -> bool:
    while k < len(s) and s[k] in _PARAGRAPH_END_FILLER:
        k += 1
    return k >= len(s) or s[k] in "\n\f\r"
