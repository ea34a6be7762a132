"""Hybrid search over the PostgreSQL index (``index/pg_index.py``).

The same shape as the embedded search (search.py): both collections by both retrievers, each
ranking collapsed to items, fused by ``fuse_signals`` with the same tuning. The difference that
matters: filters (doc, status, unit with role, deadline year) are in the SQL, applied BEFORE the
top-k, so a selective filter still returns its best ``DEPTH`` passages rather than what is left of
the unfiltered top 300. HNSW with a filter uses pgvector's iterative scan (``strict_order``), which
keeps reading the graph until enough rows pass the filter; the planner may also pick the btree
on doc_id and sort exactly, which a one-document filter does.

Facets count the top items of the (filtered) ranking, not the unfiltered one; ``answer_confidence``
uses the dense cosine as in search.py and an unweighted lexical coverage (the database has no
per-term IDF to hand).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from search_api.embedding.embed import E5_MODEL_ID, Embedder
from search_api.index.pg_index import vector_literal
from search_api.schemas import (
    BestSentence, Highlight, ItemCard, SearchFilters, SearchHit, SearchMode, SearchResponse,
)
from search_api.search.hybrid import fuse_signals, rrf
from search_api.search.ranking import CJK_CHAR, DEFAULT_TUNING, DEPTH, SearchTuning, plan_query
from search_api.search.search import FACET_POOL, check_mode, facet_counts, hit_scores, squeeze_heading
from search_api.sparse.sparse import find_terms, frame_words, simplified
from pipeline.model import Span

EF_SEARCH = 400  # HNSW candidate list; >= DEPTH so a query's 300 come from one pass
# A query term held by more than this share of passages is left out of the lexical query (when
# another term remains): ts_rank scores every matching row, and 园区 (41% of passages at 200
# synthetic documents) or 建设 (24%) made each lexical query rank ~10k rows, ~90 ms. BM25 gives
# such terms little weight anyway (IDF ~ log(1/0.05) at most); the dense side still sees the whole
# query. Measured at 200 documents: in-process hybrid p50 267 ms → 93 ms (0.1: 148 ms).
COMMON_TERM_SHARE = 0.05


@dataclass(frozen=True)
class PgPassage:
    id: int
    item_id: str
    text: str
    span_start: int
    span_end: int
    page: int
    line: int
    score: float


_COLUMNS = "id, item_id, text, span_start, span_end, page, line"


def filter_sql(filters: SearchFilters) -> tuple[str, dict]:
    """The WHERE conditions (after ``collection = :collection``) and their parameters."""
    where, params = [], {}
    if filters.doc:
        where.append("doc_id = :f_doc")
        params["f_doc"] = filters.doc
    if filters.status:
        where.append("doc_status = :f_status")
        params["f_status"] = filters.status
    if filters.unit:
        where.append("units @> ARRAY[CAST(:f_unit AS text)]")
        params["f_unit"] = f"{filters.unit}|{filters.role}" if filters.role else filters.unit
    if filters.year is not None:
        where.append("years @> ARRAY[CAST(:f_year AS int)]")
        params["f_year"] = filters.year
    return "".join(f" AND {w}" for w in where), params


def dense_ranking(conn: Connection, collection: str, vector: np.ndarray, filters: SearchFilters,
                  depth: int = DEPTH, exact: bool = False) -> list[PgPassage]:
    """The ``depth`` passages nearest ``vector`` that pass ``filters``; ``exact`` forbids the
    HNSW index (a full scan: the reference the approximate search is measured against)."""
    where, params = filter_sql(filters)
    with conn.begin():
        if exact:
            conn.execute(text("SET LOCAL enable_indexscan = off"))
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        else:
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}"))
            conn.execute(text("SET LOCAL hnsw.iterative_scan = strict_order"))
        rows = conn.execute(text(
            f"SELECT {_COLUMNS}, 1 - (embedding <=> CAST(:q AS vector)) AS score FROM search_passages "
            f"WHERE collection = :collection{where} ORDER BY embedding <=> CAST(:q AS vector) LIMIT :k"),
            {"q": vector_literal(vector), "collection": collection, "k": depth, **params}).all()
    return [PgPassage(*r) for r in rows]


def term_shares(conn: Connection) -> dict[str, float]:
    """Share of passages holding each common term, from PostgreSQL's own statistics of the
    ``terms`` column (``ANALYZE`` keeps the most common lexemes; a term not listed is rare)."""
    with conn.begin():
        row = conn.execute(text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'search_passages' AND attname = 'terms'")).first()
    return dict(zip(row[0], row[1])) if row and row[0] else {}


def lexical_terms(terms: list[str], shares: dict[str, float]) -> list[str]:
    """``terms`` without the very common ones (``COMMON_TERM_SHARE``), but never none of them:
    if every term is common, the rarest stays."""
    words = [t for t in dict.fromkeys(terms) if t.strip()]
    kept = [t for t in words if shares.get(t, 0.0) <= COMMON_TERM_SHARE]
    return kept or sorted(words, key=lambda t: shares.get(t, 0.0))[:1]


def sparse_ranking(conn: Connection, collection: str, terms: list[str], filters: SearchFilters,
                   depth: int = DEPTH) -> list[PgPassage]:
    """Passages holding any of ``terms``, by ``ts_rank``; top ``depth`` only (the database
    selects, nothing sorts every score)."""
    words = [t.replace("'", "''") for t in dict.fromkeys(terms) if t.strip()]
    if not words:
        return []
    query = " | ".join(f"'{w}'" for w in words)
    where, params = filter_sql(filters)
    with conn.begin():
        rows = conn.execute(text(
            f"SELECT {_COLUMNS}, ts_rank(terms, q) AS score FROM search_passages, "
            f"to_tsquery('simple', :query) AS q WHERE collection = :collection AND terms @@ q{where} "
            f"ORDER BY score DESC, id LIMIT :k"),
            {"query": query, "collection": collection, "k": depth, **params}).all()
    return [PgPassage(*r) for r in rows]


def _items(ranking: list[PgPassage]) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for p in ranking:
        seen.setdefault(p.item_id, p.score)
    return list(seen.items())


def _best_of(rankings: dict[str, list[PgPassage]]) -> dict[str, tuple[float, int]]:
    """item → (best score, rank among items) over both collections of one retriever."""
    best: dict[str, float] = {}
    for ranking in rankings.values():
        for item, score in _items(ranking):
            best[item] = max(score, best.get(item, float("-inf")))
    ordered = sorted(best.items(), key=lambda kv: -kv[1])
    return {item: (score, rank) for rank, (item, score) in enumerate(ordered, 1)}


def _sentence(item: str, card: ItemCard, dense: list[PgPassage], sparse: list[PgPassage],
              terms: list[str]) -> BestSentence | None:
    mine = [[p for p in ranking if p.item_id == item] for ranking in (dense, sparse)]
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
              tuning: SearchTuning = DEFAULT_TUNING, shares: dict[str, float] | None = None) -> SearchResponse:
    """Measures answering ``query`` from the PostgreSQL index on ``conn``, best first.

    shares: ``term_shares`` of the index (the engine keeps them per generation); None: every
        query term goes to the lexical query.
    """
    started = time.perf_counter()
    filters = filters or SearchFilters()
    check_mode(mode)
    plan = plan_query(query)
    if not plan.text:
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True, message="empty query")
    vector = embedder.embed_query(plan.simplified) if mode != "sparse" and embedder is not None else None
    terms = [w for w, _ in plan.terms]
    dense, sparse = {}, {}
    for name in ("measures", "clauses"):
        if vector is not None:
            dense[name] = dense_ranking(conn, name, vector, filters)
        sparse[name] = sparse_ranking(conn, name, lexical_terms(terms, shares or {}), filters)
    parts = [("dense_measures", dense.get("measures"), 0, "dense"), ("dense_clauses", dense.get("clauses"), 1, "dense"),
             ("sparse_measures", sparse.get("measures"), 2, "sparse"), ("sparse_clauses", sparse.get("clauses"), 3, "sparse")]
    names, lists, weights = [], [], []
    for name, ranking, w, kind in parts:
        if ranking is None or (mode != "hybrid" and kind != mode) or tuning.weights[w] <= 0:
            continue
        names.append(name)
        lists.append(_items(ranking))
        weights.append(tuning.weights[w])
    floors = [-1.0 if n.startswith("dense") else 0.0 for n in names]
    fused, used = fuse_signals(lists, weights=weights, k=tuning.rrf_k, floors=floors, method=tuning.fusion)
    pool = [item for item, _ in fused[:max(k, FACET_POOL)]]
    cards = _cards(conn, pool)
    dense_of, sparse_of = _best_of(dense), _best_of(sparse)
    highlight = [w for w in terms if len(w) > 1]
    kept = [(item, score) for item, score in fused if item in cards][:k]
    hits = []
    for rank, (item, score) in enumerate(kept, 1):
        sentence = _sentence(item, cards[item], dense.get("clauses", []), sparse.get("clauses", []), highlight)
        # the hit's text is its best passage (the embedded search shows a measure's whole text)
        hits.append(SearchHit(
            rank=rank, card=cards[item], sentence=sentence, text=sentence.text if sentence else "",
            text_span=sentence.span if sentence else None, highlights=sentence.highlights if sentence else (),
            scores=hit_scores(score, dense_of.get(item), sparse_of.get(item))))
    hits = tuple(hits)
    confidence = _confidence(plan, model_id, dense.get("clauses", []), sparse.get("clauses", []), tuning)
    no_answer, message = False, None
    if not hits:
        no_answer, message = True, ("没有符合筛选条件的措施" if filters != SearchFilters() else "索引中没有相关内容")
    elif confidence < tuning.no_answer_threshold:
        no_answer, message = True, "未找到明确答案：以下结果与问题关联较弱，仅供参考"
    return SearchResponse(
        query=query, mode=mode, filters=filters, hits=hits,
        facets=facet_counts([cards[i] for i in pool if i in cards][:FACET_POOL]),
        no_answer=no_answer, message=message, expansions=tuple(plan.expansions),
        signals=dict(zip(names, used)), confidence=round(confidence, 3), index_generation=generation,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def _cards(conn: Connection, items: list[str]) -> dict[str, ItemCard]:
    if not items:
        return {}
    with conn.begin():
        rows = conn.execute(text("SELECT item_id, card_json FROM search_cards WHERE item_id = ANY(:ids)"),
                            {"ids": items}).all()
    return {i: ItemCard.model_validate_json(j) for i, j in rows}


def _confidence(plan, model_id: str, dense: list[PgPassage], sparse: list[PgPassage],
                tuning: SearchTuning) -> float:
    frame = frame_words()
    words = [w for w in dict.fromkeys(plan.own_terms) if (len(w) > 1 or not w.isascii()) and w not in frame]
    coverage = 0.0
    if words and sparse:
        texts: dict[str, str] = {}
        for p in sparse:
            if p.item_id in texts or len(texts) < 3:
                texts[p.item_id] = texts.get(p.item_id, "") + p.text
        for body in texts.values():
            body = simplified(body).lower()
            coverage = max(coverage, sum(w in body for w in words) / len(words))
    evidence = coverage
    if dense and model_id == E5_MODEL_ID:
        baseline = tuning.cosine_baseline_zh if CJK_CHAR.search(plan.text) else tuning.cosine_baseline_other
        evidence += tuning.dense_weight * (dense[0].score - baseline)
    return min(max(0.5 + evidence - tuning.evidence_threshold, 0.0), 1.0)
