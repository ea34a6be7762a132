"""Scores between the measures of an upper and a lower document, as short pure functions.

``bm25_cosine``: each measure a vector of BM25 term weights (idf × saturated tf, length
normalised) over the terms a tokenizer gives; the score is their cosine, so it is bounded and
comparable across pairs. ``dense_part``: cosines of embeddings rescaled from a floor. Unit
correspondence across levels goes through the 条线 of ``lexicons/relations.yaml``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import cache

from extractors.lexicon import LexiconModel, load_lexicon
from pipeline.model import Task

K1, B = 1.2, 0.75


class TraceSettings(LexiconModel):
    weights: dict[str, float]
    dense_floor: float
    link_floor: float
    relative_floor: float
    max_links_per_lower: int
    upper_rank_limit: int


class UnitSystem(LexiconModel):
    id: str
    stems: tuple[str, ...]
    examples: tuple[str, ...] = ()


class RelationsLexicon(LexiconModel):
    version: int
    trace: TraceSettings
    unit_systems: tuple[UnitSystem, ...]


@cache
def relations_lexicon() -> RelationsLexicon:
    return load_lexicon("relations.yaml", RelationsLexicon)


def bm25_cosine(rows: Sequence[Sequence[str]], cols: Sequence[Sequence[str]]) -> list[list[float]]:
    """Cosine of BM25 term-weight vectors, ``rows`` × ``cols``; idf from both sides together."""
    docs = [*rows, *cols]
    n = len(docs)
    df: Counter[str] = Counter(t for d in docs for t in set(d))
    avg = sum(len(d) for d in docs) / n if n else 1.0

    def vector(terms: Sequence[str]) -> dict[str, float]:
        tf = Counter(terms)
        norm = K1 * (1 - B + B * len(terms) / (avg or 1.0))
        return {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) * c * (K1 + 1) / (c + norm)
                for t, c in tf.items()}

    def unit(v: dict[str, float]) -> dict[str, float]:
        size = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / size for t, x in v.items()}

    row_vectors = [unit(vector(r)) for r in rows]
    col_vectors = [unit(vector(c)) for c in cols]
    return [[sum(x * c.get(t, 0.0) for t, x in r.items()) for c in col_vectors] for r in row_vectors]


def dense_part(cosine: float, floor: float) -> float:
    """0 at or below ``floor``, rising linearly to 1 at a cosine of 1."""
    return max(0.0, min(1.0, (cosine - floor) / (1.0 - floor)))


def systems_of(canonical: str) -> frozenset[str]:
    return frozenset(s.id for s in relations_lexicon().unit_systems
                     if any(stem in canonical for stem in s.stems))


def unit_part(upper: Task, lower: Task) -> float:
    """1 when a 牵头单位 of the lower measure is of a 条线 a 牵头单位 of the upper one is of
    (市发展和改革委员会 ↔ 东区发展和改革局), else 0 (also when either names no lead)."""
    upper_systems = frozenset().union(*(systems_of(m.canonical) for m in upper.lead))
    lower_systems = frozenset().union(*(systems_of(m.canonical) for m in lower.lead))
    return 1.0 if upper_systems & lower_systems else 0.0
