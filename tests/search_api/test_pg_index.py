"""The index in PostgreSQL + pgvector, on the session's real server (tests/conftest.py): the
bundled corpus built into it with the fake embedder, then searched from another data dir (a
second machine), with filters checked against exact search, and updated one document at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index import pg_index
from search_api.index.pg_index import pg_engine, sync_pg_index
from search_api.schemas import SearchFilters
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import dense_ranking
from tests.pg_corpus import corpus_in_postgres


@pytest.fixture(scope="module")
def pg_settings(postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings, report = corpus_in_postgres(postgres_admin_url, tmp_path_factory.mktemp("pg-build"))
    assert report.passages > 500 and report.embedded > 0
    return settings


def _other_machine(settings: Settings, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "elsewhere", embedding_model="fake", db_url=settings.db_url)


def test_a_second_machine_searches_the_shared_database(pg_settings: Settings, tmp_path: Path) -> None:
    engine = SearchEngine(_other_machine(pg_settings, tmp_path))
    response = engine.search("园区基础设施建设", k=5)
    assert response.hits and not (tmp_path / "elsewhere" / "index").exists()
    top = response.hits[0]
    assert "基础设施" in top.card.title + (top.sentence.text if top.sentence else "")
    assert top.sentence is None or top.sentence.span.end > top.sentence.span.start


@pytest.mark.parametrize("query", ["园区基础设施建设", "优化营商环境", "人才引进政策", "土地要素保障谁牵头"])
def test_hybrid_hits_agree_with_the_embedded_search(pg_settings: Settings, built_settings: Settings,
                                                     query: str) -> None:
    """Same fusion, same vectors; only the lexical side differs (ts_rank, not BM25)."""
    pg = [h.card.item_id for h in SearchEngine(pg_settings).search(query, k=5).hits]
    flat = [h.card.item_id for h in SearchEngine(built_settings).search(query, k=5).hits]
    assert len(set(pg) & set(flat)) >= 3, (pg, flat)


def test_dense_ranking_agrees_with_the_embedded_index(pg_settings: Settings, built_settings: Settings) -> None:
    """Same corpus, same fake embedder: pgvector's HNSW finds the items the exact FAISS search finds."""
    pg = SearchEngine(pg_settings).search("优化营商环境", k=10, mode="dense")
    flat = SearchEngine(built_settings).search("优化营商环境", k=10, mode="dense")
    ours, theirs = [h.card.item_id for h in pg.hits], [h.card.item_id for h in flat.hits]
    assert len(set(ours) & set(theirs)) >= 9, (ours, theirs)


def _busiest_unit_and_year(pg_settings: Settings) -> tuple[str, int]:
    with Registry.open(pg_settings) as registry:
        tasks = registry.tasks()
    years = [d.due_year for t in tasks for d in t.deadlines if d.due_year]
    lead = [m.canonical for t in tasks for m in t.lead]
    return min(set(lead), key=lambda u: (-lead.count(u), u)), max(set(years), key=years.count)


@pytest.mark.parametrize("which", ["unit", "unit+year", "doc"])
def test_filters_apply_before_the_top_k(pg_settings: Settings, which: str) -> None:
    """A selective filter returns as many rows as exact search finds (not what survives of an
    unfiltered top 300), every one of them passing the filter, with recall@10 >= 0.95."""
    unit, year = _busiest_unit_and_year(pg_settings)
    filters = {"unit": SearchFilters(unit=unit, role="lead"),
               "unit+year": SearchFilters(unit=unit, year=year),
               "doc": SearchFilters(doc="pzh-2022-yuanqu-guihua")}[which]
    vector = FakeEmbedder().embed_query("推进项目建设")
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        exact = dense_ranking(conn, "clauses", vector, filters, depth=300, exact=True)
        approx = dense_ranking(conn, "clauses", vector, filters, depth=300)
        n_match = conn.execute(text("SELECT count(*) FROM search_passages p WHERE collection = 'clauses' AND "
                                    "EXISTS (SELECT 1 FROM search_cards c WHERE c.item_id = p.item_id)")).scalar()
    engine.dispose()
    assert 0 < len(exact) < n_match  # the filter is selective
    assert len(approx) == len(exact)
    top = {p.id for p in exact[:10]}
    assert len(top & {p.id for p in approx[:10]}) / len(top) >= 0.95
    hits = SearchEngine(pg_settings).search("推进项目建设", k=50, filters=filters).hits
    assert hits and all(filters.admits(h.card) for h in hits)


def test_a_changed_document_rewrites_only_its_own_rows(pg_settings: Settings) -> None:
    engine = pg_engine(pg_settings.db_url)
    query = "SELECT doc_id, min(id), max(id), count(*) FROM search_passages GROUP BY doc_id"
    with engine.connect() as conn:
        before = {r[0]: r[1:] for r in conn.execute(text(query))}
    with Registry.open(pg_settings) as registry:
        doc_id = "dongqu-2023-chengzai-fangan"
        doc = registry.document(doc_id)
        registry.replace_document(doc, registry.tasks(doc_id=doc_id), registry.targets(doc_id=doc_id),
                                  fingerprint="changed")
        report = sync_pg_index(pg_settings, registry)
        assert report.documents == len(before)
        assert 0 < report.cache_hits and report.embedded == 0  # its texts were embedded before
    with engine.connect() as conn:
        after = {r[0]: r[1:] for r in conn.execute(text(query))}
        fingerprint = conn.execute(text("SELECT fingerprint FROM search_docs WHERE doc_id = :d"),
                                   {"d": doc_id}).scalar()
    engine.dispose()
    assert fingerprint == "changed"
    assert {d: v for d, v in after.items() if d != doc_id} == {d: v for d, v in before.items() if d != doc_id}
    assert after[doc_id][2] == before[doc_id][2] and after[doc_id][0] > max(v[1] for v in before.values())


def test_two_api_replicas_on_one_database_see_a_new_document_at_once(pg_settings: Settings, tmp_path: Path) -> None:
    """Two apps (two data dirs: two machines) serving one PostgreSQL; a document added and
    indexed through one is found by the other on its next query, with no restart."""
    from fastapi.testclient import TestClient

    from search_api.app import create_app
    from tests.extractors.test_registry import make_ledger

    one = _other_machine(pg_settings, tmp_path / "one")
    two = _other_machine(pg_settings, tmp_path / "two")
    query = {"q": "园区工业总产值", "doc": "replica-2025", "k": 5}
    with TestClient(create_app(one)) as first, TestClient(create_app(two)) as second:
        answer = second.get("/search", params=query)
        assert answer.status_code == 200 and answer.json()["hits"] == [], answer.text[:300]
        with Registry.open(one) as registry:
            registry.replace_document(*make_ledger("replica-2025"), fingerprint="fp")
            sync_pg_index(one, registry)
        for client in (first, second):
            body = client.get("/search", params=query).json()
            assert body["hits"] and {h["card"]["doc_id"] for h in body["hits"]} == {"replica-2025"}
    with Registry.open(pg_settings) as registry:  # leave the shared database as the module built it
        registry.remove_document("replica-2025")
        sync_pg_index(pg_settings, registry)


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_a_second_machine_rebuilding_the_index_computes_nothing_stored_before(
        pg_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search tables dropped (what a new indexer version does) and rebuilt from a machine
    with an empty data dir: every vector and every term list comes from the shared caches in
    PostgreSQL, nothing is embedded or cut again and nothing is written under its data dir."""
    from search_api.index.pg_caches import cached_counts
    from search_api.sparse import sparse_build

    engine = pg_engine(pg_settings.db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE search_passages, search_cards, search_docs, search_state"))
    vectors_before = cached_counts(engine)

    def no_cutting(*args, **kwargs):
        raise AssertionError("a text was cut again: its terms were in the shared cache")

    monkeypatch.setattr(sparse_build, "terms_of", no_cutting)
    elsewhere = _other_machine(pg_settings, tmp_path)
    embedder = CountingEmbedder()
    with Registry.open(elsewhere) as registry:
        report = sync_pg_index(elsewhere, registry, embedder)
    assert embedder.embedded == 0 and report.embedded == 0 and report.cache_hits >= report.passages > 500
    assert cached_counts(engine) == vectors_before
    engine.dispose()
    assert not (tmp_path / "elsewhere" / "cache").exists()
    assert hnsw_definition(pg_settings) is not None  # dropped for the bulk load, built again after it
    monkeypatch.undo()
    assert SearchEngine(elsewhere).search("园区基础设施建设", k=3).hits


def hnsw_definition(settings: Settings) -> str | None:
    """The HNSW graphs' definitions (one per collection), or None when they are not both there."""
    engine = pg_engine(settings.db_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'search_contents_hnsw_%' "
                                  "ORDER BY indexname")).scalars().all()
    engine.dispose()
    return " ; ".join(found) if len(found) == 2 else None


def test_a_sync_that_rewrites_most_documents_builds_the_hnsw_graph_once_at_the_end(
        pg_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document changed: the graph is dropped before the rows are written and made once
    after (not grown row by row); one document changed: the graph is kept and grown."""
    statements: list[str] = []
    engine_of = pg_index.pg_engine

    def recording_engine(url: str):
        engine = engine_of(url)
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        return engine

    monkeypatch.setattr(pg_index, "pg_engine", recording_engine)
    with Registry.open(pg_settings) as registry:
        for meta in registry.documents():
            doc = registry.document(meta.doc_id)
            registry.replace_document(doc, registry.tasks(doc_id=doc.doc_id), registry.targets(doc_id=doc.doc_id),
                                      fingerprint=f"bulk-{doc.doc_id}")
        sync_pg_index(pg_settings, registry)
        drops = [i for i, s in enumerate(statements) if s.startswith("DROP INDEX IF EXISTS search_contents_hnsw")]
        inserts = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO search_passages")]
        creates = [i for i, s in enumerate(statements) if "CREATE INDEX IF NOT EXISTS search_contents_hnsw" in s]
        assert len(drops) == 2 and inserts and drops[0] < min(inserts) and max(inserts) < creates[-1]
        statements.clear()
        doc = registry.document(registry.documents()[0].doc_id)
        registry.replace_document(doc, registry.tasks(doc_id=doc.doc_id), registry.targets(doc_id=doc.doc_id),
                                  fingerprint="one-more")
        sync_pg_index(pg_settings, registry)
        assert not [s for s in statements if s.startswith("DROP INDEX")]
    assert "halfvec_cosine_ops" in hnsw_definition(pg_settings)


def test_unit_names_are_read_once_per_generation_and_miss_none(pg_settings: Settings) -> None:
    """Every query with a unit filter resolves the typed unit against the index's names: read
    from the measures' rows once per generation, the same names as every passage holds."""
    engine = SearchEngine(pg_settings)
    statements: list[str] = []
    event.listen(engine._pg, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: statements.append(statement))
    names = engine.units()
    for _ in range(3):
        engine.search("园区基础设施建设", k=3, filters=SearchFilters(unit=sorted(names)[0]))
    assert sum("unnest(units)" in s for s in statements) == 1
    db = pg_engine(pg_settings.db_url)
    with db.connect() as conn:
        every = {n for n in conn.execute(text("SELECT DISTINCT unnest(units) FROM search_passages")).scalars()
                 if "|" not in n}
    db.dispose()
    assert names == every and len(names) > 10
