"""A claim read from a clause, what the clause inherits from its document, and the phrase
helpers both the figure reader (claims.py) and the end-state reader (end_states.py) use."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple

from extractors.targets.lexicon import CueRule, target_lexicon
from pipeline.model import Comparator

LEAD_YEAR = re.compile(r"(?:到|至|在|于)?20\d{2}年(?:底|末|内)?(?:前)?")


@dataclass(frozen=True)
class Claim:
    """A target read from a text; ``start``/``end`` index that text (the quote)."""

    start: int
    end: int
    indicator: str
    comparator: Comparator
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    year: int | None = None
    cumulative: bool = False
    binding: Literal["预期性", "约束性"] | None = None


class ClauseContext(NamedTuple):
    """What a clause inherits from its document, section and paragraph. A named tuple, not a
    frozen dataclass: one is made for every clause of every document, and a tuple is made in
    about half the time (timeit, seven keyword arguments)."""

    doc_date: dt.date | None = None
    doc_year: int | None = None  # a bare year before it is a baseline (2020年营业收入)
    year: int | None = None  # lead-in year of the paragraph (到2025年，…)
    scope: str | None = None  # the park or place the section or document is about
    target_section: bool = False  # 发展目标, 第一阶段: figures there are targets
    follows_claims: bool = False  # the previous clause of the paragraph stated targets (…；…)
    baseline_section: bool = False  # 发展现状: figures there are not


HARD_STOPS = "，。；：:;,！？"


def in_any(pos: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in regions)


def phrase_start(text: str, pos: int, floor: int) -> int:
    start = max((text.rfind(c, 0, pos) for c in HARD_STOPS), default=-1) + 1
    return max(start, floor)


def lead_end(phrase: str) -> int:
    """Where the claim starts: after 力争, 确保, 到2025年 … at the start of the phrase."""
    lead_ins, at = target_lexicon().lead_ins.regex, 0
    while True:
        rest = phrase[at:]
        m = lead_ins.match(rest) or LEAD_YEAR.match(rest)
        if m is None or m.end() == 0:
            return at
        at += m.end()


def year_for(pos: int, markers: list[tuple[int, int]], ctx: ClauseContext) -> int | None:
    before = [y for p, y in markers if p < pos]
    return before[-1] if before else ctx.year


def longest_cue(matches: list[tuple[CueRule, re.Match[str]]]) -> tuple[CueRule, re.Match[str]] | None:
    return max(matches, key=lambda rm: rm[1].end() - rm[1].start(), default=None)


def cue_at_end(phrase: str) -> tuple[CueRule, re.Match[str]] | None:
    """The longest cue that ends the phrase right before a figure (达到, 不超过, 年均增长)."""
    return longest_cue([
        (rule, m)
        for rule in target_lexicon().comparators
        if "figure" in rule.positions
        for m in rule.regex.finditer(phrase)
        if m.end() == len(phrase)
    ])


def suffix_comparator(after: str) -> tuple[Comparator | None, int]:
    """The comparator a bound right after a figure states (以上, 以内, 左右) and its length."""
    for rule in target_lexicon().suffixes:
        m = rule.regex.match(after)
        if m:
            return rule.comparator, m.end()
    return None, 0


@dataclass
class ClaimState:
    """What the figures of one clause hand on to the next: enumerations share cue and scope."""

    prev: Claim | None = None
    floor: int = 0  # the next phrase starts after the previous claim
    queue: tuple[str, ...] = ()  # indicators still to hand out after 分别
    in_context: bool = False  # a year, a time phrase or a target section precedes the figure
    counting: bool = False  # the previous claim counted things (建设100家基地、16家以上牧场)
    next_figure: int | None = None  # where the next figure of the clause starts
    also: tuple[str, ...] = ()  # the same figure for other objects (面向A和B，分别形成…)
