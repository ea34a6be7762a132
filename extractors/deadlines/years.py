"""The years a document speaks from: its reference year when undated, and the year its phrases
without one (年底前) fall in."""

from __future__ import annotations

import datetime as dt

from extractors.deadlines.lexicon import deadline_lexicon
from extractors.periods import declared_period, period_in_text, period_in_title


def reference_years(text: str) -> list[int]:
    """Years ``text`` shows it was written no earlier than: 截至2020年, 2021年以来, a cited
    〔2023〕4号 (its own period is periods.py's)."""
    return [
        int(m.group("y"))
        for rule in deadline_lexicon().reference
        if rule.may_match(text)
        for m in rule.regex.finditer(text)
    ]


def document_reference_year(
    text: str, title: str | None = None, period: str | None = None
) -> int | None:
    """For a document with no known issue date, the year it speaks from: the latest of its own
    period's start (manifest ``period``, a title such as “十四五”…规划 or …（2023—2025年）, a
    规划期限 statement) and the years it reports on or cites. Deadlines before it are history.

    Args:
        text: the document's text.
        title: its title; None takes the first non-empty line of ``text``.
        period: a known period such as "2025—2029" (DocumentMeta.period).
    """
    bounds = reference_years(text)
    if title is None:
        title = next((line for line in text.splitlines() if line.strip()), "")
    own = [p for p in (declared_period(period or ""), period_in_title(title), period_in_text(text)) if p]
    bounds.extend(first for first, _ in own)
    return max(bounds, default=None)


def document_year(title: str | None, doc_date: dt.date | None) -> int | None:
    """The year a document's phrases without a year (年底前, 6月底前取得阶段性成效) fall in: the one
    year its title names (2023年工作要点, 数字山东2021行动方案) when that is the issue year or the
    next (a plan for 2023 issued in December 2022), else the issue year; None when neither is known.

    Args:
        title: the document's title (DocumentMeta.title); a period (2023—2025年) names no one year.
        doc_date: the issue date.
    """
    m = deadline_lexicon().title_year.regex.search(title or "")
    named = int(m.group("y")) if m else None
    if named is not None and (doc_date is None or 0 <= named - doc_date.year <= 1):
        return named
    return doc_date.year if doc_date else None
