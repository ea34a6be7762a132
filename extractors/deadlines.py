"""Deadlines (完成时限) as typed values: by a date, within a period, relative to issue, recurring,
ongoing, or unspecified (按期).

    extract_deadlines("力争到2025年底，园区…", doc_date=date(2022, 4, 21))
        -> [Deadline(text="力争到2025年底", kind="by_date", date=2025-12-31, span=…)]

Phrases are data (``lexicons/deadlines.yaml``). Years inside document numbers (川办发〔2018〕45号),
titles of other documents (《…（2021—2023年）》) and baselines (截至2020年) are not deadlines; nor
is any dated deadline that ended before the year the document was issued.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.model import Deadline, DeadlineKind, Span

from .lexicon import Rule, load_yaml
from .numbers import parse_number

Resolve = Literal[
    "ymd", "ym_end", "y_end", "doc_year_end", "relative", "year_range", "plan_period", "plan_end",
    "none",
]


class DeadlineRule(Rule):
    kind: DeadlineKind
    resolve: Resolve


class DeadlineLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    masks: tuple[Rule, ...]
    rules: tuple[DeadlineRule, ...]
    baseline_prefixes: tuple[Rule, ...]
    field_label: Rule


@functools.cache
def deadline_lexicon() -> DeadlineLexicon:
    return DeadlineLexicon.model_validate(load_yaml("deadlines.yaml"))


# 五年规划 number → its first year: 十四五 = 2021—2025.
def plan_years(plan: str) -> tuple[int, int] | None:
    n = parse_number(plan[:-1]) if plan.endswith("五") and plan != "十五" else None
    ordinal = 10 if plan == "十五" else (int(n) if n is not None else None)
    if ordinal is None or not 1 <= ordinal <= 20:
        return None
    # The first two plans ran 1953—1962; 1963—1965 was a readjustment; then every five years.
    first = 1953 + 5 * (ordinal - 1) if ordinal <= 2 else 1966 + 5 * (ordinal - 3)
    return first, first + 4


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _relative_date(doc_date: dt.date, n: int, unit: str) -> dt.date:
    if "工作日" in unit:
        d, left = doc_date, n
        while left > 0:
            d += dt.timedelta(days=1)
            if d.weekday() < 5:
                left -= 1
        return d
    if unit in ("日", "天"):
        return doc_date + dt.timedelta(days=n)
    if unit == "周":
        return doc_date + dt.timedelta(weeks=n)
    if unit.endswith("月"):
        return _add_months(doc_date, n)
    return _add_months(doc_date, 12 * n)


def _group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


def _resolve(rule: DeadlineRule, m: re.Match[str], doc_date: dt.date | None) -> Deadline | None:
    """The typed deadline for one match, or None when the match is not a deadline after all."""
    y, mo, d = _group(m, "y"), _group(m, "m"), _group(m, "d")
    kind: DeadlineKind = rule.kind
    date = start = end = None
    try:
        if rule.resolve == "ymd" and y and mo and d:
            date = dt.date(int(y), int(mo), int(d))
        elif rule.resolve == "ym_end" and y and mo:
            date = dt.date(int(y), int(mo), calendar.monthrange(int(y), int(mo))[1])
        elif rule.resolve == "y_end" and y:
            date = dt.date(int(y), 12, 31)
        elif rule.resolve == "doc_year_end":
            if doc_date is None:
                kind = "relative"
            else:
                date = dt.date(doc_date.year, 12, 31)
        elif rule.resolve == "relative":
            n = parse_number(_group(m, "n") or "")
            if n is None:
                return None
            if doc_date is not None:
                date = _relative_date(doc_date, int(n), _group(m, "u") or "日")
        elif rule.resolve == "year_range":
            y2 = _group(m, "y2")
            if not (y and y2) or int(y2) < int(y):
                return None
            start, end = dt.date(int(y), 1, 1), dt.date(int(y2), 12, 31)
        elif rule.resolve in ("plan_period", "plan_end"):
            years = plan_years(_group(m, "plan") or "")
            if years is None:
                return None
            if rule.resolve == "plan_period":
                start, end = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
            else:
                date = dt.date(years[1], 12, 31)
    except ValueError:  # 2023年2月30日
        return None
    last = end or date
    if doc_date is not None and last is not None and last.year < doc_date.year:
        return None  # a past date is a baseline or a history, not something still due
    return Deadline(text=m.group(0).strip(), kind=kind, date=date, start=start, end=end)


def _masked(text: str) -> list[tuple[int, int]]:
    rules = deadline_lexicon().masks
    return [(m.start(), m.end()) for rule in rules for m in rule.regex.finditer(text)]


def _is_baseline(text: str, m: re.Match[str]) -> bool:
    cut = m.start("y") if _group(m, "y") else m.start()
    before = text[max(0, cut - 8) : cut]
    return any(rule.regex.search(before) for rule in deadline_lexicon().baseline_prefixes)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def extract_deadlines(text: str, doc_date: dt.date | None = None, base: int = 0) -> list[Deadline]:
    """Every deadline phrase in ``text``, in order; spans are offset by ``base``.

    Args:
        text: a clause, a task's text or a whole document.
        doc_date: the issue date; resolves 年底前 and 印发之日起30日内, and drops dated phrases that
            ended before the issue year (baselines). None leaves relative dates unresolved.
        base: offset of ``text`` inside ``Document.text`` so spans point into the document.
    """
    if not text:
        return []
    masks = _masked(text)
    found: list[tuple[int, int, Deadline]] = []
    for rule in deadline_lexicon().rules:
        for m in rule.regex.finditer(text):
            start, end = _trim(text, m.start(), m.end())
            if start == end or any(a <= start < b or a < end <= b for a, b in masks):
                continue
            if _group(m, "y") and _is_baseline(text, m):
                continue
            deadline = _resolve(rule, m, doc_date)
            if deadline is not None:
                found.append((start, end, deadline))
    # Overlaps: keep the longest phrase (到2025年底 over 2025年底), then the earliest.
    found.sort(key=lambda t: (-(t[1] - t[0]), t[0]))
    kept: list[tuple[int, int, Deadline]] = []
    for start, end, deadline in found:
        if all(end <= a or start >= b for a, b, _ in kept):
            kept.append((start, end, deadline))
    kept.sort(key=lambda t: t[0])
    return [
        d.model_copy(update={"text": text[s:e], "span": Span(start=base + s, end=base + e)})
        for s, e, d in kept
    ]


def parse_deadline_field(
    text: str, doc_date: dt.date | None = None, base: int = 0
) -> list[Deadline]:
    """Deadlines stated in a ``完成时限：…`` field; a value no rule reads is kept as unspecified."""
    out: list[Deadline] = []
    for m in deadline_lexicon().field_label.regex.finditer(text):
        vstart, vend = _trim(text, m.start("value"), m.end("value"))
        value = text[vstart:vend]
        parsed = extract_deadlines(value, doc_date, base + vstart)
        if parsed:
            out.extend(parsed)
        elif value:
            span = Span(start=base + vstart, end=base + vend)
            out.append(Deadline(text=value, kind="unspecified", span=span))
    return out


def deadline_year(deadline: Deadline) -> int | None:
    """The year a target stated under this deadline is due (end of a period)."""
    when = deadline.date or deadline.end
    return when.year if when else None
