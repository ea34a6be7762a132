"""Hybrid search over the PostgreSQL index (``index/pg_index.py``), answering as the embedded
search (search.py) does: the same query plan (jieba terms, synonym expansions), the filters a
question states (``intent.py``) and the unit reading (``unit_lookup.py``), both collections by
both retrievers (``pg_rankings.py``: HNSW and BM25), each ranking collapsed to items and fused
by ``fuse_signals`` with the same tuning, answering items first for an owner or deadline
question, facets over the top items of the UNFILTERED ranking, the same hit text (a measure's own
text) and the same no-answer confidence (IDF-weighted lexical coverage + the e5 cosine).

The difference that matters: filters (doc, status, unit with role, deadline year) are in the SQL,
applied BEFORE the top-k, so a selective filter returns its best ``DEPTH`` passages rather than
what is left of an unfiltered top 300. Items are ordered by whether they answer only among the
first ``ANSWER_POOL`` fused items (their cards are read from the database; the embedded search
holds every card in memory).

A search reads one snapshot: every statement from its first ranking to its confidence runs in one
read-only REPEATABLE READ transaction (``pg_rankings.read_snapshot``), so a build committing a
document meanwhile cannot give it hits of the old rows with cards, texts or facets of the new.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from pipeline.model import Span
from search_api.embedding.embed import E5_MODEL_ID, Embedder
from search_api.schemas import (
    BestSentence, Highlight, ItemCard, SearchFilters, SearchHit, SearchMode, SearchResponse,
)
from search_api.search.hybrid import fuse_signals, rrf
from search_api.search.intent import answering_first, filtered_confidence, read_intent
from search_api.search.pg_parallel import RankingWorkers, export_snapshot
from search_api.search.pg_rankings import (
    ExactRankings, PgPassage, dense_ranking, exact_rankings, filter_sql, read_snapshot, sparse_ranking,
)
from search_api.search.pg_unfiltered_cache import UnfilteredCache, unfiltered_key
from search_api.search.ranking import CJK_CHAR, DEFAULT_TUNING, QueryPlan, SearchTuning, plan_query
from search_api.search.search import FACET_POOL, check_mode, facet_counts, hit_scores, squeeze_heading
from search_api.sparse.sparse import find_terms, frame_words, simplified
from search_api.unit_lookup import lookup_unit

T = TypeVar("T")
ANSWER_POOL = 100  # fused items whose cards are read to put answering ones first (see docstring)
_SIGNALS = (("dense_measures", "dense", "measures", 0), ("dense_clauses", "dense", "clauses", 1),
            ("sparse_measures", "sparse", "measures", 2), ("sparse_clauses", "sparse", "clauses", 3))


@dataclass
class PgRankings:
    """Passage rankings per collection and retriever, best first (as ``ranking.Rankings``)."""

    dense: dict[str, list[PgPassage]] = field(default_factory=dict)
    sparse: dict[str, list[PgPassage]] = field(default_factory=dict)


def pg_rankings(conn: Connection, plan: QueryPlan, vector: np.ndarray | None, filters: SearchFilters,
                workers: RankingWorkers | None = None, unfiltered_too: bool = True) -> tuple[PgRankings, PgRankings | None]:
    """The rankings under ``filters`` and, when there are filters, without them (the facets
    show what the query finds unfiltered; with no filter the two are the same object; None when
    ``unfiltered_too`` is false and there are filters: the caller has the facets' items already).
    With ``workers``, every ranking runs on a worker in the snapshot of ``conn``'s open
    transaction (``pg_parallel``), the unfiltered ones while the filtered collections are
    counted; without, one after another on ``conn``. Both give the same rankings."""
    filtered = bool(filter_sql(filters)[0])
    run = _on(conn, workers)

    def rank(chosen: SearchFilters, name: str, passing: int | None) -> dict[str, Future]:
        out: dict[str, Future] = {}
        if vector is not None:
            out["dense"] = run(lambda c: dense_ranking(c, name, vector, chosen, passing=passing))
        if plan.terms:
            out["sparse"] = run(lambda c: sparse_ranking(c, name, plan.terms, chosen, passing=passing))
        return out

    # a filtered collection's passages are counted once for both retrievers, and when few pass
    # both are scored exactly in the same statement (``exact_rankings``: one read of them)
    exact = {name: run(lambda c, n=name: exact_rankings(c, n, vector, plan.terms, filters))
             for name in _COLLECTIONS} if filtered else {}
    unfiltered = ({name: rank(SearchFilters(), name, None) for name in _COLLECTIONS}
                  if unfiltered_too or not filtered else None)
    chosen = {name: _read_exact(exact[name].result()) or rank(filters, name, exact[name].result().passing)
              for name in _COLLECTIONS} if filtered else unfiltered
    collected: list[PgRankings | None] = []
    for per_collection in (chosen, unfiltered):
        if per_collection is None:
            collected.append(None)
            continue
        out = PgRankings()
        for name, futures in per_collection.items():
            for kind, future in futures.items():
                getattr(out, kind)[name] = future.result()
        collected.append(out)
    return collected[0], collected[1]


_COLLECTIONS = ("measures", "clauses")


def _read_exact(found: ExactRankings) -> dict[str, Future] | None:
    """The rankings ``exact_rankings`` read, as ``rank`` gives them; None for a broad filter."""
    if not found.selective:
        return None
    out: dict[str, Future] = {}
    for kind in ("dense", "sparse"):
        if getattr(found, kind) is not None:
            out[kind] = Future()
            out[kind].set_result(getattr(found, kind))
    return out


def _on(conn: Connection, workers: RankingWorkers | None) -> Callable[[Callable[[Connection], T]], Future[T]]:
    """How a ranking runs: on a worker in ``conn``'s snapshot, or now on ``conn`` itself."""
    if workers is not None:
        snapshot = export_snapshot(conn)
        return lambda job: workers.submit(snapshot, job)

    def now(job: Callable[[Connection], T]) -> Future[T]:
        done: Future[T] = Future()
        done.set_result(job(conn))
        return done
    return now


def _items(ranking: list[PgPassage]) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for p in ranking:
        seen.setdefault(p.item_id, p.score)
    return list(seen.items())


def fuse_pg(rankings: PgRankings, mode: SearchMode, tuning: SearchTuning) -> tuple[list[tuple[str, float]], dict[str, bool]]:
    """``ranking.fuse_items`` over the database's rankings."""
    names, lists, weights = [], [], []
    for name, kind, collection, w in _SIGNALS:
        ranking = getattr(rankings, kind).get(collection)
        if ranking is None or (mode != "hybrid" and kind != mode) or tuning.weights[w] <= 0:
            continue
        names.append(name)
        lists.append(_items(ranking))
        weights.append(tuning.weights[w])
    floors = [-1.0 if n.startswith("dense") else 0.0 for n in names]
    fused, used = fuse_signals(lists, weights=weights, k=tuning.rrf_k, floors=floors, method=tuning.fusion)
    return fused, dict(zip(names, used))


def _best_of(rankings: dict[str, list[PgPassage]]) -> dict[str, tuple[float, int]]:
    """item → (best score, rank among items) over both collections of one retriever."""
    best: dict[str, float] = {}
    for ranking in rankings.values():
        for item, score in _items(ranking):
            best[item] = max(score, best.get(item, float("-inf")))
    ordered = sorted(best.items(), key=lambda kv: -kv[1])
    return {item: (score, rank) for rank, (item, score) in enumerate(ordered, 1)}


def _sentence(item: str, card: ItemCard, rankings: PgRankings, terms: list[str]) -> BestSentence | None:
    mine = [[p for p in r.get("clauses", []) if p.item_id == item] for r in (rankings.dense, rankings.sparse)]
    by_id = {p.id: p for ranking in mine for p in ranking}
    if not by_id:
        return None
    ordered = [int(i) for i, _ in rrf([[(str(p.id), p.score) for p in r] for r in mine if r])]
    heading = {squeeze_heading(card.title), squeeze_heading(f"{card.number or ''}{card.title}")}
    best = next((by_id[i] for i in ordered if squeeze_heading(by_id[i].text) not in heading), by_id[ordered[0]])
    spans = find_terms(best.text, terms)
    return BestSentence(text=best.text, span=Span(start=best.span_start, end=best.span_end),
                        page=best.page, line=best.line,
                        highlights=tuple(Highlight(start=a, end=b) for a, b in spans))


def search_pg(query: str, conn: Connection, embedder: Embedder | None, model_id: str, generation: str,
              k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid",
              tuning: SearchTuning = DEFAULT_TUNING, unit_names: Iterable[str] = (),
              workers: RankingWorkers | None = None,
              unfiltered_cache: UnfilteredCache | None = None) -> SearchResponse:
    """Measures answering ``query`` from the PostgreSQL index on ``conn``, best first.

    unit_names: every unit name the index holds (canonical and as written; the engine keeps them
        per generation): a unit the question names becomes a filter, and a typed unit is read
        against them.
    workers: run the rankings side by side in the search's snapshot (``pg_parallel``); None,
        one after another on ``conn``. The answer is the same.
    unfiltered_cache: the facets' items of searches before, by snapshot (``pg_unfiltered_cache``):
        a filtered search of a question asked unfiltered in the same snapshot ranks only under
        its filter. The answer is the same.
    """
    started = time.perf_counter()
    filters = filters or SearchFilters()
    check_mode(mode)
    plan = plan_query(query)
    if not plan.text:
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True, message="问题为空")
    names = set(unit_names)
    intent = read_intent(plan.simplified, names)
    filters, from_query = intent.merged_filters(filters)
    if filters.unit:
        unit = lookup_unit(filters.unit, names)
        if unit.unit is None:  # several units, or none, go by that name
            return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True,
                                  message=unit.message, unit_candidates=unit.candidates)
        filters = filters.model_copy(update={"unit": unit.unit})
    vector = embedder.embed_query(plan.simplified) if mode != "sparse" and embedder is not None else None
    if mode != "sparse" and vector is None:
        raise ValueError("dense and hybrid search need a query embedder")
    with read_snapshot(conn):  # one snapshot for everything the answer reads (docstring)
        # the facets' items, when this question was asked in this snapshot before (pg_unfiltered_cache)
        key = unfiltered_key(conn, model_id, plan, mode, tuning) if unfiltered_cache is not None else None
        known = unfiltered_cache.get(key) if key is not None else None
        rankings, unfiltered_rankings = pg_rankings(conn, plan, vector, filters, workers,
                                                    unfiltered_too=known is None)
        fused, signals = fuse_pg(rankings, mode, tuning)
        if unfiltered_rankings is None:  # a filtered search whose unfiltered items are known
            unfiltered = known
        elif unfiltered_rankings is rankings:
            unfiltered = fused
        else:  # facets show what the query finds without the filters
            unfiltered, _ = fuse_pg(unfiltered_rankings, mode, tuning)
        if key is not None and known is None:
            unfiltered_cache.put(key, unfiltered[:FACET_POOL])
        pool = list(dict.fromkeys(i for i, _ in (*fused[:max(k, ANSWER_POOL)], *unfiltered[:FACET_POOL])))
        cards = _cards(conn, pool)
        if tuning.intent_first:
            fused = (answering_first([(i, s) for i, s in fused[:ANSWER_POOL] if i in cards], cards, intent)
                     + fused[ANSWER_POOL:])
            unfiltered = answering_first([(i, s) for i, s in unfiltered[:FACET_POOL] if i in cards], cards, intent)
        facets = facet_counts([cards[i] for i, _ in unfiltered[:FACET_POOL] if i in cards])
        kept = [(item, score) for item, score in fused if item in cards][:k]
        measure_texts = _measure_texts(conn, [i for i, _ in kept])
        dense_of, sparse_of = _best_of(rankings.dense), _best_of(rankings.sparse)
        highlight = [w for w, _ in plan.terms if len(w) > 1]
        hits = []
        for rank, (item, score) in enumerate(kept, 1):
            sentence = _sentence(item, cards[item], rankings, highlight)
            shown, span = (measure_texts[item] if cards[item].kind == "measure" and item in measure_texts else
                           (sentence.text, sentence.span) if sentence else (cards[item].title, None))
            hits.append(SearchHit(
                rank=rank, card=cards[item], sentence=sentence, text=shown, text_span=span,
                highlights=tuple(Highlight(start=a, end=b) for a, b in find_terms(shown, highlight)),
                scores=hit_scores(score, dense_of.get(item), sparse_of.get(item))))
        idf = _Idf(conn, "clauses")
        confidence = _confidence(conn, plan, model_id, rankings, tuning, idf)
        if from_query and hits:  # the filters the question states narrowed the answers down
            confidence = filtered_confidence(plan.own_terms, intent, idf,
                                             [simplified(h.text).lower() for h in hits[:3]], confidence, frame_words())
    no_answer, message = False, None
    if not hits:
        no_answer, message = True, ("没有符合筛选条件的措施" if unfiltered else "索引中没有相关内容")
    elif confidence < tuning.no_answer_threshold:
        no_answer, message = True, "未找到明确答案：以下结果与问题关联较弱，仅供参考"
    return SearchResponse(
        query=query, mode=mode, filters=filters, filters_from_query=from_query, hits=tuple(hits),
        facets=facets, no_answer=no_answer, message=message, expansions=tuple(plan.expansions),
        signals=signals, confidence=round(confidence, 3), index_generation=generation,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def _cards(conn: Connection, items: list[str]) -> dict[str, ItemCard]:
    if not items:
        return {}
    with read_snapshot(conn):
        rows = conn.execute(text("SELECT item_id, card_json FROM search_cards WHERE item_id = ANY(:ids)"),
                            {"ids": items}).all()
    return {i: ItemCard.model_validate_json(j) for i, j in rows}


def _measure_texts(conn: Connection, items: list[str]) -> dict[str, tuple[str, Span]]:
    """Each item's text in the item-level collection (``search.hit_text``: a measure's own text)."""
    if not items:
        return {}
    with read_snapshot(conn):
        rows = conn.execute(text("SELECT item_id, text, span_start, span_end FROM search_passages "
                                 "WHERE collection = 'measures' AND item_id = ANY(:ids) ORDER BY id"),
                            {"ids": items}).all()
    out: dict[str, tuple[str, Span]] = {}
    for item, body, start, end in rows:
        out.setdefault(item, (body, Span(start=start, end=end)))
    return out


class _Idf:
    """BM25 idf of words in one collection, looked up when asked (``SparseIndex.idf``)."""

    def __init__(self, conn: Connection, collection: str) -> None:
        self._conn, self._collection = conn, collection
        self._known: dict[str, float] = {}
        with read_snapshot(conn):
            row = conn.execute(text("SELECT passages FROM search_collections WHERE collection = :c"),
                               {"c": collection}).first()
        self._n = int(row[0]) if row else 0

    def prefetch(self, words: Iterable[str]) -> None:
        missing = [w for w in dict.fromkeys(words) if w not in self._known]
        if not missing:
            return
        with read_snapshot(self._conn):
            df = dict(self._conn.execute(text("SELECT term, df FROM search_term_stats WHERE collection = :c "
                                              "AND term = ANY(:t)"), {"c": self._collection, "t": missing}).all())
        for w in missing:
            d = int(df.get(w, 0))
            self._known[w] = math.log(1 + (self._n - d + 0.5) / (d + 0.5))

    def __call__(self, word: str) -> float:
        self.prefetch([word])
        return self._known[word]


def _confidence(conn: Connection, plan: QueryPlan, model_id: str, rankings: PgRankings,
                tuning: SearchTuning, idf: _Idf) -> float:
    """``ranking.answer_confidence``: IDF-weighted coverage of the query's topic words by one of
    the best three BM25 items (all their clauses), plus the e5 cosine of the best clause."""
    frame = frame_words()
    words = [w for w in dict.fromkeys(plan.own_terms) if (len(w) > 1 or not w.isascii()) and w not in frame]
    ranking = rankings.sparse.get("clauses") or []
    coverage = 0.0
    if words and ranking:
        idf.prefetch(words)
        weights = {w: idf(w) for w in words}
        total = sum(weights.values())
        top = [item for item, _ in _items(ranking)[:3]]
        with read_snapshot(conn):
            rows = conn.execute(text("SELECT item_id, text FROM search_passages WHERE collection = 'clauses' "
                                     "AND item_id = ANY(:ids) ORDER BY id"), {"ids": top}).all()
        bodies: dict[str, str] = {}
        for item, body in rows:
            bodies[item] = bodies.get(item, "") + body
        for body in bodies.values():
            body = simplified(body).lower()
            coverage = max(coverage, sum(v for w, v in weights.items() if w in body) / total)
    evidence = coverage
    dense = rankings.dense.get("clauses") or []
    if dense and model_id == E5_MODEL_ID:
        baseline = tuning.cosine_baseline_zh if CJK_CHAR.search(plan.text) else tuning.cosine_baseline_other
        evidence += tuning.dense_weight * (dense[0].score - baseline)
    return min(max(0.5 + evidence - tuning.evidence_threshold, 0.0), 1.0)
