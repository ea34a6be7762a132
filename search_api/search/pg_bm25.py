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
so L(c) <= score(c) <= U(c). Any ``depth`` passages that pass the filter bound the exact
depth-th score from below by their smallest score: the round scores exactly the contents of
the depth best passing passages by L and by U (a few hundred), takes the depth-th of those
scores as the threshold (at least the depth-th L), and scores only the other candidates whose
U reaches it; the rest cannot enter the top. A candidate's score is its read postings' shares
plus, per term it was not read for that still has postings unread, a probe of the (content,
term) key (an exhausted term has no posting for it), or one join over those terms' postings
when the probes would cost more (``PROBE_COST``; small collections). A content in no read posting scores at most
``sum(b_t)``; ``pg_rankings.sparse_ranking`` stops when the depth-th passage scores above it. A
round that cannot get there (the depth-th best U over passing passages, or the threshold, is
not above it, or fewer than depth passages pass) returns nothing and the caller reads further,
unless every posting was read (then L is exact and everything is scored): the top contents
alone could otherwise look proven while a candidate left unscored beats them.

At 1,000 documents, the first 8 bench queries × 2 collections, depth 300: of 2,300–10,200
candidates a first round scores 3–2,200 (8,900 for one 16-term query whose first round cannot
prove its top).

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


def _best_passing(column: str, where: str) -> str:
    """(content_id, held, passage id) of the first ``depth`` passing passages of the candidates
    taken best ``column`` first: a nested loop over the sorted candidates that the LIMIT stops
    after about ``depth`` probes of ``search_passages`` (the LATERAL's own LIMIT keeps the
    planner from hashing every passage of the collection instead). Whatever order the plan
    gives, any ``depth`` passing passages bound the depth-th score: the order only makes the
    bound the tightest."""
    # unfiltered, every content has a passage (a build deletes those without): depth contents do
    first = "" if where else " LIMIT :depth"
    return (f"SELECT c.content_id, c.held, c.{column}, kept.id FROM (SELECT * FROM candidates ORDER BY {column} DESC"
            f"{first}) c "
            "CROSS JOIN LATERAL (SELECT p.id FROM search_passages p WHERE p.content_id = c.content_id "
            f"AND p.collection = :collection{where} LIMIT :depth) kept LIMIT :depth")


# A probe costs about as much as hashing this many postings (1,000 documents: ~2.5 µs against
# ~0.25 µs, EXPLAIN ANALYZE of a round); past that, reading the open terms' postings is cheaper.
PROBE_COST = 10


def _scored(name: str) -> str:
    """CTEs ``{name}_probed`` and ``{name}_exact`` (content_id, score) for the contents of
    ``name`` (content_id, held): their read postings' shares plus, per term they were not read
    for that has postings left (an exhausted term has none for them), its posting for them. Those
    are found by a primary-key probe each (the LATERAL's LIMIT keeps the planner from
    hash-joining every posting of the terms), unless the probes would cost more than reading
    the open terms' postings (their df, an upper bound on their postings): then by a join."""
    probes = f"(SELECT yes FROM {name}_by_probes)"
    return (f"{name}_by_probes AS MATERIALIZED (SELECT (SELECT count(*) FROM {name} s CROSS JOIN q WHERE q.bound > 0 "
            f"AND q.i <> ALL(s.held)) * {PROBE_COST} <= (SELECT coalesce(sum(st.df), 0) FROM search_term_stats st "
            "JOIN q ON st.term = q.term WHERE st.collection = :collection AND q.bound > 0) AS yes), "
            f"{name}_probed AS MATERIALIZED (SELECT s.content_id, {SHARE} AS share FROM {name} s CROSS JOIN q "
            "CROSS JOIN LATERAL (SELECT t.tf, t.length FROM search_terms t WHERE t.content_id = s.content_id "
            f"AND t.term = q.term AND t.collection = :collection LIMIT 1) t WHERE q.bound > 0 AND q.i <> ALL(s.held) "
            f"AND {probes} UNION ALL SELECT s.content_id, {SHARE} AS share FROM {name} s CROSS JOIN q "
            "JOIN search_terms t ON t.content_id = s.content_id AND t.term = q.term AND t.collection = :collection "
            f"WHERE q.bound > 0 AND q.i <> ALL(s.held) AND NOT {probes}), "
            f"{name}_exact AS MATERIALIZED (SELECT x.content_id, CAST(round(CAST(sum(x.share) AS numeric), 10) "
            "AS float8) AS score FROM (SELECT taken.content_id, taken.share FROM taken JOIN "
            f"{name} ON {name}.content_id = taken.content_id UNION ALL SELECT content_id, share FROM {name}_probed) x "
            "GROUP BY x.content_id)")


def pruned_round(where: str) -> str:
    """The round's CTEs, up to ``exact`` (content_id, score: the candidates that may enter the
    top, scored exactly and rounded); ``where``: ``filter_sql``'s conditions on passages ``p``.

    In order: the read postings (``taken``, read once); L, U and the terms held per candidate;
    whether the round can prove its top at all (``proceed``: the depth-th best U over passing
    passages must beat the unread bound, else nothing is scored and the caller reads further;
    always when every posting was read); the depth best passing passages by L and by U, their
    contents scored exactly, whose depth-th score is the threshold (at least the depth-th L);
    and the other candidates whose U reaches it."""
    return (
        "q AS (SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:weights AS float8[]), "
        "CAST(:bounds AS float8[])) WITH ORDINALITY AS u(term, w, bound, i)), "
        f"taken AS MATERIALIZED (SELECT q.i, q.bound, t.content_id, {SHARE} AS share FROM q CROSS JOIN LATERAL "
        "(SELECT t.content_id, t.tf, t.length FROM search_terms t WHERE t.collection = :collection "
        "AND t.term = q.term ORDER BY t.tf DESC, t.length LIMIT :read) t), "
        "candidates AS MATERIALIZED (SELECT content_id, sum(share) AS low, "
        "sum(share) + (:unread - sum(bound)) AS high, array_agg(i) AS held FROM taken GROUP BY content_id), "
        f"by_high AS MATERIALIZED ({_best_passing('high', where)}), "
        "proceed AS (SELECT :exhausted OR (count(*) >= :depth AND min(high) > :unread + 1e-9) AS yes FROM by_high), "
        f"by_low AS MATERIALIZED ({_best_passing('low', where)}), "
        "top AS MATERIALIZED (SELECT DISTINCT content_id, held, id FROM (SELECT content_id, held, id FROM by_low "
        "UNION ALL SELECT content_id, held, id FROM by_high) b WHERE (SELECT yes FROM proceed)), "
        "top_contents AS MATERIALIZED (SELECT DISTINCT content_id, held FROM top), "
        f"{_scored('top_contents')}, "
        "theta AS (SELECT CASE WHEN NOT (SELECT yes FROM proceed) THEN 'infinity' "
        "WHEN (SELECT count(*) FROM by_low) >= :depth THEN (SELECT e.score FROM top JOIN top_contents_exact e "
        "ON e.content_id = top.content_id ORDER BY e.score DESC OFFSET :depth - 1 LIMIT 1) "
        "WHEN :exhausted THEN '-infinity' ELSE 'infinity' END AS low), "
        # a threshold not above the unread bound cannot prove the top: the rest is not scored
        # and the round returns nothing (its top contents alone could look proven)
        "decided AS (SELECT :exhausted OR low > :unread + 1e-9 AS yes FROM theta), "
        "rest AS MATERIALIZED (SELECT c.content_id, c.held FROM candidates c WHERE (SELECT yes FROM decided) AND "
        "c.high >= (SELECT low FROM theta) - 1e-9 AND c.content_id NOT IN (SELECT content_id FROM top_contents)), "
        f"{_scored('rest')}, "
        "exact AS (SELECT * FROM top_contents_exact WHERE (SELECT yes FROM decided) UNION ALL SELECT * FROM rest_exact)")


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
        f"WITH {pruned_round(where)} SELECT (SELECT count(*) FROM candidates), (SELECT count(*) FROM exact), "
        "(SELECT count(*) FROM top_contents_probed) + (SELECT count(*) FROM rest_probed)"),
        {**params, **round_params(bounds, read)}).one()
    return RoundCounts(*map(int, row))
