"""Split cleaned paragraphs into clauses: sentence-like units ending in 。；！？ (or ! ? ;).

A terminator inside brackets （）()〔〕【】《》[] or quotes “”‘’「」 does not end a clause:
``〔责任单位：A；B〕`` and ``“考准、及时、简便”原则。`` stay whole. Only brackets that are closed
within the paragraph protect their content, so a stray ``（`` cannot swallow the rest of a
document. A clause keeps its terminator and any closing quote or bracket right after it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from pipeline.model import Clause, Span
from pipeline.rules.classify import OPEN_TO_CLOSE as _OPEN_TO_CLOSE
from pipeline.rules.classify import SAME_CLOSER

_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
_BRACKET_RE = re.compile("[" + re.escape("".join(_OPEN_TO_CLOSE) + "".join(_CLOSERS)) + "]")
_TERMINATOR_CHARS = "。；！？!?;"
_TERMINATOR_RE = re.compile(f"[{_TERMINATOR_CHARS}]")
_TAIL_RE = re.compile(r"[。；！？!?;”’」』）)〕】》\]]*")


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Merged ``[open, close]`` index pairs of brackets and quotes that close in ``text``."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for m in _BRACKET_RE.finditer(text):
        ch, i = m.group(), m.start()
        if ch in _OPEN_TO_CLOSE:
            stack.append((_OPEN_TO_CLOSE[ch], i))
            continue
        # a closer: unwind to its opener; unmatched openers in between are dropped
        for depth in range(len(stack) - 1, -1, -1):
            if SAME_CLOSER[stack[depth][0]] == SAME_CLOSER[ch]:
                pairs.append((stack[depth][1], i))
                del stack[depth:]
                break
    pairs.sort()
    merged: list[tuple[int, int]] = []
    for a, b in pairs:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def split_clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the clauses of ``text[start:end]`` (whitespace trimmed)."""
    end = len(text) if end is None else end
    segment = text[start:end]
    terminators = [m.start() for m in _TERMINATOR_RE.finditer(segment)]
    if not terminators:
        return _trimmed(text, [(start, end)])
    ranges = protected_ranges(segment)
    range_starts = [a for a, _ in ranges]
    # a bracket (not a quote) closed right after a terminator ends the sentence: "（…下同。）再推进"
    closing = [b for a, b in ranges if segment[b] in "）)〕】" and segment[b - 1] in _TERMINATOR_CHARS]
    spans: list[tuple[int, int]] = []
    cut = 0
    for i in sorted(set(terminators) | set(closing)):
        if i < cut:
            continue
        k = bisect.bisect_right(range_starts, i) - 1
        if k >= 0 and ranges[k][0] <= i < ranges[k][1]:
            continue
        j = _TAIL_RE.match(segment, i + 1).end()
        spans.append((start + cut, start + j))
        cut = j
    if cut < len(segment):
        spans.append((start + cut, end))
    return _trimmed(text, spans)


def _trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def build_clauses(
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    section_of_paragraph: Sequence[str],
    page_line: Callable[[int], tuple[int, int]],
) -> tuple[Clause, ...]:
    """Clauses of every paragraph, numbered within their section (``s3.c1``, ``s3.c2`` …).

    ``page_line(offset)`` gives the raw (page, line) of a cleaned offset.
    """
    counters: dict[str, int] = {}
    clauses: list[Clause] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        section_id = section_of_paragraph[index]
        for a, b in split_clauses(text, p_start, p_end):
            counters[section_id] = counters.get(section_id, 0) + 1
            clause_text = text[a:b]
            where = page_line(a)
            span = Span(start=a, end=b)
            clauses.append(
                Clause(
                    clause_id=f"{section_id}.c{counters[section_id]}",
                    section_id=section_id,
                    span=span,
                    text=clause_text,
                    paragraph=index,
                    page=where[0],
                    line=where[1],
                )
            )
    return tuple(clauses)
