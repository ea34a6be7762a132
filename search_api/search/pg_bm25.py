"""One round of the unfiltered (or broadly filtered) PostgreSQL BM25 ranking: which of the
candidates that each term's best ``read`` postings name must be scored exactly, and their scores.

Why: scoring every candidate over every query term made the planner read ALL postings of the
query's terms each round and hash-join them to the candidates (53,378 postings for ~8,400
candidates at 1,000 documents, 16 terms; 7-9x as many per round at 10,000), a cost that grows
with the corpus however few postings the round reads (bench/README.md).

How (threshold pruning, exact): each term t that has postings left bounds what one it has not
read can add, ``b_t`` (``unread_bound``'s term: its weight × idf × the larger of the shares of its
first unread posting and of one with a tf one lower and length 1). The read postings alone give
each candidate content c
  L(c) = the sum of its read postings' shares (exact for those terms), and
  U(c) = L(c) + the sum of ``b_t`` over the terms whose read postings do not hold c,
so L(c) <= score(c) <= U(c). theta = the depth-th best L over the passages that pass the filter
is at most the exact depth-th score, so a candidate with U < theta cannot enter the top: only
the others are scored, by the read postings they have plus a primary-key probe per term they
lack that still has postings unread (an exhausted term has no posting for them). A content in
no read posting scores at most ``sum(b_t)``; ``pg_rankings.sparse_ranking`` stops when the
depth-th passage scores above it. Fewer than depth passing passages among the candidates
cannot give a top yet: nothing is scored and the caller reads further, unless every posting
was read (then L is exact and every candidate is kept).

Shares are the same SQL expression as the reference's (``SHARE``), and scores are summed and
rounded to 1e-10 as ``pg_rankings._BM25`` does, so ties break by id exactly as there; the 1e-9
margin on theta absorbs the float error of summing L and U in another order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from search_api.index.pg_index import BM25_B, BM25_K1

QUERY_TERMS = "q AS (SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:weights AS float8[])) AS u(term, w))"
SHARE = "q.w * t.tf / (t.tf + :k1 * (1 - :b + :b * t.length / :avg))"  # one posting's part of the sum
# the first unread posting of each term after its ``read`` best ones (tf descending, length ascending)
FIRST_UNREAD = text(
    f"WITH {QUERY_TERMS} SELECT q.term, q.w, u.tf, u.length FROM q CROSS JOIN LATERAL (SELECT t.tf, t.length "
    "FROM search_terms t WHERE t.collection = :collection AND t.term = q.term "
    "ORDER BY t.tf DESC, t.length LIMIT 1 OFFSET :read) u")


def bm25_share(tf: int, length: int, average_length: float) -> float:
    """A term's BM25 score in one text before its weight × idf (``SHARE`` in Python)."""
    return tf / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average_length))


def term_bound(weight: float, tf: int, length: int, average_length: float) -> float:
    """The most one posting of a term can score from its first unread one (tf, length) on: the
    postings after it have its tf and a length at least its own, or a smaller tf and any length
    (at least 1), and a share grows with tf and shrinks with the length."""
    return weight * max(bm25_share(tf, length, average_length), bm25_share(tf - 1, 1, average_length))


def unread_bound(first_unread: list[tuple[float, int, int]], average_length: float) -> float:
    """The most a content outside every term's read postings can score. ``first_unread``: per
    term that has postings left, (weight × idf, tf, length) of its first unread one."""
    return sum(term_bound(w, tf, length, average_length) for w, tf, length in first_unread)


@dataclass(frozen=True)
class UnreadBounds:
    """Per query term (in the order of the terms), ``term_bound`` of its first unread posting, 0
    for a term whose postings were all read; ``total``: their ``unread_bound``."""

    bounds: list[float]
    total: float

    @property
    def exhausted(self) -> bool:
        """Every posting of every term was read."""
        return not any(self.bounds)


def unread_bounds(conn: Connection, params: dict, terms: list[str], average_length: float, read: int) -> UnreadBounds:
    """``UnreadBounds`` after each term's first ``read`` postings (``params``: the ranking's, with
    ``terms``, ``weights`` and ``collection``)."""
    rows = conn.execute(FIRST_UNREAD, {**params, "read": read}).all()
    by_term = {term: term_bound(w, tf, length, average_length) for term, w, tf, length in rows}
    return UnreadBounds([by_term.get(t, 0.0) for t in terms],
                        unread_bound([(w, tf, length) for _, w, tf, length in rows], average_length))


def round_params(bounds: UnreadBounds, read: int) -> dict:
    """The parameters ``pruned_round`` adds to the ranking's."""
    return {"read": read, "bounds": bounds.bounds, "unread": bounds.total, "exhausted": bounds.exhausted}


def pruned_round(where: str) -> str:
    """The round's CTEs, up to ``exact`` (content_id, score: the candidates that may enter the
    top, scored exactly and rounded); ``where``: ``filter_sql``'s conditions on passages ``p``.
    ``taken`` is MATERIALIZED so that the terms' postings are read once for L, U and the scores."""
    return (
        "q AS (SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:weights AS float8[]), "
        "CAST(:bounds AS float8[])) AS u(term, w, bound)), "
        f"taken AS MATERIALIZED (SELECT q.term, q.bound, t.content_id, {SHARE} AS share FROM q CROSS JOIN LATERAL "
        "(SELECT t.content_id, t.tf, t.length FROM search_terms t WHERE t.collection = :collection "
        "AND t.term = q.term ORDER BY t.tf DESC, t.length LIMIT :read) t), "
        "candidates AS MATERIALIZED (SELECT content_id, sum(share) AS low, "
        "sum(share) + (:unread - sum(bound)) AS high, array_agg(term) AS held FROM taken GROUP BY content_id), "
        # best L first, each probing its passages until depth pass (a nested loop the LIMIT stops)
        "theta AS (SELECT CASE WHEN count(*) >= :depth THEN min(low) WHEN :exhausted THEN '-infinity' "
        "ELSE 'infinity' END AS low FROM (SELECT c.low FROM candidates c JOIN search_passages p "
        f"ON p.content_id = c.content_id WHERE p.collection = :collection{where} ORDER BY c.low DESC "
        "LIMIT :depth) best), "
        "scored AS MATERIALIZED (SELECT c.content_id, c.held FROM candidates c "
        "WHERE c.high >= (SELECT low FROM theta) - 1e-9), "
        f"probed AS (SELECT s.content_id, {SHARE} AS share FROM scored s CROSS JOIN q JOIN search_terms t "
        "ON t.content_id = s.content_id AND t.term = q.term AND t.collection = :collection "
        "WHERE q.bound > 0 AND q.term <> ALL(s.held)), "
        "exact AS (SELECT x.content_id, CAST(round(CAST(sum(x.share) AS numeric), 10) AS float8) AS score "
        "FROM (SELECT taken.content_id, taken.share FROM taken JOIN scored ON scored.content_id = taken.content_id "
        "UNION ALL SELECT content_id, share FROM probed) x GROUP BY x.content_id)")


@dataclass(frozen=True)
class RoundCounts:
    """What one round read: ``candidates`` (contents in some term's read postings), ``scored``
    (those not pruned, scored exactly), ``probed`` (postings of theirs found by a probe: a term
    whose read postings did not hold them)."""

    candidates: int
    scored: int
    probed: int


def round_counts(conn: Connection, params: dict, where: str, bounds: UnreadBounds, read: int) -> RoundCounts:
    """``RoundCounts`` of the round ``pruned_round`` runs with these parameters (``params``: the
    ranking's, with ``depth``, the filter's and the BM25 constants)."""
    row = conn.execute(text(
        f"WITH {pruned_round(where)} SELECT (SELECT count(*) FROM candidates), (SELECT count(*) FROM scored), "
        "(SELECT count(*) FROM probed)"), {**params, **round_params(bounds, read)}).one()
    return RoundCounts(*map(int, row))
