"""From a question to ranked items: the query plan (simplified text, BM25 terms with synonym
expansions), the four passage rankings (dense and BM25 over measures and clauses), their
collapse to items and fusion (``hybrid.py``), and the no-answer confidence. The knobs, with the
values chosen on the development queries: ``SearchTuning``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from search_api.embedding.embed import E5_MODEL_ID
from search_api.index.index import LoadedIndex
from search_api.schemas import SearchMode
from search_api.search.hybrid import fuse_signals
from search_api.sparse.sparse import (
    SparseIndex,
    frame_words,
    query_terms,
    simplified,
    tokenize,
    top_scores,
)
from search_api.sparse.synonyms import expand_query

CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
DEPTH = 300  # passages taken from each ranking before collapsing to items


@dataclass(frozen=True)
class SearchTuning:
    """Knobs of the ranking, with the values chosen on the development queries.

    weights: weight of dense-measures, dense-clauses, sparse-measures, sparse-clauses.
    fusion: ``convex`` (min-max normalised scores, summed) or ``rrf``. Convex keeps score gaps:
        when BM25 finds one text far ahead of the rest (an exact phrase such as 拿地即可开工)
        RRF flattens that lead to a rank and the dense side, blind to the paraphrase, outvotes
        it. On the development queries convex gave recall@5 0.89 / nDCG 0.93 against RRF's
        0.87 / 0.91 (k=20) and 0.83 / 0.91 (k=60), MRR 0.957 against 0.962.
    rrf_k: RRF damping; lower lets first places count more. Each fused list holds up to a few
        hundred items and the answer is usually in the first few places of two or more lists;
        on the development queries recall@5 rose steadily from k=60 (0.82) to k=20 (0.84) and
        k=10 (0.87, but MRR fell), so 20.
    no_answer_threshold: below this ``answer_confidence`` the response says no answer.
    evidence_threshold, dense_weight, cosine_baseline_*: see ``answer_confidence``.
    """

    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    fusion: Literal["rrf", "convex"] = "convex"
    rrf_k: int = 20
    no_answer_threshold: float = 0.5
    evidence_threshold: float = 0.38
    dense_weight: float = 10.0
    cosine_baseline_zh: float = 0.86
    cosine_baseline_other: float = 0.74
    intent_first: bool = True  # an owner or deadline question (intent.py): items that can
    # answer it (measures; with a deadline, for a deadline question) come before those that
    # cannot (a title, a 前言), each group in fused order. A bonus of half or all of the convex
    # range scored the same on the development queries (recall@5 0.892, MRR 0.966); one of a
    # quarter of it left 稳就业's 前言 above the measure 区人社局 leads.


DEFAULT_TUNING = SearchTuning()


# ----------------------------------------------------------------------------- query analysis


@dataclass
class QueryPlan:
    text: str
    simplified: str
    terms: list[tuple[str, float]]  # BM25 terms with weights (own words 1, expansions less)
    own_terms: list[str]
    expansions: list[str] = field(default_factory=list)


def plan_query(query: str, freq_db: Path | None = None) -> QueryPlan:
    """freq_db: the index's jieba frequency table (``sparse.ensure_freq_db``); None loads
    jieba's dictionary (same tokens, ~1 s slower on a cold start)."""
    simple = simplified(query.strip())
    expansions = expand_query(simple)
    extra = [(w, e.weight) for e in expansions for w in e.added]
    return QueryPlan(
        text=query.strip(), simplified=simple, terms=query_terms(simple, extra, freq_db),
        own_terms=tokenize(simple, freq_db), expansions=[w for e in expansions for w in e.added],
    )


def index_freq_db(index: LoadedIndex) -> Path | None:
    if not index.meta.freq_db:
        return None
    path = index.folder.parent / index.meta.freq_db
    return path if path.exists() else None


# ----------------------------------------------------------------------------- rankings


@dataclass
class Rankings:
    """Passage rankings (row, score) per collection and retriever, best first."""

    dense: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    sparse: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


def _top_sparse(sparse: SparseIndex, terms: list[tuple[str, float]], depth: int) -> list[tuple[int, float]]:
    return top_scores(sparse.scores(terms), depth)


def passage_rankings(index: LoadedIndex, plan: QueryPlan, vector: np.ndarray | None,
                     depth: int = DEPTH) -> Rankings:
    out = Rankings()
    for name, col in index.collections.items():
        if vector is not None:
            out.dense[name] = col.dense.search(vector, depth)
        if plan.terms:
            out.sparse[name] = _top_sparse(col.sparse, plan.terms, depth)
    return out


def item_ranking(index: LoadedIndex, collection: str, ranking: list[tuple[int, float]]) -> list[tuple[str, float]]:
    """Best passage per item, in order of each item's best passage."""
    item_ids = index.collections[collection].passages.item_ids
    seen: dict[str, float] = {}
    for row, score in ranking:
        seen.setdefault(item_ids[row], score)
    return list(seen.items())


def fuse_items(index: LoadedIndex, rankings: Rankings, mode: SearchMode,
               tuning: SearchTuning = DEFAULT_TUNING) -> tuple[list[tuple[str, float]], dict[str, bool]]:
    parts = {
        "dense_measures": (rankings.dense.get("measures"), tuning.weights[0], "dense"),
        "dense_clauses": (rankings.dense.get("clauses"), tuning.weights[1], "dense"),
        "sparse_measures": (rankings.sparse.get("measures"), tuning.weights[2], "sparse"),
        "sparse_clauses": (rankings.sparse.get("clauses"), tuning.weights[3], "sparse"),
    }
    names, lists, weights = [], [], []
    for name, (ranking, weight, kind) in parts.items():
        if ranking is None or (mode != "hybrid" and kind != mode) or weight <= 0:
            continue
        collection = name.split("_", 1)[1]
        names.append(name)
        lists.append(item_ranking(index, collection, ranking))
        weights.append(weight)
    floors = [-1.0 if n.startswith("dense") else 0.0 for n in names]
    fused, used = fuse_signals(lists, weights=weights, k=tuning.rrf_k, floors=floors,
                               method=tuning.fusion)
    return fused, dict(zip(names, used))


# ----------------------------------------------------------------------------- no answer


def answer_confidence(plan: QueryPlan, index: LoadedIndex, rows_of: dict[str, list[int]],
                      rankings: Rankings, tuning: SearchTuning = DEFAULT_TUNING) -> float:
    """How sure we are that the index holds an answer, in [0, 1]; below 0.5 means "no answer".

    Evidence = lexical coverage + dense_weight x (best clause cosine - baseline).
    - lexical coverage: the IDF-weighted share of the query's topic words (its own words minus
      frame words such as 牵头 / 目标 / 多少) found in one of the best BM25 items. Off-topic
      queries name things the corpus never mentions (火星, 疫苗, 高考).
    - best cosine: e5 scores every Chinese passage high (~0.85 even for unrelated text); a
      real answer reaches ~0.88-0.95. Cross-lingual (English) cosines run ~0.1 lower, hence a
      separate baseline for queries without Chinese characters.
    Either signal alone misfiles paraphrases (few shared words) or hard negatives (养老金 sits
    near 养老 text); their sum separated the development set: no-answer queries had evidence
    <= 0.32, answerable ones >= 0.45 (eval/search_eval.py --verbose prints it per query). The
    dense term is calibrated for e5-small only; with another model only coverage counts.
    """
    evidence = lexical_coverage(plan, index, rows_of, rankings)
    best = (rankings.dense.get("clauses") or [])[:1]
    if best and index.meta.model_id == E5_MODEL_ID:
        baseline = tuning.cosine_baseline_zh if CJK_CHAR.search(plan.text) else tuning.cosine_baseline_other
        evidence += tuning.dense_weight * (best[0][1] - baseline)
    return min(max(0.5 + evidence - tuning.evidence_threshold, 0.0), 1.0)


def lexical_coverage(plan: QueryPlan, index: LoadedIndex, rows_of: dict[str, list[int]],
                     rankings: Rankings, items: int = 3) -> float:
    """IDF-weighted share of the query's topic words present in one of the best BM25 items."""
    frame = frame_words()
    words = [w for w in dict.fromkeys(plan.own_terms)
             if (len(w) > 1 or not w.isascii()) and w not in frame]
    ranking = rankings.sparse.get("clauses") or []
    if not words or not ranking:
        return 0.0
    clauses = index.collections["clauses"]
    weights = {w: clauses.sparse.idf(w) for w in words}
    total = sum(weights.values())
    best = 0.0
    for item, _ in item_ranking(index, "clauses", ranking)[:items]:
        text = simplified("".join(clauses.passages.text(r) for r in rows_of.get(item, ()))).lower()
        best = max(best, sum(v for w, v in weights.items() if w in text) / total)
    return best
