"""Read a question for what it asks: owners (谁牵头), deadlines (2025年底前要完成哪些任务), and
the filters it states in words (a deadline year, a unit it names).

``read_intent`` is a pure function over the question and the units the index knows; the cue
lists are data (``intents.yaml``). search.py turns an intent into a ranking preference (items
that carry what is asked come first) and into filters the user did not have to type.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from search_api.schemas import ItemCard, SearchFilters

INTENTS_FILE = Path(__file__).with_name("intents.yaml")


class CueList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cues: tuple[str, ...]
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def matches(self, question: str) -> bool:
        return any(cue in question for cue in self.cues)


class IntentRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    owner: CueList
    deadline: CueList
    year_pattern: str
    min_unit_chars: int = 4
    question_words: tuple[str, ...] = ()


@functools.cache
def intent_rules() -> IntentRules:
    return IntentRules.model_validate(yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8")))


class QueryIntent(BaseModel):
    """What a question asks for; ``year`` and ``unit`` are filters it states in words."""

    model_config = ConfigDict(frozen=True)

    owner: bool = False
    deadline: bool = False
    year: int | None = None
    unit: str | None = None
    unit_role: str | None = None  # "lead" when the question says the unit 牵头

    def wants(self, card: ItemCard) -> bool:
        """True when the card can answer the question: a measure (a title, a 前言 or a goal
        section names no owner), and for a deadline question a measure with a deadline. A
        measure whose document names no unit still counts for an owner question: "文件未列明"
        is an answer, and on the development queries preferring measures that name units put
        relevant plan measures (whose plans name none) below unrelated ones (recall@5 0.88 →
        0.86)."""
        if card.kind != "measure":
            return False
        if self.deadline and not card.deadlines:
            return False
        return self.owner or self.deadline

    def merged_filters(self, filters: SearchFilters) -> tuple[SearchFilters, tuple[str, ...]]:
        """``filters`` with what the question states and the user left unset; also the names
        of the filters read from the question (the response shows them)."""
        update: dict[str, object] = {}
        if self.year is not None and filters.year is None:
            update["year"] = self.year
        if self.unit and filters.unit is None:
            update["unit"] = self.unit
            if self.unit_role and filters.role is None:
                update["role"] = self.unit_role
        return (filters.model_copy(update=update) if update else filters), tuple(update)


def read_intent(question: str, known_units: Iterable[str] = (), rules: IntentRules | None = None) -> QueryIntent:
    """The intent of ``question``. known_units: unit names the index holds (canonical names and
    names as written); the longest one the question contains becomes the unit filter."""
    rules = rules or intent_rules()
    owner = rules.owner.matches(question)
    deadline = rules.deadline.matches(question)
    year = None
    if deadline and (m := re.search(rules.year_pattern, question)):
        year = int(m.group(1))
    unit = max((u for u in known_units if len(u) >= rules.min_unit_chars and u in question),
               key=len, default=None)
    role = "lead" if unit and "牵头" in question[question.index(unit) + len(unit):] else None
    return QueryIntent(owner=owner and unit is None, deadline=deadline, year=year, unit=unit,
                       unit_role=role)


def answering_first(fused: list[tuple[str, float]], cards: Mapping[str, ItemCard],
                    intent: QueryIntent) -> list[tuple[str, float]]:
    """An owner or deadline question: the items that can answer it (``QueryIntent.wants``)
    first, then the rest, each group in its fused order (a stable sort)."""
    if not (intent.owner or intent.deadline):
        return fused
    return sorted(fused, key=lambda pair: not intent.wants(cards[pair[0]]))


def topic_words(own_terms: Iterable[str], intent: QueryIntent, frame: Iterable[str] = (),
                rules: IntentRules | None = None) -> list[str]:
    """The question's own words left once its frame (``frame`` words such as 谁 / 多少, and the
    ``question_words`` of intents.yaml), its cue phrases and the filters read from it are taken
    out: what the question is about (火星基地 in 火星基地2025年底前要完成哪些任务)."""
    rules = rules or intent_rules()
    covered = "".join((*rules.owner.cues, *rules.deadline.cues, str(intent.year or ""), intent.unit or ""))
    ignored = set(frame) | set(rules.question_words)
    return [w for w in own_terms if w.strip() and w not in ignored and w not in covered
            and not re.fullmatch(r"[\d\W]+", w)]


def filtered_confidence(own_terms: Iterable[str], intent: QueryIntent, idf: Callable[[str], float],
                        hit_texts: list[str], confidence: float, frame: Iterable[str] = ()) -> float:
    """The no-answer statistic once the question's own filters (a year, a unit) have chosen the
    hits (``hit_texts``: the best few, simplified and lower-cased). A question that is only its
    filters (2025年底前要完成哪些任务) is answered by any measure they admit; one that also names
    a topic is answered only when one hit carries most of it, IDF-weighted as the search's
    lexical coverage; otherwise the lower of that share and ``confidence``."""
    words = topic_words(own_terms, intent, frame)
    if not words:
        return 1.0
    weights = {w: idf(w) for w in words}
    total = sum(weights.values()) or 1.0
    covered = max((sum(v for w, v in weights.items() if w in text) / total for text in hit_texts), default=0.0)
    return confidence if covered >= 0.5 else min(confidence, covered)
