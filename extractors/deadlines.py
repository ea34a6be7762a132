"""Deadlines (完成时限) as typed values: by a date, within a period, relative to issue, recurring,
ongoing, or unspecified (按期).

    extract_deadlines("力争到2025年底，园区…", doc_date=date(2022, 4, 21))
        -> [Deadline(text="力争到2025年底", kind="by_date", date=2025-12-31, span=…)]

Phrases are data (``lexicons/deadlines.yaml``). Years inside document numbers (川办发〔2018〕45号),
titles of other documents (《…（2021—2023年）》) and baselines (截至2020年, 2020年以来, 已于2020年)
are not deadlines; nor is any dated deadline that ended before the year the document was issued
or, for an undated document, before the year it speaks from (``document_reference_year``).
Adverbs such as 持续推进, 定期, 按期 are a time frame only where the text states timing (a
完成时限 field, a bracket, a clause of their own); in running text they are verbs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from pipeline.model import Deadline, DeadlineKind, Span

from extractors.lexicon import Rule, load_yaml
from extractors.numbers import parse_number

Resolve = Literal[
    "ymd", "ym_end", "y_end", "doc_year_end", "relative", "year_range", "plan_period", "plan_end",
    "none", "cur_ym_end", "cur_ymd", "cur_part_end",
]

# The last month of a half or a quarter of the year (上半年, 三季度末).
_PART_MONTH = {"上半年": 6, "下半年": 12, "一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


class DeadlineRule(Rule):
    needs: str  # the anchor (DeadlineLexicon.anchors) every text this rule matches holds
    kind: DeadlineKind
    resolve: Resolve
    # alone: an adverb that is a time frame only where the text states timing (see the YAML)
    position: Literal["anywhere", "alone"] = "anywhere"
    # a bare year (2020年实现…): history or not depends on when the document speaks from
    bare_year: bool = False


class TimingClause(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    delimiter: Rule
    before: Rule
    after: Rule


class Retrospective(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prefixes: tuple[Rule, ...]
    suffixes: tuple[Rule, ...]
    forward_lead: Rule
    past_plan: Rule


class DeadlineLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    anchors: dict[str, str]
    masks: tuple[Rule, ...]
    rules: tuple[DeadlineRule, ...]
    timing_clause: TimingClause
    retrospective: Retrospective
    reference: tuple[Rule, ...]
    title_period: Rule
    title_year: Rule
    field_label: Rule

    @model_validator(mode="after")
    def _every_rule_holds_its_anchor(self) -> DeadlineLexicon:
        # anchors are a prefilter: a rule whose examples lack its anchor would silently stop firing
        for rule in self.rules:
            if rule.needs not in self.anchors:
                raise ValueError(f"deadline rule {rule.id} needs unknown anchor {rule.needs!r}")
            for example in rule.examples:
                if not self.anchor_regexes[rule.needs].search(example):
                    raise ValueError(
                        f"example {example!r} of deadline rule {rule.id} lacks its anchor {rule.needs}"
                    )
        return self

    @functools.cached_property
    def anchor_regexes(self) -> dict[str, re.Pattern[str]]:
        return {name: re.compile(pattern) for name, pattern in self.anchors.items()}

    @functools.cached_property
    def trigger(self) -> re.Pattern[str]:
        """Any anchor: text this does not match holds no deadline. The anchors' alternatives are
        joined flat, without a group each: the same matches, found in ~60% of the time."""
        return re.compile("|".join(self.anchors.values()))


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


def _int(s: str) -> int:
    """A month or day as written: 6, ６, 六, 十二."""
    n = parse_number(s)
    if n is None:
        raise ValueError(s)
    return int(n)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _resolve(
    rule: DeadlineRule, m: re.Match[str], doc_date: dt.date | None, year: int | None
) -> Deadline | None:
    """The typed deadline for one match, or None when the match is not a deadline after all.
    ``year`` is the year phrases without one (年底前, 6月底前) fall in."""
    y, mo, d = _group(m, "y"), _group(m, "m"), _group(m, "d")
    kind: DeadlineKind = rule.kind
    date = start = end = None
    try:
        if rule.resolve == "ymd" and y and mo and d:
            date = dt.date(int(y), _int(mo), _int(d))
        elif rule.resolve == "ym_end" and y and mo:
            date = _month_end(int(y), _int(mo))
        elif rule.resolve == "y_end" and y:
            date = dt.date(int(y), 12, 31)
        elif rule.resolve in ("doc_year_end", "cur_ym_end", "cur_ymd", "cur_part_end"):
            if y:  # the year is written after all (2023年6月底取得阶段性成效)
                year = int(y)
            if year is None:
                kind = "relative"
            elif rule.resolve == "doc_year_end":
                date = dt.date(year, 12, 31)
            elif mo and d and rule.resolve == "cur_ymd":
                date = dt.date(year, _int(mo), _int(d))
            elif part := _group(m, "part"):
                key = part.lstrip("第")
                date = _month_end(year, _PART_MONTH[key if "半年" in key else key[0]])
            elif mo:
                date = _month_end(year, _int(mo))
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
    return Deadline(text=m.group(0).strip(), kind=kind, date=date, start=start, end=end)


def _masked(text: str) -> list[tuple[int, int]]:
    rules = deadline_lexicon().masks
    return [
        (m.start(), m.end()) for rule in rules if rule.may_match(text) for m in rule.regex.finditer(text)
    ]


def _is_retrospective(text: str, m: re.Match[str], end: int) -> bool:
    """截至2020年, 已于2020年, 2020年以来, 2019年底累计: a year reported on, not one still ahead."""
    retro = deadline_lexicon().retrospective
    cut = m.start("y")
    before = text[max(0, cut - 8) : cut]
    if any(rule.regex.search(before) for rule in retro.prefixes):
        return True
    if retro.forward_lead.regex.match(m.group(0).lstrip()):
        return False  # 到2025年累计建成 looks ahead
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


def reference_years(text: str) -> list[int]:
    """Years ``text`` shows it was written no earlier than: 截至2020年, 2021年以来, a cited
    〔2023〕4号, its own 规划期限为2021年—2025年."""
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
    if period and (m := re.match(r"\s*((?:19|20)\d{2})", period)):
        bounds.append(int(m.group(1)))
    if title is None:
        title = next((line for line in text.splitlines() if line.strip()), "")
    if m := deadline_lexicon().title_period.regex.search(title):
        span = plan_years(m.group("plan")) if m.group("plan") else None
        bounds.append(span[0] if span else int(m.group("y")))
    return max(bounds, default=None)


def opening_due_year(text: str, chars: int = 1500) -> int | None:
    """The first year an undated document's opening sets anything for (到2025年底，完成…): a bare
    year before it (2020年实现…) is more likely history than a deadline."""
    years = [
        y
        for f in deadline_matches(text[:chars])
        if not _rule(f.rule_id).bare_year and (y := f.deadline.due_year) is not None
    ]
    return min(years, default=None)


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


def _rule(rule_id: str) -> DeadlineRule:
    return next(r for r in deadline_lexicon().rules if r.id == rule_id)


@dataclass(frozen=True)
class DeadlineMatch:
    """A deadline and the id of the rule that found it (for tests and for explaining output)."""

    rule_id: str
    start: int
    end: int
    deadline: Deadline


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
            group = "text" if _group(m, "text") is not None else 0
            start, end = _trim(text, m.start(group), m.end(group))
            if start == end or any(a <= start < b or a < end <= b for a, b in masks):
                continue
            if rule.position == "alone" and not _stands_alone(text, start, end):
                continue
            if _group(m, "y") and _is_retrospective(text, m, m.end()):
                continue
            deadline = _resolve(rule, m, doc_date, year)
            if deadline is None:
                continue
            last, least = deadline.due_year, bare_floor if rule.bare_year else floor
            if last is not None and least is not None and last < least:
                continue  # a past date is a baseline or a history, not something still due
            if _group(m, "y") and _in_past_plan(text, int(m.group("y")), start, floor):
                continue
            deadline = deadline.model_copy(
                update={"text": text[start:end], "span": Span(start=start, end=end)}
            )
            found.append(DeadlineMatch(rule.id, start, end, deadline))
    # Overlaps: keep the longest phrase (到2025年底 over 2025年底), then the earliest.
    found.sort(key=lambda f: (-(f.end - f.start), f.start))
    kept: list[DeadlineMatch] = []
    for f in found:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return _recurring_runs(text, sorted(kept, key=lambda f: f.start))


def _recurring_runs(text: str, matches: list[DeadlineMatch]) -> list[DeadlineMatch]:
    """A month without a year after a recurring date in the same sentence recurs with it:
    每年10月底前，下发…，11月底前，确定… — the 11月底前 of every year, not of the issue year."""
    out: list[DeadlineMatch] = []
    recurring_at: int | None = None
    for f in matches:
        if recurring_at is not None and "。" in text[recurring_at : f.start]:
            recurring_at = None
        if f.deadline.kind == "recurring" and _rule(f.rule_id).resolve == "none" and "月" in f.deadline.text:
            recurring_at = f.end
        elif recurring_at is not None and _rule(f.rule_id).resolve.startswith("cur_") and "年" not in f.deadline.text:
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
