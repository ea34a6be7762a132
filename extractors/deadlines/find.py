"""Finding deadline phrases in a text: masks, retrospective and past-plan checks, recurring runs,
the 完成时限 field."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from extractors.deadlines.dates import match_group, resolve_deadline
from extractors.deadlines.lexicon import deadline_lexicon, rule_by_id
from extractors.deadlines.years import reference_years
from extractors.periods import plan_years
from pipeline.model import Deadline, Span


def _masked(text: str) -> list[tuple[int, int]]:
    rules = deadline_lexicon().masks
    return [
        (m.start(), m.end()) for rule in rules if rule.may_match(text) for m in rule.regex.finditer(text)
    ]


def _is_retrospective(text: str, m: re.Match[str], end: int, floor: int | None) -> bool:
    """截至2020年, 已于2020年, 2020年以来, 2019年底累计: a year reported on, not one still ahead."""
    retro = deadline_lexicon().retrospective
    cut = m.start("y")
    before = text[max(0, cut - 8) : cut]
    if any(rule.regex.search(before) for rule in retro.prefixes):
        return True
    if retro.forward_lead.regex.match(m.group(0).lstrip()):
        return False  # 到2025年累计建成 looks ahead
    if floor is not None and int(m.group("y")) > floor:
        return False  # 2022年累计达到1万家 in a plan of 2020: a total still to reach
    after = text[end : end + 6]
    return any(rule.regex.search(after) for rule in retro.suffixes)


def _in_past_plan(text: str, year: int, at: int, floor: int | None) -> bool:
    """A year inside an earlier 五年规划 named in the same sentence ("十三五"期间，2019年建成…) once
    that plan has ended."""
    if floor is None:
        return False
    left = max(text.rfind(c, 0, at) for c in "。；;！？")
    right = min((k for k in (text.find(c, at) for c in "。；;！？") if k >= 0), default=len(text))
    for pm in deadline_lexicon().retrospective.past_plan.regex.finditer(text, left + 1, right):
        span = plan_years(pm.group("plan"))
        if span and span[1] < floor and span[0] <= year <= span[1]:
            return True
    return False


def _stands_alone(text: str, start: int, end: int, window: int = 40) -> bool:
    """Is text[start:end] a time frame of its own: a field value, a bracket, a clause that says
    only when (……完成，长期坚持。)? Single line breaks are wrapping, not clause ends."""
    clause = deadline_lexicon().timing_clause
    lo = max(0, start - window)
    cuts = [m.end() for m in clause.delimiter.regex.finditer(text, lo, start)]
    if not cuts and lo > 0:
        return False
    left = cuts[-1] if cuts else 0
    hi = min(len(text), end + window)
    stop = clause.delimiter.regex.search(text, end, hi)
    if stop is None and hi < len(text):
        return False
    right = stop.start() if stop else len(text)
    before = re.sub(r"[\s*]+", "", text[left:start])
    after = re.sub(r"[\s*]+", "", text[end:right])
    return bool(clause.before.regex.fullmatch(before) and clause.after.regex.fullmatch(after))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class DeadlineMatch:
    """A deadline and the id of the rule that found it (for tests and for explaining output)."""

    rule_id: str
    start: int
    end: int
    deadline: Deadline


_CN_YEAR = re.compile("[〇○零一二三四五六七八九]{4}(?=年)")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")


def arabic_years(text: str) -> str:
    """``text`` with years written in Chinese numerals (二〇二四年) in digits, character for
    character, so offsets into it are offsets into ``text``."""
    if not _CN_YEAR.search(text):
        return text
    return _CN_YEAR.sub(lambda m: m.group().translate(_CN_DIGITS), text)


def deadline_matches(
    text: str,
    doc_date: dt.date | None = None,
    *,
    reference_year: int | None = None,
    first_due_year: int | None = None,
    current_year: int | None = None,
) -> list[DeadlineMatch]:
    """The deadlines of ``text`` with the rules that found them; spans index ``text``.
    Arguments as for ``extract_deadlines``."""
    lexicon = deadline_lexicon()
    written, text = text, arabic_years(text)  # rules read digits; the phrase keeps its own writing
    if not text or not lexicon.trigger.search(text):
        return []
    present = {name for name, anchor in lexicon.anchor_regexes.items() if anchor.search(text)}
    masks = _masked(text)
    local = reference_years(text)
    floor = doc_date.year if doc_date else max([*local, reference_year or 0]) or None
    bare_floor = floor if floor is not None else first_due_year
    year = current_year if current_year is not None else (doc_date.year if doc_date else None)
    found: list[DeadlineMatch] = []
    for rule in lexicon.rules:
        if rule.needs not in present:
            continue
        for m in rule.regex.finditer(text):
            group = "text" if match_group(m, "text") is not None else 0
            start, end = _trim(text, m.start(group), m.end(group))
            if start == end or any(a <= start < b or a < end <= b for a, b in masks):
                continue
            if rule.position == "alone" and not _stands_alone(text, start, end):
                continue
            if match_group(m, "y") and _is_retrospective(text, m, m.end(), floor):
                continue
            deadline = resolve_deadline(rule, m, doc_date, year)
            if deadline is None:
                continue
            last, least = deadline.due_year, bare_floor if rule.bare_year else floor
            if last is not None and least is not None and last < least:
                continue  # a past date is a baseline or a history, not something still due
            if rule.position == "alone" and doc_date and deadline.date and deadline.date <= doc_date:
                continue  # a date standing alone on or before the issue date: the date line, not a due
            if match_group(m, "y") and _in_past_plan(text, int(m.group("y")), start, floor):
                continue
            deadline = deadline.model_copy(
                update={"text": written[start:end], "span": Span(start=start, end=end)}
            )
            found.append(DeadlineMatch(rule.id, start, end, deadline))
    # Overlaps: keep the longest phrase (到2025年底 over 2025年底), then the earliest.
    found.sort(key=lambda f: (-(f.end - f.start), f.start))
    kept = _disjoint(found)
    return _recurring_runs(text, sorted(kept, key=lambda f: f.start))


def _disjoint(found: list[DeadlineMatch]) -> list[DeadlineMatch]:
    """Each of ``found`` in turn unless it overlaps one kept before it. The kept spans are
    disjoint, so only the last one starting before a span's end can overlap it: one bisect per
    match (comparing with every kept match made a text with thousands of deadlines quadratic)."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[DeadlineMatch] = []
    for f in found:
        k = bisect.bisect_left(starts, f.end) - 1
        if k >= 0 and ends[k] > f.start:
            continue
        starts.insert(k + 1, f.start)
        ends.insert(k + 1, f.end)
        kept.append(f)
    return kept


def _recurring_runs(text: str, matches: list[DeadlineMatch]) -> list[DeadlineMatch]:
    """A month without a year after a recurring date in the same sentence recurs with it:
    每年10月底前，下发…，11月底前，确定… — the 11月底前 of every year, not of the issue year."""
    out: list[DeadlineMatch] = []
    recurring_at: int | None = None
    for f in matches:
        if recurring_at is not None and "。" in text[recurring_at : f.start]:
            recurring_at = None
        if f.deadline.kind == "recurring" and rule_by_id(f.rule_id).resolve == "none" and "月" in f.deadline.text:
            recurring_at = f.end
        elif recurring_at is not None and rule_by_id(f.rule_id).resolve.startswith("cur_") and "年" not in f.deadline.text:
            f = DeadlineMatch(
                f.rule_id, f.start, f.end, f.deadline.model_copy(update={"kind": "recurring", "date": None})
            )
        out.append(f)
    return out


def extract_deadlines(
    text: str,
    doc_date: dt.date | None = None,
    base: int = 0,
    *,
    reference_year: int | None = None,
    first_due_year: int | None = None,
    current_year: int | None = None,
) -> list[Deadline]:
    """Every deadline phrase in ``text``, in order; spans are offset by ``base``.

    Args:
        text: a clause, a task's text, a table cell or a whole document.
        doc_date: the issue date; resolves 年底前 and 印发之日起30日内, and drops dated phrases that
            ended before the issue year (baselines). None leaves relative dates unresolved.
        base: offset of ``text`` inside ``Document.text`` so spans point into the document.
        reference_year: for an undated document, the year it cannot be older than
            (``document_reference_year``); dated phrases ending before it are history. Ignored
            when ``doc_date`` is given.
        first_due_year: for an undated document with no reference year, the first year its
            opening sets anything for (``opening_due_year``); only a bare year before a verb
            (2020年实现…) is dropped for falling before it, explicit phrases (2023年底前) are kept.
        current_year: the year phrases without one (年底前, 6月底前, 9月份取得明显成效) fall in
            (``document_year``); None takes the issue year, and with no issue date either they
            stay unresolved (kind relative).
    """
    matches = deadline_matches(
        text,
        doc_date,
        reference_year=reference_year,
        first_due_year=first_due_year,
        current_year=current_year,
    )
    return [
        f.deadline.model_copy(update={"span": Span(start=base + f.start, end=base + f.end)})
        for f in matches
    ]


def parse_deadline_field(
    text: str, doc_date: dt.date | None = None, base: int = 0, *, reference_year: int | None = None
) -> list[Deadline]:
    """Deadlines stated in a ``完成时限：…`` field; a value no rule reads is kept as unspecified."""
    out: list[Deadline] = []
    for m in deadline_lexicon().field_label.regex.finditer(text):
        vstart, vend = _trim(text, m.start("value"), m.end("value"))
        value = text[vstart:vend]
        parsed = extract_deadlines(value, doc_date, base + vstart, reference_year=reference_year)
        if parsed:
            out.extend(parsed)
        elif value:
            span = Span(start=base + vstart, end=base + vend)
            out.append(Deadline(text=value, kind="unspecified", span=span))
    return out


def opening_due_year(text: str, chars: int = 1500) -> int | None:
    """The first year an undated document's opening sets anything for (到2025年底，完成…): a bare
    year before it (2020年实现…) is more likely history than a deadline."""
    years = [
        y
        for f in deadline_matches(text[:chars])
        if not rule_by_id(f.rule_id).bare_year and (y := f.deadline.due_year) is not None
    ]
    return min(years, default=None)
