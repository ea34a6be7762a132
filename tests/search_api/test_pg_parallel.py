"""A PostgreSQL search's rankings with fewer waits, on the session's real server
(tests/conftest.py): side by side (``search/pg_parallel.py``) the answer is the one the rankings
give one after another on the search's own connection, and a worker reads the search's
snapshot, not the rows of the moment; a selective filter's count and both rankings from one
read (``pg_rankings.exact_rankings``) equal the three reads they replace."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index.pg_index import pg_engine
from search_api.schemas import SearchFilters
from search_api.search import pg_parallel, pg_rankings
from search_api.search.engine import SearchEngine
from search_api.search.pg_parallel import RankingWorkers, export_snapshot
from search_api.search.pg_rankings import (
    PgPassage, dense_ranking, exact_rankings, matching_passages, read_snapshot, sparse_ranking,
)
from search_api.search.ranking import plan_query
from tests.search_api.test_pg_index import _busiest_unit_and_year, pg_settings  # noqa: F401 (a fixture)

QUERIES = ("园区基础设施建设", "土地要素保障谁牵头", "人才引进政策", "2025年底前完成哪些任务", "招商引资")


def _filters(settings: Settings) -> dict[str, SearchFilters]:
    unit, year = _busiest_unit_and_year(settings)
    return {"none": SearchFilters(), "unit": SearchFilters(unit=unit), "unit+year": SearchFilters(unit=unit, year=year),
            "lead": SearchFilters(unit=unit, role="lead"), "doc": SearchFilters(doc="pzh-2022-yuanqu-guihua")}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_side_by_side_answers_as_one_after_another(pg_settings: Settings, mode: str,  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query under every filter: the whole answer (hits, sentences, texts, scores, facets,
    confidence) is the same with the workers as without them, and the workers did run them."""
    submitted = []
    original = RankingWorkers.submit

    def counting(self, snapshot, job):
        submitted.append(snapshot)
        return original(self, snapshot, job)

    monkeypatch.setattr(RankingWorkers, "submit", counting)
    parallel = SearchEngine(pg_settings)
    serial = SearchEngine(pg_settings)
    serial._pg_workers = None  # noqa: SLF001 (the reference: every ranking on the search's connection)
    for engine in (parallel, serial):  # every filtered search ranks unfiltered too (pg_unfiltered_cache)
        engine._pg_unfiltered = None  # noqa: SLF001
    for name, filters in _filters(pg_settings).items():
        for query in QUERIES:
            ours = parallel.search(query, k=10, filters=filters, mode=mode)
            reference = serial.search(query, k=10, filters=filters, mode=mode)
            assert ours.model_dump(exclude={"took_ms"}) == reference.model_dump(exclude={"took_ms"}), (name, query)
    assert len(submitted) >= len(QUERIES) * 5 * 2, "the rankings ran on the workers"


def test_a_worker_reads_the_snapshot_it_was_given(postgres_url: str) -> None:
    """A row committed after the search's snapshot was taken is not seen by a worker given that
    snapshot, though a new transaction sees it, and reads without parallel workers of its own; a
    malformed snapshot id is refused before SQL."""
    engine = create_engine(postgres_url)
    workers = RankingWorkers(postgres_url, workers=2)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE seen (x int)"))
            conn.execute(text("INSERT INTO seen VALUES (1)"))
        with engine.connect() as search, read_snapshot(search):
            assert search.execute(text("SELECT count(*) FROM seen")).scalar() == 1
            snapshot = export_snapshot(search)
            with engine.begin() as build:
                build.execute(text("INSERT INTO seen VALUES (2)"))
            count = workers.submit(snapshot, lambda c: c.execute(text("SELECT count(*) FROM seen")).scalar())
            read_only = workers.submit(snapshot, lambda c: c.execute(text("SHOW transaction_read_only")).scalar())
            assert (count.result(), read_only.result()) == (1, "on")
            # the rankings run side by side: none splits itself over parallel workers as well
            gather = workers.submit(snapshot, lambda c: c.execute(text("SHOW max_parallel_workers_per_gather")).scalar())
            assert gather.result() == str(pg_parallel.PARALLEL_SCAN_WORKERS) == "0"
        fresh = RankingWorkers(postgres_url, workers=1)
        try:
            with fresh._engine.connect() as conn:  # noqa: SLF001
                assert conn.execute(text("SELECT count(*) FROM seen")).scalar() == 2
        finally:
            fresh.close()
        with pytest.raises(ValueError, match="not a snapshot id"):
            workers.submit("x'; DROP TABLE seen; --", lambda c: 0)
    finally:
        workers.close()
        engine.dispose()


def test_the_workers_pool_is_no_larger_than_their_threads() -> None:
    """A search holds its own connection while its rankings wait for workers; the workers take
    theirs from a pool of their own, one per thread (module docstring of pg_parallel)."""
    workers = RankingWorkers("postgresql+psycopg://nobody@localhost/none", workers=3)
    try:
        assert workers._engine.pool.size() == 3 and workers._engine.pool._max_overflow == 0  # noqa: SLF001
        assert workers._threads._max_workers == 3  # noqa: SLF001
    finally:
        workers.close()
    assert pg_parallel.WORKERS >= 4, "a filtered search has six rankings or counts ready at once"


def _ranked(ranking: list[PgPassage]) -> list[tuple[float, int, str, str]]:
    """A ranking as (score, id, item, text), best first, scores to 9 decimals: another plan may
    sum a BM25 score's terms in another order, which moves its last bits (and the order of
    passages scoring equal to those bits) but nothing else."""
    return sorted(((round(p.score, 9), p.id, p.item_id, p.text) for p in ranking), key=lambda r: (-r[0], r[1]))


@pytest.mark.parametrize("limit", [pg_rankings.EXACT_LIMIT, 50])
def test_one_read_of_a_selective_filter_gives_both_rankings_and_the_count(pg_settings: Settings, limit: int,  # noqa: F811
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """``exact_rankings`` (count, dense and BM25 in one statement) against the three reads it
    replaces, for every filter, collection and query: the same count, and when the filter is
    selective the same passages in the same order with the same scores; when it is broad (a
    limit of 50 makes most filters broad) no rankings, and the search reads the graph instead."""
    monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", limit)
    embedder = FakeEmbedder()
    engine = pg_engine(pg_settings.db_url)
    seen = {True: 0, False: 0}
    try:
        with engine.connect() as conn:
            for name, filters in _filters(pg_settings).items():
                if name == "none":
                    continue
                for collection in ("measures", "clauses"):
                    for query in QUERIES:
                        vector, terms = embedder.embed_query(query), plan_query(query).terms
                        with read_snapshot(conn):
                            found = exact_rankings(conn, collection, vector, terms, filters)
                            passing = matching_passages(conn, collection, filters)
                            dense = dense_ranking(conn, collection, vector, filters, passing=passing)
                            sparse = sparse_ranking(conn, collection, terms, filters, passing=passing)
                        assert found.passing == min(passing, limit + 1), (name, collection)
                        seen[found.selective] += 1
                        if found.selective:
                            assert _ranked(found.dense) == _ranked(dense), (name, collection, query)
                            assert _ranked(found.sparse) == _ranked(sparse), (name, collection, query)
                            for ranking in (found.dense, found.sparse):  # returned best first
                                assert all(a.score >= b.score - 1e-9 for a, b in zip(ranking, ranking[1:]))
                        else:
                            assert passing > limit and found.dense is None and found.sparse is None
            with read_snapshot(conn):
                only_terms = exact_rankings(conn, "clauses", None, plan_query("招商引资").terms,
                                            SearchFilters(doc="pzh-2022-yuanqu-guihua"))
            assert only_terms.dense is None and bool(only_terms.sparse) == only_terms.selective  # no vector asked
    finally:
        engine.dispose()
    assert seen[True] and (seen[False] or limit > 50), seen  # both paths were compared


def test_a_served_app_lets_its_ranking_workers_go_when_it_ends(pg_settings: Settings) -> None:  # noqa: F811
    """The workers' threads and connections end with the app's lifespan, not with the process."""
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    app = create_app(pg_settings)
    with TestClient(app) as client:
        assert client.get("/search", params={"q": "园区基础设施建设"}).status_code == 200
        workers = app.state.engine._pg_workers  # noqa: SLF001
        assert workers is not None
    assert app.state.engine._pg_workers is None  # noqa: SLF001
    with pytest.raises(RuntimeError):  # its thread pool is shut down
        workers.submit("00000003-00000002-1", lambda conn: None)
