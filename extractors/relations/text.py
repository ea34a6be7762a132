"""Measure texts as the relations compare them: the body without its number, with the spans the
extractors read (units, deadlines, targets) blanked, and character-bigram similarities.

Blanking keeps a lead swap or a moved deadline from also counting as a change of wording: those
are reported as what they are, and ``wording`` is left for the words around them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import pairwise

from pipeline.model import Target, Task

BLANK = "□"
_NUMBER_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十]+）|\(?\d+[.．、)）]|——)\s*")
_SPACE = re.compile(r"\s+")


def body(task: Task) -> str:
    """The measure's text without its own number (``十二、`` / ``3.`` / ``（一）``) and without
    the line breaks a PDF put inside it."""
    return _SPACE.sub("", _NUMBER_PREFIX.sub("", task.text, count=1))


def masked_body(task: Task, targets: dict[str, Target]) -> str:
    """``body`` with every unit, deadline and target quote of the measure blanked (one ``□``
    each), so what is left is the wording."""
    spans = [m.span for m in (*task.lead, *task.supporting, *task.unassigned_units) if m.span]
    spans += [d.span for d in task.deadlines if d.span]
    spans += [targets[t].span for t in task.target_ids if t in targets]
    chars = list(task.text)
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        start, end = span.start - task.span.start, span.end - task.span.start
        if 0 <= start < end <= len(chars):
            chars[start:end] = [BLANK]
    text = "".join(chars)
    return _SPACE.sub("", _NUMBER_PREFIX.sub("", text, count=1))


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the letters and digits (punctuation and blanks carry no content)."""
    chars = [c for c in unicodedata.normalize("NFKC", text) if c.isalnum()]
    return Counter(a + b for a, b in pairwise(chars))


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Sørensen–Dice overlap of two bigram multisets, 0..1 (1 when both are empty)."""
    total = sum(a.values()) + sum(b.values())
    if total == 0:
        return 1.0
    return 2 * sum((a & b).values()) / total


def containment(part: Counter[str], whole: Counter[str]) -> float:
    """Share of ``part``'s bigrams found in ``whole``: near 1 when ``part`` was merged into it."""
    size = sum(part.values())
    return sum((part & whole).values()) / size if size else 0.0


def content_text(task: Task) -> str:
    """Title and body with the named units cut out: what a measure asks to be done, for
    comparing measures of different governments (whose unit names never match word for word)."""
    spans = sorted((m.span for m in (*task.lead, *task.supporting, *task.unassigned_units) if m.span),
                   key=lambda s: s.start, reverse=True)
    chars = list(task.text)
    for span in spans:
        start, end = span.start - task.span.start, span.end - task.span.start
        if 0 <= start < end <= len(chars):
            del chars[start:end]
    return _SPACE.sub("", _NUMBER_PREFIX.sub("", "".join(chars), count=1))
