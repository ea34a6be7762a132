"""From a matched phrase to a date: month ends, quarters, periods, 五年规划 numbers, spans
counted from the issue date."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from extractors.deadlines.lexicon import DeadlineRule
from extractors.numbers import parse_number
from extractors.periods import plan_years
from pipeline.model import Deadline, DeadlineKind

# The last month of a half or a quarter of the year (上半年, 三季度末).
_PART_MONTH = {"上半年": 6, "下半年": 12, "一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


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


def match_group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


def _int(s: str) -> int:
    """A month or day as written: 6, ６, 六, 十二."""
    n = parse_number(s)
    if n is None:
        raise ValueError(s)
    return int(n)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_DEKAD_LAST_DAY = {"上旬": 10, "中旬": 20}


def _month_due(year: int, month: int, dekad: str | None) -> dt.date:
    """The last day of a month, or of its first or second ten days (上旬 → 10日, 中旬 → 20日)."""
    if dekad in _DEKAD_LAST_DAY:
        return dt.date(year, month, _DEKAD_LAST_DAY[dekad])
    return _month_end(year, month)


def resolve_deadline(
    rule: DeadlineRule, m: re.Match[str], doc_date: dt.date | None, year: int | None
) -> Deadline | None:
    """The typed deadline for one match, or None when the match is not a deadline after all.
    ``year`` is the year phrases without one (年底前, 6月底前) fall in."""
    y, mo, d = match_group(m, "y"), match_group(m, "m"), match_group(m, "d")
    kind: DeadlineKind = rule.kind
    date = start = end = None
    try:
        if rule.resolve == "ymd" and y and mo and d:
            date = dt.date(int(y), _int(mo), _int(d))
        elif rule.resolve == "ym_end" and y and mo:
            date = _month_due(int(y), _int(mo), match_group(m, "dekad"))
        elif rule.resolve == "range_end" and y and mo:  # 2024年4月25日—4月30日, 2024年7月—2025年12月
            end_year = int(match_group(m, "y2") or y)
            date = dt.date(end_year, _int(mo), _int(d)) if d else _month_due(end_year, _int(mo), None)
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
            elif part := match_group(m, "part"):
                key = part.lstrip("第")
                date = _month_end(year, _PART_MONTH[key if "半年" in key else key[0]])
            elif mo:
                date = _month_due(year, _int(mo), match_group(m, "dekad"))
        elif rule.resolve == "next_ym_end" and mo:  # 明年6月底前: the year after the one it speaks in
            if year is None:
                kind = "relative"
            else:
                date = _month_due(year + 1, _int(mo), match_group(m, "dekad"))
        elif rule.resolve == "relative":
            n = parse_number(match_group(m, "n") or "")
            if n is None:
                return None
            if doc_date is not None:
                date = _relative_date(doc_date, int(n), match_group(m, "u") or "日")
        elif rule.resolve == "year_range":
            y2 = match_group(m, "y2")
            if not (y and y2) or int(y2) < int(y):
                return None
            start, end = dt.date(int(y), 1, 1), dt.date(int(y2), 12, 31)
        elif rule.resolve in ("plan_period", "plan_end"):
            years = plan_years(match_group(m, "plan") or "")
            if years is None:
                return None
            if rule.resolve == "plan_period":
                start, end = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
            else:
                date = dt.date(years[1], 12, 31)
    except ValueError:  # 2023年2月30日
        return None
    return Deadline(text=m.group(0).strip(), kind=kind, date=date, start=start, end=end)
