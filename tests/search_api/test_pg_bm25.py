"""BM25's pruned rounds on PostgreSQL (``search/pg_bm25.py``) against the reference that scores
every posting of every term: the same passages, order and scores for generated queries (terms
drawn from the index's own vocabulary, rare and common, random weights), filters, depths and
first reads; and the pruning is real (fewer contents scored than named)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from pipeline.settings import Settings
from search_api.index.pg_index import BM25_B, BM25_K1, pg_engine
from search_api.schemas import SearchFilters
from search_api.search import pg_bm25, pg_rankings
from search_api.search.pg_bm25 import RoundCounts, round_counts, unread_bounds
from search_api.search.pg_rankings import bm25_terms, filter_sql, read_snapshot, sparse_ranking
from search_api.search.ranking import plan_query
from tests.search_api.test_pg_index import _busiest_unit_and_year, pg_settings  # noqa: F401 (a fixture)


def _vocabulary(conn, collection: str) -> list[tuple[str, int]]:
    """(term, df) of the collection, most frequent first."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT term, df FROM search_term_stats WHERE collection = :c AND df > 0 ORDER BY df DESC, term"),
        {"c": collection}).all()]


def _first_round(conn, collection: str, terms: list[tuple[str, float]], filters: SearchFilters, depth: int,
                 read: int) -> RoundCounts:
    """``RoundCounts`` of a ranking's first round, read as ``sparse_ranking`` reads it."""
    where, params = filter_sql(filters)
    with read_snapshot(conn):
        weighted = bm25_terms(conn, collection, terms)
        params = {"terms": weighted.terms, "weights": weighted.weights, "avg": weighted.average_length,
                  "k1": BM25_K1, "b": BM25_B, "collection": collection, "depth": depth, **params}
        bounds = unread_bounds(conn, params, weighted.terms, weighted.average_length, read)
        return round_counts(conn, params, where, bounds, read)


@pytest.mark.parametrize("collection", ["measures", "clauses"])
@pytest.mark.parametrize("probe_cost", [0, 10**9], ids=["probes", "join"])
def test_pruned_rounds_rank_as_every_posting_does(pg_settings: Settings, collection: str,  # noqa: F811
                                                  probe_cost: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated queries mixing common terms (many postings left unread after a short first
    read, so candidates lack them and must be probed) with rare ones, every filter taken as
    broad, the unread terms' postings found by probes and by the join: identical to the
    reference. Some first rounds must have found postings of unread terms, so the case where a
    candidate's unread terms decide its place is exercised."""
    monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 0)
    monkeypatch.setattr(pg_bm25, "PROBE_COST", probe_cost)
    unit, year = _busiest_unit_and_year(pg_settings)
    filters = [SearchFilters(), SearchFilters(unit=unit), SearchFilters(unit=unit, year=year),
               SearchFilters(unit=unit, role="lead"), SearchFilters(doc="pzh-2022-yuanqu-guihua")]
    rng = random.Random(7)
    engine = pg_engine(pg_settings.db_url)
    probed = 0
    with engine.connect() as conn:
        vocabulary = _vocabulary(conn, collection)
        common, rare = vocabulary[:40], vocabulary[40:]
        for case in range(60):
            words = rng.sample(common, rng.randint(1, 3)) + rng.sample(rare, rng.randint(0, 4))
            terms = [(w, round(rng.uniform(0.2, 2.0), 3)) for w, _ in words]
            chosen = filters[case % len(filters)]
            depth, first = rng.choice([1, 3, 10, 50]), rng.choice([1, 2, 3, 8, 40])
            monkeypatch.setattr(pg_rankings, "POSTINGS_FIRST", first)
            reference = sparse_ranking(conn, collection, terms, chosen, depth=depth, every_posting=True)
            pruned = sparse_ranking(conn, collection, terms, chosen, depth=depth)
            assert [(p.id, p.score) for p in pruned] == [(p.id, p.score) for p in reference], (terms, chosen, depth)
            probed += _first_round(conn, collection, terms, chosen, depth, first).probed
    engine.dispose()
    assert probed > 0


def test_a_candidate_lifted_by_a_term_it_was_not_read_for_is_ranked_exactly(pg_settings: Settings,  # noqa: F811
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """One posting read per term, depth 1: the best content of a rare term holds the most common
    term too, beyond that term's first posting. Its exact score needs the probe of the common
    term (its L alone is the rare term's share), and the ranking must match every posting's."""
    monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 0)
    monkeypatch.setattr(pg_rankings, "POSTINGS_FIRST", 1)
    monkeypatch.setattr(pg_bm25, "PROBE_COST", 0)  # by probes, the way a large collection finds them
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        common = _vocabulary(conn, "clauses")[0][0]
        # rare terms whose contents also hold the common one
        rare = conn.execute(text(
            "SELECT r.term FROM search_terms r JOIN search_terms c ON c.content_id = r.content_id "
            "AND c.term = :common JOIN search_term_stats s ON s.collection = 'clauses' AND s.term = r.term "
            "WHERE r.collection = 'clauses' AND s.df BETWEEN 2 AND 20 GROUP BY r.term ORDER BY r.term LIMIT 8"),
            {"common": common}).scalars().all()
        assert rare
        probed = 0
        for word in rare:
            terms = [(word, 1.0), (common, 1.0)]
            reference = sparse_ranking(conn, "clauses", terms, SearchFilters(), depth=1, every_posting=True)
            pruned = sparse_ranking(conn, "clauses", terms, SearchFilters(), depth=1)
            assert [(p.id, p.score) for p in pruned] == [(p.id, p.score) for p in reference], word
            probed += _first_round(conn, "clauses", terms, SearchFilters(), 1, 1).probed
        assert probed > 0
    engine.dispose()


@pytest.mark.parametrize("collection", ["measures", "clauses"])
def test_a_round_scores_fewer_contents_than_it_names(pg_settings: Settings, collection: str) -> None:  # noqa: F811
    """The bench's kind of question at the shipped first read: of the contents the read
    postings name, only those whose upper bound reaches the depth-th lower bound are scored."""
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        for query in ("园区基础设施建设", "优化营商环境", "推进项目建设"):
            counts = _first_round(conn, collection, plan_query(query).terms, SearchFilters(), 10,
                                  pg_rankings.POSTINGS_FIRST)
            assert 0 < counts.scored < counts.candidates / 2, (query, counts)
    engine.dispose()
