"""Targets without a figure (持续提升, 实现…全覆盖, 完成省下达目标, 翻一番) and figures without a unit
that an index or a ratio reaches (指数达到115, PUE值降至1.3以下): the claims of a clause that are not
a quantity with its unit (those are claims.py's)."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from extractors.targets.clause import (
    Claim,
    ClauseContext,
    cue_at_end,
    in_any,
    lead_end,
    phrase_start,
    suffix_comparator,
    year_for,
)
from extractors.targets.lexicon import QualitativeRule, target_lexicon
from extractors.targets.subjects import split_subject, without_leading_time


@functools.cache
def _anywhere_rules() -> tuple[tuple[QualitativeRule, ...], re.Pattern[str]]:
    """The rules that state a target anywhere, and one character class holding a character each
    of their matches must hold (覆, 通, 清 …): one search rules out most clauses."""
    rules = tuple(r for r in target_lexicon().qualitative if r.anywhere)
    if any(not r.required for r in rules):  # a rule without a required character: no shortcut
        return rules, re.compile("")
    keys = {max(r.required, key=ord) for r in rules}  # two rules may share one
    return rules, re.compile("[" + re.escape("".join(sorted(keys))) + "]")


def states_an_end_state(text: str) -> bool:
    """Does a rule that states a target anywhere (实现…全覆盖) match ``text``?"""
    rules, keys = _anywhere_rules()
    return keys.search(text) is not None and any(r.may_match(text) and r.regex.search(text) for r in rules)


def figureless_claims(text: str, ctx: ClauseContext, markers: list[tuple[int, int]],
                 taken: list[tuple[int, int]], stated: bool = True) -> list[Claim]:
    """持续提升, 完成省下达目标: targets without a figure, about something measured. Where no
    year or 目标 section says targets are stated (``stated`` False) only the end states that are
    targets anywhere count (实现…全覆盖). A rule's ``what`` group, when it matched, is the
    indicator (the object of 实现 in 实现NB-IoT网络县级以上主城区全覆盖)."""
    lex = target_lexicon()
    out: list[Claim] = []
    for rule in lex.qualitative:
        if not (stated or rule.anywhere):
            continue
        for m in rule.regex.finditer(text):
            if in_any(m.start(), taken):
                continue
            pstart = phrase_start(text, m.start(), 0)
            subject = re.sub(r"由.*$", "", text[pstart : m.start()])  # 由C级升级为D级
            scope, indicator = split_subject(subject)
            what = m.groupdict().get("what")
            if what:
                what_scope, what_indicator = split_subject(without_leading_time(what))
                indicator, scope = f"{indicator}{what_indicator}", scope or what_scope
            if not indicator or len(indicator) > (30 if rule.needs_metric else 40):
                continue
            if rule.needs_metric and not lex.metric_words.regex.search(indicator):
                continue
            out.append(Claim(
                start=pstart + lead_end(text[pstart:]), end=m.end(), indicator=indicator,
                comparator="qualitative", scope=scope, year=year_for(m.start(), markers, ctx),
            ))
    return out


def index_value_claims(text: str, ctx: ClauseContext, markers: list[tuple[int, int]],
                  taken: list[tuple[int, int]]) -> list[Claim]:
    """Figures without a unit that an index or a ratio reaches (指数达到115, PUE值降至1.3以下)."""
    out: list[Claim] = []
    for m in target_lexicon().index_value.regex.finditer(text):
        if in_any(m.start("num"), taken):
            continue
        scope, indicator = split_subject(m.group("what"))
        if not indicator:
            continue
        bound, _ = suffix_comparator(m.group("bound") or "")
        cue = cue_at_end(m.group("what") + m.group("cue"))
        comparator = bound or (cue[0].comparator if cue else "eq")
        out.append(Claim(
            start=m.start("what"), end=m.end(), indicator=indicator, comparator=comparator,
            scope=scope, value=Decimal(m.group("num")), year=year_for(m.start(), markers, ctx),
        ))
    return out


_DOUBLINGS = {None: 1, "一": 1, "两": 2, "二": 2, "三": 3}


def doubling_claims(text: str, ctx: ClauseContext, markers: list[tuple[int, int]],
                    taken: list[tuple[int, int]]) -> list[Claim]:
    """翻一番 / 翻两番: an increase by 100% / 300% of what the clause names, wherever it stands."""
    out: list[Claim] = []
    for m in target_lexicon().doubling.regex.finditer(text):
        if in_any(m.start(), taken):
            continue
        pstart = phrase_start(text, m.start("what"), 0)
        scope, indicator = split_subject(text[pstart : m.end("what")])
        if not indicator:
            continue
        times = _DOUBLINGS[m.group("times")]
        out.append(Claim(
            start=pstart + lead_end(text[pstart:]), end=m.end(), indicator=indicator,
            comparator="increase_by", scope=scope, value=Decimal(2**times - 1) * 100, unit="%",
            year=year_for(m.start(), markers, ctx),
        ))
    return out
