"""One PostgreSQL search reads one snapshot, on the session's real server (tests/conftest.py): a
build that removes a document while a search is between its steps changes nothing the search
answers (hits, cards, texts, facets, confidence), and the next search no longer finds it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index.pg_index import pg_engine, sync_pg_index
from search_api.schemas import SearchFilters, SearchResponse
from search_api.search import pg_rankings, pg_search
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import dense_ranking, read_snapshot
from tests.pg_corpus import corpus_in_postgres

QUERY = "园区基础设施建设"


@pytest.fixture(scope="module")
def pg_live(postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus in its own database: the tests here change it while searching."""
    settings, _ = corpus_in_postgres(postgres_admin_url, tmp_path_factory.mktemp("pg-snapshot"))
    return settings


def _answer(response: SearchResponse) -> dict:
    return response.model_dump(exclude={"took_ms"})


@pytest.mark.parametrize("step", ["pg_rankings", "sparse_ranking", "fuse_pg"])
def test_a_build_between_a_searchs_steps_changes_nothing_it_answers(pg_live: Settings, step: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The document of the best hit is removed and the index synced from other connections just
    before ``step`` (after the index state was read, before any ranking; between the dense and
    the lexical rankings; after every ranking, before the cards): the search answers exactly as
    before the build, under the generation it read; the one after no longer finds it and
    reports the new generation."""
    engine = SearchEngine(pg_live)
    before = engine.search(QUERY, k=10)
    gone = before.hits[0].card.doc_id
    original = getattr(pg_search, step)
    synced = []
    one_build = threading.Lock()
    with Registry.open(pg_live) as registry:
        saved = registry.document(gone), registry.tasks(doc_id=gone), registry.targets(doc_id=gone)
        registry.remove_document(gone)

        def build_meanwhile(*args, **kwargs):
            with one_build:  # the rankings run side by side (pg_parallel): the first builds, once
                if not synced:
                    synced.append(sync_pg_index(pg_live, registry))
            return original(*args, **kwargs)

        monkeypatch.setattr(pg_search, step, build_meanwhile)
        try:
            during = engine.search(QUERY, k=10)
        finally:
            monkeypatch.undo()
            after = engine.search(QUERY, k=10)
            registry.replace_document(*saved, fingerprint="back")  # as it was, for the next test
            sync_pg_index(pg_live, registry)
    assert synced, "the build ran during the search"
    assert gone not in {h.card.doc_id for h in after.hits}, "the build removed the document"
    assert [h.card.item_id for h in during.hits] == [h.card.item_id for h in before.hits]
    assert during.facets == before.facets
    assert _answer(during) == _answer(before)  # texts, sentences, scores, confidence too
    assert during.index_generation == before.index_generation != after.index_generation


def test_rankings_in_one_snapshot_do_not_inherit_a_widened_read(pg_live: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot is read-only REPEATABLE READ from a fresh engine's first connection on; a
    filtered ranking that widened its graph read (``hnsw.iterative_scan``, set for the rest of
    the transaction) leaves the next ranking of the same snapshot reading the graph plainly."""
    monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 0)  # the filter read on the graph, however selective
    monkeypatch.setattr(pg_rankings, "EF_SEARCH", 5)
    monkeypatch.setattr(pg_rankings, "EF_SEARCH_MAX", 5)  # so that a depth of 10 widens at once
    vector = FakeEmbedder().embed_query(QUERY)
    engine = pg_engine(pg_live.db_url)
    try:
        with engine.connect() as conn, read_snapshot(conn):
            assert conn.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
            assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
            assert dense_ranking(conn, "clauses", vector, SearchFilters(doc="pzh-2022-yuanqu-guihua"), depth=10)
            assert conn.execute(text("SHOW hnsw.iterative_scan")).scalar() == "relaxed_order"
            assert len(dense_ranking(conn, "clauses", vector, SearchFilters(), depth=3)) == 3
            assert conn.execute(text("SHOW hnsw.iterative_scan")).scalar() == "off"
    finally:
        engine.dispose()
