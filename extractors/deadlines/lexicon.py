"""The deadline phrases as data (``lexicons/deadlines.yaml``): rules, timing and retrospective
cues, and the patterns that tell a document's own years."""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from extractors.lexicon import Rule, load_yaml
from pipeline.model import DeadlineKind

Resolve = Literal[
    "ymd", "ym_end", "y_end", "doc_year_end", "relative", "year_range", "plan_period", "plan_end",
    "none", "cur_ym_end", "cur_ymd", "cur_part_end", "range_end", "next_ym_end",
]


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
    title_year: Rule
    field_label: Rule
    part_deadline: Rule  # 本部分任务均于2024年底前完成: every measure of the part

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


def rule_by_id(rule_id: str) -> DeadlineRule:
    return next(r for r in deadline_lexicon().rules if r.id == rule_id)
