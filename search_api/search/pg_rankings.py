"""A query's passage rankings on PostgreSQL (tables: ``index/pg_schema.py``): dense (pgvector
HNSW over the distinct contents) and lexical (BM25 over the contents' terms), with the filters in
the SQL so that they apply BEFORE the top-k.

How each ranking is read, by how many passages the filter leaves in the collection (counted up
to ``EXACT_LIMIT``, through the filter's own indexes):

- no filter: the ``k`` nearest contents from the HNSW graph (``hnsw.ef_search`` ≥ k, set with
  ``SET LOCAL`` in the query's own transaction: statements are never prepared, see
  ``pg_engine``), then their passages; BM25 exact by a threshold over each term's best postings.
- a selective filter (≤ ``EXACT_LIMIT`` passages): exact. Every passing passage is scored (its
  content's distance; its BM25 from the (content, term) primary key): recall 1 by construction,
  and cheaper than walking a graph for rows a filter would mostly reject. A search counts the
  passing passages and reads both exact rankings in one statement (``exact_rankings``).
- a broad filter: the graph is read further (``hnsw.iterative_scan``) until enough contents
  have a passage that passes, widening by 4 until ``depth`` passages are found or the whole
  collection was read; BM25 reads postings as without a filter and joins its best candidates
  to their passing passages, reading further until ``depth`` of them pass and beat the bound.

BM25 is the embedded index's (``sparse_build``): the same tokens, k1, b and Lucene idf
``log(1 + (N - df + 0.5) / (df + 0.5))`` over passages (df and N count passages, not distinct
contents), the score ``sum_t weight_t * idf_t * tf / (tf + k1 * (1 - b + b * len / avg))``. The
top k is exact without reading every posting of a common term (园区, 建设: a third of the
collection): a threshold algorithm over postings ordered by tf descending, length ascending
(index ``search_terms_by_tf``). Each term's first ``read`` postings name candidates; a content
outside them has, for each term, a share no larger than that of the term's first unread posting
(or of one with a tf one lower and length 1), so its score is bounded (``unread_bound``, true for
any average length). Of the candidates, only those whose upper bound from the read postings
reaches the depth-th lower bound are scored exactly, by probes of their own postings
(``pg_bm25``: the others cannot enter the top). When the depth-th passage found scores above
the unread bound the ranking is proven; else ``read`` grows by ``WIDEN``. Scores are rounded
to 1e-10 (``_BM25``), so that equal scores tie whichever plan summed them.

Every read of a search is one snapshot (``read_snapshot``): a build rewrites the index one
document per transaction while searches run, and a search that read its rankings, cards and
facets in separate transactions could mix the old rows with the new.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from search_api.index.pg_index import BM25_B, BM25_K1, vector_literal
from search_api.index.pg_schema import check_collection
from search_api.schemas import SearchFilters
from search_api.search.pg_bm25 import (QUERY_TERMS, SHARE, bm25_share, pruned_round, round_params,  # noqa: F401
                                       unread_bound, unread_bounds)
from search_api.search.ranking import DEPTH

# HNSW candidate list for an unfiltered query: >= DEPTH, so its 300 come from one pass. 400 gave
# recall@10 0.85 at 1,000 documents of the bench (fake embedder, 384 dims: hashed bigrams, close
# to random directions, the hardest case for a graph), 1,000 gave 1.0 for ~3 ms more per ranking.
EF_SEARCH = 1000
EF_SEARCH_MAX = 1000  # pgvector's ceiling; a wider read goes on by iterative scan
EXACT_LIMIT = 20_000  # a filter leaving at most this many passages in a collection is scored exactly
# postings read per query term in BM25's first round (tf descending, length ascending); a round
# that cannot prove its top k reads WIDEN times as many (module docstring)
POSTINGS_FIRST = 2_000
WIDEN = 4  # a read that must go further (graph candidates, postings) grows by this factor


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


@contextmanager
def read_snapshot(conn: Connection) -> Iterator[Connection]:
    """One read-only REPEATABLE READ transaction on ``conn``: every statement inside sees the
    index as it was at the first one, whatever a build commits meanwhile (and its ``SET LOCAL``
    settings end with it). Called inside a transaction already open, it joins that one: the
    caller chose the snapshot (``pg_search.search_pg`` holds one over a whole search)."""
    if conn.in_transaction():
        yield conn
        return
    with conn.begin():
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        yield conn


_COLUMNS = "p.id, p.item_id, p.text, p.span_start, p.span_end, p.page, p.line"
# the passages a filter keeps (id, content), read once through the filter's indexes; ``{where}``
# is filled by ``filter_sql``'s conditions
_KEPT_SQL = ("kept AS MATERIALIZED (SELECT p.id, p.content_id FROM search_passages p "
             "WHERE p.collection = :collection{where})")


# a selective filter's rankings, exact over the contents of the passages ``kept``: each distinct
# content compared (or scored) once, then its best passing passages
_EXACT_DENSE = ("near AS (SELECT c.id, c.embedding <=> CAST(:q AS halfvec) AS d FROM search_contents c "
                "WHERE c.id IN (SELECT content_id FROM kept)), "
                "dense_best AS (SELECT kept.id, near.d AS d FROM near JOIN kept ON kept.content_id = near.id "
                "ORDER BY near.d, kept.id LIMIT :depth)")
# rounded to 1e-10: a float sum's last bits depend on the order the plan adds the terms in, and
# texts repeated across documents score alike, so unrounded their order (ties go by id) and the
# ranks the answer reports moved with the plan (the stopping test's 1e-9 margin is wider)
_BM25 = f"CAST(round(CAST(sum({SHARE}) AS numeric), 10) AS float8)"
_EXACT_SPARSE = ("hits AS (SELECT t.content_id, " + _BM25 + " AS score FROM q "
                 "JOIN search_terms t ON t.collection = :collection AND t.term = q.term "
                 "WHERE t.content_id IN (SELECT content_id FROM kept) GROUP BY t.content_id), "
                 "sparse_best AS (SELECT kept.id, hits.score FROM hits JOIN kept ON kept.content_id = hits.content_id "
                 "ORDER BY hits.score DESC, kept.id LIMIT :depth)")
# at the top of each ranking's branch, not in its CTEs: a one-time filter there skips the whole
# ranking for a broad filter, while inside ``hits`` it turned BM25's hash join over the terms'
# postings into a probe per passing content and term (35,040 probes, 100 ms for 2,537 passages)
_UNLESS_BROAD = " WHERE (SELECT count(*) FROM kept) <= :limit"


def filter_sql(filters: SearchFilters) -> tuple[str, dict]:
    """The conditions on passages ``p`` (each after `` AND ``) and their parameters."""
    where, params = [], {}
    if filters.doc:
        where.append("p.doc_id = :f_doc")
        params["f_doc"] = filters.doc
    if filters.status:
        where.append("p.doc_status = :f_status")
        params["f_status"] = filters.status
    if filters.unit:
        where.append("p.units @> ARRAY[CAST(:f_unit AS text)]")
        params["f_unit"] = f"{filters.unit}|{filters.role}" if filters.role else filters.unit
    if filters.year is not None:
        where.append("p.years @> ARRAY[CAST(:f_year AS int)]")
        params["f_year"] = filters.year
    return "".join(f" AND {w}" for w in where), params


def matching_passages(conn: Connection, collection: str, filters: SearchFilters, limit: int = EXACT_LIMIT) -> int:
    """How many of the collection's passages pass ``filters``, counted up to ``limit + 1``."""
    where, params = filter_sql(filters)
    return int(conn.execute(text(
        f"SELECT count(*) FROM (SELECT 1 FROM search_passages p WHERE p.collection = :collection{where} "
        "LIMIT :limit) s"), {"collection": collection, "limit": limit + 1, **params}).scalar())


def _rows(result) -> list[PgPassage]:
    return [PgPassage(*r) for r in result]


def _selective(conn: Connection, collection: str, filters: SearchFilters, where: str, passing: int | None) -> bool:
    """Whether ``filters`` leave few enough passages to score them all (``passing``: their count
    up to ``EXACT_LIMIT + 1`` when the caller has it: a search counts once for both rankings)."""
    if not where:
        return False
    return (passing if passing is not None else matching_passages(conn, collection, filters)) <= EXACT_LIMIT


def dense_ranking(conn: Connection, collection: str, vector: np.ndarray, filters: SearchFilters,
                  depth: int = DEPTH, exact: bool = False, passing: int | None = None) -> list[PgPassage]:
    """The ``depth`` passages nearest ``vector`` (score: cosine) that pass ``filters``, nearest
    first, ties by id. ``exact``: no graph at all (the reference the graph is measured against).
    ``passing``: ``matching_passages`` of ``filters``, when the caller counted it."""
    check_collection(collection)
    where, params = filter_sql(filters)
    params = {"q": vector_literal(vector), "collection": collection, "depth": depth, **params}
    with read_snapshot(conn):
        if exact or _selective(conn, collection, filters, where, passing):
            # ``+ 0``: an order the HNSW index cannot give, so every row is compared
            near = (f"SELECT id, embedding <=> CAST(:q AS halfvec) AS d FROM search_contents "
                    f"WHERE collection = '{collection}' ORDER BY (embedding <=> CAST(:q AS halfvec)) + 0 LIMIT :depth")
            if where:  # each distinct content of the passing passages compared once
                return _rows(conn.execute(text(
                    f"WITH {_KEPT_SQL.format(where=where)}, {_EXACT_DENSE} "
                    f"SELECT {_COLUMNS}, 1 - dense_best.d FROM dense_best "
                    "JOIN search_passages p ON p.id = dense_best.id ORDER BY dense_best.d, p.id"), params))
            return _rows(conn.execute(text(_near_passages(near, "")), params))
        contents = None  # at most the collection's passages, read once a filtered read must widen
        k = depth
        while True:
            # set each time: an earlier ranking in the same snapshot may have widened its read
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {min(max(k, EF_SEARCH), EF_SEARCH_MAX)}"))
            widening = k > EF_SEARCH_MAX
            conn.execute(text(f"SET LOCAL hnsw.iterative_scan = {'relaxed_order' if widening else 'off'}"))
            if widening:
                conn.execute(text(f"SET LOCAL hnsw.max_scan_tuples = {k * 2}"))
            near = (f"SELECT id, embedding <=> CAST(:q AS halfvec) AS d FROM search_contents "
                    f"WHERE collection = '{collection}' ORDER BY embedding <=> CAST(:q AS halfvec) LIMIT :k")
            found = _rows(conn.execute(text(_near_passages(near, where)), {**params, "k": k}))
            if len(found) >= depth or not where:
                return found
            if contents is None:  # (counting the contents themselves is a scan of the collection)
                contents = conn.execute(text(
                    "SELECT passages FROM search_collections WHERE collection = :collection"), params).scalar()
            if k >= contents:
                return found
            k *= WIDEN


@dataclass(frozen=True)
class ExactRankings:
    """A filter's rankings in one collection, read by ``exact_rankings``: ``passing`` passages
    (counted up to ``EXACT_LIMIT + 1``); ``selective``: at most ``EXACT_LIMIT`` pass, and the
    rankings asked for were read (else they are None: the graph and the postings must be read)."""

    passing: int
    selective: bool = False
    dense: list[PgPassage] | None = None
    sparse: list[PgPassage] | None = None


def exact_rankings(conn: Connection, collection: str, vector: np.ndarray | None, terms: list[tuple[str, float]],
                   filters: SearchFilters, depth: int = DEPTH) -> ExactRankings:
    """``matching_passages``, and when the filter is selective ``dense_ranking`` (with a
    ``vector``) and ``sparse_ranking`` (with ``terms``), from ONE read of the passing passages:
    counted, compared and scored in one statement instead of three reads of the filter's
    indexes. The rankings are those two functions' (the same SQL); a broad filter costs the
    count alone, as before."""
    check_collection(collection)
    where, params = filter_sql(filters)
    if not where:
        raise ValueError("exact_rankings is for filtered rankings")
    params = {**params, "collection": collection, "depth": depth, "limit": EXACT_LIMIT}
    with read_snapshot(conn):
        weighted = bm25_terms(conn, collection, terms) if terms else Bm25Terms([], [], 1.0)
        ctes, parts = [f"kept AS MATERIALIZED (SELECT p.id, p.content_id FROM search_passages p "
                       f"WHERE p.collection = :collection{where} LIMIT :limit + 1)"], []
        if vector is not None:
            ctes.append(_EXACT_DENSE)
            parts.append(f"SELECT 0, row_number() OVER (ORDER BY dense_best.d, p.id) AS rank, {_COLUMNS}, "
                         f"1 - dense_best.d FROM dense_best JOIN search_passages p ON p.id = dense_best.id{_UNLESS_BROAD}")
            params["q"] = vector_literal(vector)
        if weighted:
            ctes[:0] = [QUERY_TERMS]
            ctes.append(_EXACT_SPARSE)
            parts.append(f"SELECT 1, row_number() OVER (ORDER BY sparse_best.score DESC, p.id), {_COLUMNS}, "
                         f"sparse_best.score FROM sparse_best JOIN search_passages p ON p.id = sparse_best.id{_UNLESS_BROAD}")
            params.update(terms=weighted.terms, weights=weighted.weights, avg=weighted.average_length,
                          k1=BM25_K1, b=BM25_B)
        parts.append("SELECT 2, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM kept")
        rows = conn.execute(text(f"WITH {', '.join(ctes)} SELECT * FROM ({' UNION ALL '.join(f'({p})' for p in parts)}) "
                                 "s(part, rank, id, item_id, text, span_start, span_end, page, line, score) "
                                 "ORDER BY part, rank"), params).all()
    passing = int(rows[-1][-1])
    if passing > EXACT_LIMIT:
        return ExactRankings(passing)
    found: dict[int, list[PgPassage]] = {0: [], 1: []}
    for part, _, *passage in rows[:-1]:
        found[part].append(PgPassage(*passage))
    return ExactRankings(passing, True, found[0] if vector is not None else None, found[1] if terms else None)


def _near_passages(near: str, where: str) -> str:
    """The passages of the contents ``near`` selects, nearest first (``MATERIALIZED``: the
    contents are chosen first, by the graph, then joined)."""
    return (f"WITH near AS MATERIALIZED ({near}) SELECT {_COLUMNS}, 1 - near.d FROM near "
            f"JOIN search_passages p ON p.content_id = near.id WHERE p.collection = :collection{where} "
            "ORDER BY near.d, p.id LIMIT :depth")


@dataclass(frozen=True)
class Bm25Terms:
    """A query's terms as BM25 weighs them in one collection: each with its weight × idf."""

    terms: list[str]
    weights: list[float]
    average_length: float

    def __bool__(self) -> bool:
        return bool(self.terms)


def bm25_terms(conn: Connection, collection: str, terms: list[tuple[str, float]]) -> Bm25Terms:
    """``terms`` (word, weight) with the collection's idf folded into their weights; a term no
    passage holds is left out, as the embedded index leaves out words outside its vocabulary."""
    stats = conn.execute(text("SELECT passages, total_length FROM search_collections WHERE collection = :c"),
                         {"c": collection}).first()
    if not stats or not stats[0]:
        return Bm25Terms([], [], 1.0)
    n, total = int(stats[0]), int(stats[1])
    weight = dict(t for t in terms if t[0])
    df = dict(conn.execute(text("SELECT term, df FROM search_term_stats WHERE collection = :c AND term = ANY(:t) "
                                "AND df > 0"), {"c": collection, "t": list(weight)}).all())
    kept = [t for t in weight if t in df]
    return Bm25Terms(kept, [weight[t] * math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in kept], total / n)


def sparse_ranking(conn: Connection, collection: str, terms: list[tuple[str, float]], filters: SearchFilters,
                   depth: int = DEPTH, every_posting: bool = False, passing: int | None = None) -> list[PgPassage]:
    """The ``depth`` passages with the best BM25 score for ``terms`` (word, weight) that pass
    ``filters``, best first, ties by id: exact (module docstring). ``every_posting``: score every
    posting of every term instead of stopping at the bound (the reference the bound is tested
    against). ``passing``: as ``dense_ranking``'s."""
    check_collection(collection)
    where, params = filter_sql(filters)
    with read_snapshot(conn):
        weighted = bm25_terms(conn, collection, terms)
        if not weighted:
            return []
        params = {"terms": weighted.terms, "weights": weighted.weights, "avg": weighted.average_length,
                  "k1": BM25_K1, "b": BM25_B, "collection": collection, "depth": depth, **params}
        if _selective(conn, collection, filters, where, passing):
            # the query terms' postings of the passing passages' contents, scored per content
            return _rows(conn.execute(text(
                f"WITH {QUERY_TERMS}, {_KEPT_SQL.format(where=where)}, {_EXACT_SPARSE} "
                f"SELECT {_COLUMNS}, sparse_best.score FROM sparse_best "
                "JOIN search_passages p ON p.id = sparse_best.id ORDER BY sparse_best.score DESC, p.id"), params))
        if every_posting:
            return _rows(conn.execute(text(
                f"WITH {QUERY_TERMS}, hits AS (SELECT t.content_id, {_BM25} AS score FROM q JOIN search_terms t "
                "ON t.collection = :collection AND t.term = q.term GROUP BY t.content_id) "
                f"SELECT {_COLUMNS}, hits.score FROM hits JOIN search_passages p ON p.content_id = hits.content_id "
                f"WHERE p.collection = :collection{where} ORDER BY hits.score DESC, p.id LIMIT :depth"), params))
        # Each term's best ``read`` postings name the candidates; only those that may enter the
        # top are scored exactly (``pg_bm25``). A content outside them scores at most the sum of
        # the terms' unread bounds: once the depth-th passage found scores more, nothing unread
        # can enter the top; else read on. With a filter, too few passing passages among the
        # candidates score none: the round reads further, until every posting was read.
        sql = text(f"WITH {pruned_round(where)} SELECT {_COLUMNS}, exact.score FROM exact "
                   "JOIN search_passages p ON p.content_id = exact.content_id "
                   # below the threshold (a depth-th score's lower bound) no content can be in the top
                   "WHERE exact.score >= (SELECT low FROM theta) - 1e-9 "
                   f"AND p.collection = :collection{where} ORDER BY exact.score DESC, p.id LIMIT :depth")
        read = POSTINGS_FIRST
        while True:
            # first: the bounds decide which candidates are scored
            bounds = unread_bounds(conn, params, weighted.terms, weighted.average_length, read)
            found = _rows(conn.execute(sql, {**params, **round_params(bounds, read)}))
            if bounds.exhausted or (len(found) >= depth and found[-1].score > bounds.total + 1e-9):
                return found
            read *= WIDEN
