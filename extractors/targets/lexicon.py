"""The target lexicon (``lexicons/targets.yaml``) as a validated model, loaded once.

Cue words before a figure (达到, 不超过, 增长), verbs before the thing counted (新增, 形成),
suffixes (以上, 以内, 左右), qualitative cues (持续提升), baseline cues and sections, words that
make a figure something else (占…的, 总投资, 千亿级园区), scopes, and the words of target tables.
Every rule has an id, examples and counter-examples (tests/extractors/test_target_rules.py).
Patterns are applied to a ``View`` of the text without line breaks (``compact``), whose
characters map back to the original offsets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from extractors.lexicon import Rule, load_yaml
from pipeline.model import Comparator


class CueRule(Rule):
    comparator: Comparator
    positions: tuple[Literal["figure", "indicator", "count"], ...] = ("figure",)  # count: before 50项 in 推出50项…
    keep: bool = False  # the verb is part of what is counted (新增, 年产)
    needs_context: bool = False  # also describes projects: a target only where targets are stated
    area_is_amount: bool = False  # 盘活存量土地800亩: the area is how much is done, not one project's size


class ComparatorRule(Rule):
    comparator: Comparator


class QualitativeRule(Rule):
    needs_metric: bool = True
    # A definite end state stated inside a measure, with no year and no 目标 section around it
    # (实现…全覆盖, 基本实现“全省通办”): a target wherever it stands.
    anywhere: bool = False


class TableColumns(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Rule
    value: Rule
    base: Rule
    unit: Rule
    stop_row: Rule


class RateOfAction(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Rule
    title_noun: Rule


class TargetLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    units: dict[str, Any]  # read by extractors.numbers
    counter_units: tuple[str, ...]
    area_units: tuple[str, ...]
    comparators: tuple[CueRule, ...]
    suffixes: tuple[ComparatorRule, ...]
    qualitative: tuple[QualitativeRule, ...]
    rate_of_action: RateOfAction
    metric_words: Rule
    bounded_capacity: Rule
    index_value: Rule
    doubling: Rule
    distributive_objects: Rule
    baseline_cues: tuple[Rule, ...]
    baseline_sections: Rule
    target_sections: Rule
    not_target_before: tuple[Rule, ...]
    not_target_after: tuple[Rule, ...]
    routine_frequency: Rule
    incentives: Rule
    eligibility: Rule
    scoring: Rule
    notice_titles: Rule
    condition_sections: Rule
    masks: tuple[Rule, ...]
    lead_ins: Rule
    this_year: Rule
    aims: Rule
    time_before_verb: Rule
    scope: Rule
    scope_before_count: Rule
    generic_scopes: Rule
    rate_indicators: tuple[ComparatorRule, ...]
    binding: Rule
    cumulative: Rule
    target_table_header: Rule
    table_columns: TableColumns
    indicator_tail: Rule
    change_base: Rule
    about: Rule
    year_reference: Rule
    title_noise: Rule
    not_a_district: Rule


@functools.cache
def target_lexicon() -> TargetLexicon:
    return TargetLexicon.model_validate(load_yaml("targets.yaml"))


# ------------------------------------------------------------------------------------------
# The text the patterns read: no line breaks, each character mapped back to its offset


class View(NamedTuple):  # one per clause read: a tuple is the cheapest record to make
    text: str
    orig: Sequence[int]  # orig[i]: offset in the source text of view character i

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        return self.orig[start], self.orig[end - 1] + 1


_SPACE_RUN = re.compile(r"\s+")


def _keeps_space(prev: str, nxt: str) -> bool:
    return prev.isascii() and nxt.isascii() and (prev.isalnum() or prev in ".%") and nxt.isalnum()


def compact(text: str) -> View:
    """Drop line breaks and spaces next to Chinese text; keep one space between ASCII words."""
    if not _SPACE_RUN.search(text):  # most clauses: the view is the text itself
        return View(text, range(len(text)))
    pieces: list[str] = []
    orig: list[int] = []
    pos, n = 0, len(text)
    for m in _SPACE_RUN.finditer(text):  # copy the runs between spaces whole, not char by char
        if m.start() > pos:
            pieces.append(text[pos : m.start()])
            orig.extend(range(pos, m.start()))
        j = m.end()
        if orig and j < n and _keeps_space(text[orig[-1]], text[j]):
            pieces.append(" ")
            orig.append(m.start())
        pos = j
    if pos < n:
        pieces.append(text[pos:])
        orig.extend(range(pos, n))
    return View("".join(pieces), tuple(orig))
