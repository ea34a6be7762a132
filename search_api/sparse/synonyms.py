"""Query-time expansion from ``lexicons/synonyms.yaml``: the words people type (外贸, 成都重庆,
用电便宜, English) mapped to the words documents use (进出口, 成渝, 直购电). Only the query is
touched, so the lexicon can change without reindexing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from extractors.lexicon import load_yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
_CJK = re.compile(r"[\u3400-\u9fff]")


class SynonymGroup(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    terms: tuple[str, ...] = Field(min_length=1)
    adds: tuple[str, ...] = ()
    weight: float = Field(default=0.5, gt=0, le=1)
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @field_validator("terms", "adds")
    @classmethod
    def _long_enough(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if _CJK.search(word) and len(word) < 2:
                raise ValueError(f"{word!r}: a one-character Chinese term matches too much")
        return words


class SynonymLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    groups: tuple[SynonymGroup, ...]


@dataclass(frozen=True)
class Expansion:
    group_id: str
    matched: str  # the query's own word that triggered the group
    added: tuple[str, ...]
    weight: float


@functools.cache
def synonym_lexicon(folder: Path = LEXICON_DIR) -> SynonymLexicon:
    return SynonymLexicon.model_validate(load_yaml("synonyms.yaml", folder))


def _is_english(term: str) -> bool:
    return term.isascii()


@functools.cache
def _word_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(term.lower()) + r"(?![a-z0-9])")


def term_in_query(term: str, query: str) -> bool:
    """Chinese terms match as substrings; English ones as whole words, any case."""
    if _is_english(term):
        return _word_pattern(term).search(query.lower()) is not None
    return term in query


def expand_query(query: str, lexicon: SynonymLexicon | None = None) -> list[Expansion]:
    """The groups ``query`` triggers, each with the words it adds (the query's own words
    and words already added by an earlier group are not repeated)."""
    lexicon = lexicon or synonym_lexicon()
    seen: set[str] = set()
    out: list[Expansion] = []
    for group in lexicon.groups:
        matched = next((t for t in group.terms if term_in_query(t, query)), None)
        if matched is None:
            continue
        added = tuple(
            w for w in dict.fromkeys((*group.terms, *group.adds))
            if w not in seen and not term_in_query(w, query)
        )
        seen.update(added)
        out.append(Expansion(group.id, matched, added, group.weight))
    return out

