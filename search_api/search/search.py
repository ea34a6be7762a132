"""Search that answers with measures and their owners.

A query is run against both collections (measures, clauses) by both retrievers (dense cosine,
BM25 with synonym expansion). Each of the four passage rankings is collapsed to *items* (a
clause counts for the measure that contains it, or for its section when no measure does), then
fused (a convex combination of min-max normalised scores by default, RRF on request), leaving
out rankings that carry no signal (BM25 on an English query). Hits are measure cards with their
lead and supporting units (and the 责任单位 a document names without saying who leads), deadlines, targets, source and the best-matching sentence with the
query's words highlighted.

"No answer" is decided by ``answer_confidence`` (see its docstring for the calibration).

``search_index`` takes its loaded index and its query embedder as arguments; a process holds
them in a ``SearchEngine`` (engine.py), which loads them once. The ranking itself (query plan,
rankings, fusion, no-answer confidence) is ``ranking.py``; this module turns it into hits.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import IndexNotBuiltError
from pipeline.model import Span
from search_api.embedding.embed import Embedder
from search_api.index.index import LoadedIndex
from search_api.schemas import (
    BestSentence,
    FacetCount,
    Facets,
    Highlight,
    HitScores,
    ItemCard,
    SearchFilters,
    SearchHit,
    SearchMode,
    SearchResponse,
)
from search_api.search.hybrid import rrf
from search_api.search.intent import answering_first, filtered_confidence, read_intent
from search_api.search.ranking import (
    DEFAULT_TUNING,
    QueryPlan,
    Rankings,
    SearchTuning,
    answer_confidence,
    fuse_items,
    index_freq_db,
    item_ranking,
    passage_rankings,
    plan_query,
)
from search_api.sparse.sparse import (
    find_terms,
    frame_words,
    simplified,
)
from search_api.unit_lookup import lookup_unit

FACET_POOL = 30  # facets count the top items of the unfiltered ranking


@dataclass(frozen=True)
class IndexLookups:
    """What a served index generation keeps beside it so a query needs no scan of all items:
    rows_of: per item, the rows of its clause passages; measure_row: per item, its row in the
    item-level (measures) collection; unit_names: every unit name (canonical and as written);
    canonical_units: the canonical ones alone (what a typed unit name may resolve to)."""

    rows_of: dict[str, list[int]]
    measure_row: dict[str, int]
    unit_names: frozenset[str]
    canonical_units: frozenset[str]


def index_lookups(index: LoadedIndex) -> IndexLookups:
    rows: dict[str, list[int]] = {}
    for row, item_id in enumerate(index.collections["clauses"].passages.item_ids):
        rows.setdefault(item_id, []).append(row)
    measure_row: dict[str, int] = {}
    for row, item_id in enumerate(index.collections["measures"].passages.item_ids):
        measure_row.setdefault(item_id, row)
    names = frozenset(n for c in index.cards.values() for m in c.units for n in (m.canonical, m.name))
    canonicals = frozenset(m.canonical for c in index.cards.values() for m in c.units)
    return IndexLookups(rows_of=rows, measure_row=measure_row, unit_names=names, canonical_units=canonicals)


# ----------------------------------------------------------------------------- presenting hits


def squeeze_heading(text: str) -> str:
    return re.sub(r"[\s#*。．.、，：:；;（）()“”—]", "", text)


def best_sentence(index: LoadedIndex, rows_of: dict[str, list[int]], item_id: str,
                  rankings: Rankings, highlight_terms: list[str]) -> BestSentence | None:
    """The item's clause that best matches the query (RRF of its dense and BM25 ranks), not
    counting a clause that only repeats the item's heading, which the card shows anyway."""
    rows = set(rows_of.get(item_id, ()))
    if not rows:
        return None
    passages = index.collections["clauses"].passages
    clause_rankings = [
        [(str(r), s) for r, s in rankings.dense.get("clauses", []) if r in rows],
        [(str(r), s) for r, s in rankings.sparse.get("clauses", []) if r in rows],
    ]
    ordered = [int(r) for r, _ in rrf([r for r in clause_rankings if r])] or sorted(rows)
    card = index.cards[item_id]
    heading = {squeeze_heading(card.title), squeeze_heading(f"{card.number or ''}{card.title}")}
    row = next((r for r in ordered if squeeze_heading(passages.text(r)) not in heading), ordered[0])
    p = passages[row]
    spans = find_terms(p.text, highlight_terms)
    return BestSentence(text=p.text, span=p.span, page=p.page, line=p.line,
                        highlights=tuple(Highlight(start=a, end=b) for a, b in spans))


def facet_counts(cards: list[ItemCard]) -> Facets:
    docs, units, years, statuses = Counter(), Counter(), Counter(), Counter()
    titles: dict[str, str] = {}
    for card in cards:
        docs[card.doc_id] += 1
        titles[card.doc_id] = card.doc_title
        statuses[card.doc_status] += 1
        for unit in {m.canonical for m in card.units}:
            units[unit] += 1
        for year in card.deadline_years:
            years[str(year)] += 1

    def counts(counter: Counter, labels: dict[str, str] | None = None) -> tuple[FacetCount, ...]:
        return tuple(FacetCount(value=v, count=n, label=(labels or {}).get(v))
                     for v, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return Facets(doc=counts(docs, titles), unit=counts(units), year=counts(years),
                  status=counts(statuses))


def _score_lookup(index: LoadedIndex, rankings: dict[str, list[tuple[int, float]]]) -> dict[str, tuple[float, int]]:
    """item → (best score, best rank among items) over both collections of one retriever."""
    merged: list[tuple[str, float]] = []
    for name, ranking in rankings.items():
        merged += item_ranking(index, name, ranking)
    best: dict[str, float] = {}
    for item, score in merged:
        best[item] = max(score, best.get(item, float("-inf")))
    ordered = sorted(best.items(), key=lambda kv: -kv[1])
    return {item: (score, rank) for rank, (item, score) in enumerate(ordered, 1)}


def hit_scores(fused: float, dense: tuple[float, int] | None, sparse: tuple[float, int] | None) -> HitScores:
    return HitScores(
        fused=round(fused, 6),
        dense=None if dense is None else round(dense[0], 4), dense_rank=dense[1] if dense else None,
        sparse=None if sparse is None else round(sparse[0], 4), sparse_rank=sparse[1] if sparse else None,
    )


# ----------------------------------------------------------------------------- search


def check_mode(mode: str) -> None:
    if mode not in ("hybrid", "dense", "sparse"):
        raise ValueError(f"mode must be hybrid, dense or sparse, not {mode!r}")


def search_index(query: str, index: LoadedIndex, lookups: IndexLookups, embedder: Embedder | None,
                 k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid",
                 tuning: SearchTuning = DEFAULT_TUNING) -> SearchResponse:
    """Measures (and context sections) of ``index`` answering ``query``, best first.

    lookups: ``index_lookups(index)``, made once per generation (the engine keeps it).
        embedder: the query embedder, in the vector space the index was built in; None only in
        ``sparse`` mode. A process holds both in a ``SearchEngine``.
    k: number of hits returned. filters: doc / unit (+ role) / deadline year / doc status; a
        year or unit the question states (intent.py) fills a filter left unset.
    mode: ``hybrid`` (default), ``dense`` (embeddings only) or ``sparse`` (BM25 only).
    """
    started = time.perf_counter()
    filters = filters or SearchFilters()
    check_mode(mode)
    plan = plan_query(query, index_freq_db(index))
    if not plan.text:
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True,
                              message="问题为空")
    intent = read_intent(plan.simplified, lookups.unit_names)
    filters, from_query = intent.merged_filters(filters)
    unit = lookup_unit(filters.unit, lookups.canonical_units, lookups.unit_names) if filters.unit else None
    if unit is not None and unit.unit is None:  # several units, or none, go by that name
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True,
                              message=unit.message, unit_candidates=unit.candidates)
    if unit is not None:
        filters = filters.model_copy(update={"unit": unit.unit})
    vector = _query_vector(embedder, index, plan) if mode != "sparse" else None
    rankings = passage_rankings(index, plan, vector)  # BM25 always: cheap, and no-answer uses it
    fused, signals = fuse_items(index, rankings, mode, tuning)
    if tuning.intent_first:
        fused = answering_first(fused, index.cards, intent)
    confidence = answer_confidence(plan, index, lookups.rows_of, rankings, tuning)
    cards = [index.cards[item] for item, _ in fused if item in index.cards]
    facets = facet_counts(cards[:FACET_POOL])
    kept = [(item, score) for item, score in fused if filters.admits(index.cards[item])]
    dense_of = _score_lookup(index, rankings.dense)
    sparse_of = _score_lookup(index, rankings.sparse)
    terms = [w for w, _ in plan.terms if len(w) > 1]
    hits = []
    for rank, (item, score) in enumerate(kept[:k], 1):
        sentence = best_sentence(index, lookups.rows_of, item, rankings, terms)
        text, span = hit_text(index, lookups, item, sentence)
        hits.append(SearchHit(
            rank=rank, card=index.cards[item], sentence=sentence, text=text, text_span=span,
            highlights=tuple(Highlight(start=a, end=b) for a, b in find_terms(text, terms)),
            scores=hit_scores(score, dense_of.get(item), sparse_of.get(item))))
    if from_query and hits:  # the filters the question states narrowed the answers down
        confidence = filtered_confidence(
            plan.own_terms, intent, index.collections["clauses"].sparse.idf,
            [simplified(h.text).lower() for h in hits[:3]], confidence, frame_words())
    no_answer, message = False, None
    if not hits:
        no_answer, message = True, ("没有符合筛选条件的措施" if fused else "索引中没有相关内容")
    elif confidence < tuning.no_answer_threshold:
        no_answer, message = True, "未找到明确答案：以下结果与问题关联较弱，仅供参考"
    return SearchResponse(
        query=query, mode=mode, filters=filters, filters_from_query=from_query, hits=tuple(hits),
        facets=facets, no_answer=no_answer, message=message, expansions=tuple(plan.expansions),
        signals=signals, confidence=round(confidence, 3), index_generation=index.meta.generation,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def hit_text(index: LoadedIndex, lookups: IndexLookups, item_id: str,
             sentence: BestSentence | None) -> tuple[str, Span | None]:
    """What a hit shows a client without another call: a measure's own text (its span in the
    document), or for a context section the passage that matched."""
    card = index.cards[item_id]
    row = lookups.measure_row.get(item_id)
    if card.kind == "measure" and row is not None:
        passage = index.collections["measures"].passages[row]
        return passage.text, passage.span
    if sentence is not None:
        return sentence.text, sentence.span
    return card.title, None


def _query_vector(embedder: Embedder | None, index: LoadedIndex, plan: QueryPlan) -> np.ndarray:
    if embedder is None:
        raise ValueError("dense and hybrid search need a query embedder")
    if embedder.model_id != index.meta.model_id:
        raise IndexNotBuiltError(
            Path(index.folder), f"index was built with {index.meta.model_id}, "
            f"the configured model is {embedder.model_id}",
            "run `taizhang build` again after changing the embedding model",
        )
    return embedder.embed_query(plan.simplified)
