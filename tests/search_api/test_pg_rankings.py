"""The PostgreSQL rankings measured against their references, on the bundled corpus built into the
session's real server (tests/conftest.py): the HNSW paths against exact search (row counts and
recall@10, with and without filters), BM25 in SQL against the embedded index's BM25, and the BM25
statistics against a recount after documents change."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import text

from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index.pg_index import pg_engine, sync_pg_index
from search_api.schemas import SearchFilters
from search_api.search import pg_rankings
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import PgPassage, dense_ranking, matching_passages, sparse_ranking
from search_api.search.ranking import passage_rankings, plan_query
from tests.search_api.test_pg_index import _busiest_unit_and_year, pg_settings  # noqa: F401 (a fixture)
from tests.pg_corpus import corpus_in_postgres

QUERIES = ("园区基础设施建设", "优化营商环境", "人才引进政策", "土地要素保障", "推进项目建设", "数字经济发展",
           "生态环境保护", "招商引资")


def recall_at_10(exact: list[PgPassage], approx: list[PgPassage]) -> float:
    """By score: rows of one content (a text repeated under one heading) tie, in either order."""
    if not exact:
        return 1.0
    last = exact[:10][-1].score - 1e-6
    return min(1.0, sum(p.score >= last for p in approx[:10]) / len(exact[:10]))


def _filters(settings: Settings) -> dict[str, SearchFilters]:
    unit, year = _busiest_unit_and_year(settings)
    return {"none": SearchFilters(), "unit": SearchFilters(unit=unit), "unit+year": SearchFilters(unit=unit, year=year),
            "lead": SearchFilters(unit=unit, role="lead"), "doc": SearchFilters(doc="pzh-2022-yuanqu-guihua")}


@pytest.mark.parametrize("depth", [10, 300])
def test_the_graph_paths_find_what_exact_search_finds(pg_settings: Settings, depth: int,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every filter forced onto the HNSW graph (no exact scan however selective): each returns as
    many rows as exact search, every one passing the filter, and recall@10 >= 0.95 over the
    queries for each filter and collection. The reads must use the graph."""
    monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 0)
    embedder = FakeEmbedder()
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        # the corpus is small enough that the planner would rather scan it than walk the graph:
        # for this connection it may not, so the graph is what is measured
        conn.execute(text("SET enable_seqscan = off"))
        conn.execute(text("SET enable_bitmapscan = off"))
        conn.commit()
        plan = conn.execute(text(
            "EXPLAIN SELECT id FROM search_contents WHERE collection = 'clauses' "
            "ORDER BY embedding <=> CAST(:q AS halfvec) LIMIT 10"),
            {"q": pg_rankings.vector_literal(embedder.embed_query("招商引资"))}).scalars().all()
        assert any("search_contents_hnsw_clauses" in line for line in plan), plan
        conn.rollback()
        for name, filters in _filters(pg_settings).items():
            for collection in ("measures", "clauses"):
                with conn.begin():
                    passing = matching_passages(conn, collection, filters, limit=10**9)
                recalls = []
                for query in QUERIES:
                    vector = embedder.embed_query(query)
                    exact = dense_ranking(conn, collection, vector, filters, depth=depth, exact=True)
                    approx = dense_ranking(conn, collection, vector, filters, depth=depth)
                    assert len(approx) == len(exact) == min(depth, passing), (name, collection)
                    recalls.append(recall_at_10(exact, approx))
                assert sum(recalls) / len(recalls) >= 0.95, (name, collection, recalls)
    engine.dispose()


@pytest.mark.parametrize("collection", ["measures", "clauses"])
def test_bm25_with_a_broad_filter_finds_what_the_exact_filtered_scoring_finds(
        pg_settings: Settings, collection: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The postings read (every filter taken as broad) against the exact scoring of every passing
    passage: the same rows and scores, whether every posting is read or the reading stops at the
    bound after rounds of 3, 12, 48... postings per term."""
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        for name, filters in _filters(pg_settings).items():
            for query in QUERIES:
                terms = plan_query(query).terms
                monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 10**9)
                exact = sparse_ranking(conn, collection, terms, filters, depth=50)
                monkeypatch.setattr(pg_rankings, "EXACT_LIMIT", 0)
                monkeypatch.setattr(pg_rankings, "POSTINGS_FIRST", 3)
                for every_posting in (True, False):
                    read = sparse_ranking(conn, collection, terms, filters, depth=50, every_posting=every_posting)
                    assert [(p.id, round(p.score, 4)) for p in read] == [(p.id, round(p.score, 4)) for p in exact], \
                        (name, query, every_posting)
    engine.dispose()


@pytest.mark.parametrize("tf_first, length_first", [(1, 1), (1, 30), (2, 5), (3, 200), (5, 40)])
@pytest.mark.parametrize("average", [3.0, 17.5, 120.0])
def test_the_unread_bound_holds_for_every_posting_after_the_first_unread(
        tf_first: int, length_first: int, average: float) -> None:
    """Postings in the index's order (tf descending, length ascending): the best score of the
    postings from the first unread one on is ``unread_bound``, whatever the average length."""
    later = [(tf, length) for tf in range(1, tf_first + 1) for length in range(1, 400)
             if (-tf, length) >= (-tf_first, length_first)]
    bound = pg_rankings.unread_bound([(2.5, tf_first, length_first)], average)
    best = max(2.5 * pg_rankings.bm25_share(tf, length, average) for tf, length in later)
    assert best == pytest.approx(bound, abs=1e-12)  # never below a posting's score, and no looser


def test_selective_filters_are_scored_exactly(pg_settings: Settings) -> None:  # noqa: F811
    """A filter leaving few passages is read without the graph: the passages and cosines numpy
    computes over every passing passage's vector, nearest first."""
    embedder = FakeEmbedder()
    engine = pg_engine(pg_settings.db_url)
    filters = _filters(pg_settings)["unit"]
    where, params = pg_rankings.filter_sql(filters)
    with engine.connect() as conn:
        with conn.begin():
            assert 0 < matching_passages(conn, "clauses", filters) <= pg_rankings.EXACT_LIMIT
            rows = conn.execute(text(
                "SELECT p.id, CAST(c.embedding AS text) FROM search_passages p JOIN search_contents c "
                f"ON c.id = p.content_id WHERE p.collection = 'clauses'{where}"), params).all()
        ids = np.array([r[0] for r in rows])
        vectors = np.array([np.array(json.loads(r[1]), dtype=np.float32) for r in rows])
        for query in QUERIES[:4]:
            vector = embedder.embed_query(query)
            cosines = vectors @ vector / np.linalg.norm(vectors, axis=1) / np.linalg.norm(vector)
            found = dense_ranking(conn, "clauses", vector, filters, depth=30)
            assert len(found) == min(30, len(ids))
            order = np.lexsort((ids, -cosines))[:30]
            assert [round(p.score, 2) for p in found] == pytest.approx([round(float(c), 2) for c in cosines[order]],
                                                                        abs=0.011)
            assert {p.id for p in found if p.score > found[-1].score + 0.01} <= set(ids[order].tolist())
    engine.dispose()


@pytest.mark.parametrize("collection", ["measures", "clauses"])
@pytest.mark.parametrize("first_read", [2, 5, pg_rankings.POSTINGS_FIRST])
def test_bm25_in_sql_scores_as_the_embedded_bm25(pg_settings: Settings, built_settings: Settings,  # noqa: F811
                                                 collection: str, first_read: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The same corpus in both backends: for each query the SQL BM25 (every posting read, or
    read in rounds from ``first_read`` postings a term until the bound proves the top) gives the
    embedded index's top-20 scores, and the same texts above the 20th score. With a first read
    of 2 postings nearly every query needs more rounds: a bound too low would stop early."""
    monkeypatch.setattr(pg_rankings, "POSTINGS_FIRST", first_read)
    index = SearchEngine(built_settings).index()
    passages = index.collections[collection].passages
    engine = pg_engine(pg_settings.db_url)
    with engine.connect() as conn:
        for query in QUERIES:
            plan = plan_query(query)
            theirs = passage_rankings(index, plan, None).sparse[collection][:20]
            for every_posting in (True, False):
                ours = sparse_ranking(conn, collection, plan.terms, SearchFilters(), depth=20,
                                      every_posting=every_posting)
                assert [round(p.score, 3) for p in ours] == pytest.approx([round(s, 3) for _, s in theirs], abs=2e-3)
                floor = theirs[-1][1] + 1e-3
                assert (sorted(p.text for p in ours if p.score > floor)
                        == sorted(passages.text(r) for r, s in theirs if s > floor)), query
    engine.dispose()


def _recounted(conn) -> tuple[dict, dict]:
    df = {(c, t): n for c, t, n in conn.execute(text(
        "SELECT p.collection, t.term, count(*) FROM search_passages p JOIN search_terms t "
        "ON t.content_id = p.content_id GROUP BY 1, 2"))}
    sizes = {c: (n, total) for c, n, total in conn.execute(text(
        "SELECT p.collection, count(*), sum(c.length) FROM search_passages p JOIN search_contents c "
        "ON c.id = p.content_id GROUP BY 1"))}
    return df, sizes


def test_bm25_statistics_and_contents_stay_exact_as_documents_change(postgres_admin_url: str,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """A document changed, one removed and one added back: df per term and N and the total
    length per collection equal a recount of the rows, and no content is left that no passage
    uses (nor terms of one)."""
    settings, _ = corpus_in_postgres(postgres_admin_url, tmp_path_factory.mktemp("pg-stats"))
    engine = pg_engine(settings.db_url)
    with Registry.open(settings) as registry:
        doc_ids = [m.doc_id for m in registry.documents()]
        kept = registry.document(doc_ids[1]), registry.tasks(doc_id=doc_ids[1]), registry.targets(doc_id=doc_ids[1])
        changed = registry.document(doc_ids[0])
        tasks = registry.tasks(doc_id=changed.doc_id)[1:]  # one measure fewer
        registry.replace_document(changed, tasks, registry.targets(doc_id=changed.doc_id), fingerprint="changed")
        registry.remove_document(doc_ids[1])
        sync_pg_index(settings, registry)
        for _ in range(2):  # removed, then back
            with engine.connect() as conn:
                df, sizes = _recounted(conn)
                stats = {(c, t): n for c, t, n in conn.execute(text("SELECT * FROM search_term_stats WHERE df <> 0"))}
                collections = {c: (n, total) for c, n, total in conn.execute(text("SELECT * FROM search_collections"))}
                orphans = conn.execute(text("SELECT count(*) FROM search_contents c WHERE NOT EXISTS "
                                            "(SELECT 1 FROM search_passages p WHERE p.content_id = c.id)")).scalar()
                loose_terms = conn.execute(text("SELECT count(*) FROM search_terms t WHERE NOT EXISTS "
                                                "(SELECT 1 FROM search_contents c WHERE c.id = t.content_id)")).scalar()
            assert stats == df and collections == sizes and orphans == 0 and loose_terms == 0
            registry.replace_document(*kept, fingerprint="back")
            sync_pg_index(settings, registry)
    engine.dispose()


def test_migration_6_replaces_the_first_layout(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A database with the first layout (a vector per passage row) opened by this taizhang: the
    old search tables are gone, the new ones are there, the caches are kept."""
    engine = pg_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE search_passages (id bigserial PRIMARY KEY, embedding vector(3))"))
        conn.execute(text("CREATE TABLE search_state (id int PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE search_cards (item_id text PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE search_docs (doc_id text PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE token_cache (key bytea PRIMARY KEY, terms text[] NOT NULL)"))
        conn.execute(text("INSERT INTO token_cache VALUES ('\\x01', '{a}')"))
    Registry.open(Settings(data_dir=tmp_path_factory.mktemp("pg-migrate"), db_url=postgres_url)).close()
    with engine.connect() as conn:
        columns = set(conn.execute(text("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'search_passages'")).scalars())
        assert "content_id" in columns and "embedding" not in columns
        assert conn.execute(text("SELECT count(*) FROM token_cache")).scalar() == 1
        assert conn.execute(text("SELECT to_regclass('search_term_stats') IS NOT NULL")).scalar()
    engine.dispose()


def test_migration_7_moves_an_index_of_version_6_to_the_tf_order(postgres_admin_url: str,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    """The corpus indexed, its tables set back to version 6 (an ``impact`` column and the index
    that read it), then the registry opened by this taizhang: version 7 is recorded, the column
    and its index are gone, the tf-ordered index is there, and BM25 answers as before, with no
    rebuild of the rows."""
    settings, _ = corpus_in_postgres(postgres_admin_url, tmp_path_factory.mktemp("pg-v6"))
    engine = pg_engine(settings.db_url)
    terms = plan_query("园区基础设施建设").terms
    with engine.connect() as conn:
        before = [(p.id, round(p.score, 6)) for p in sparse_ranking(conn, "clauses", terms, SearchFilters(), depth=50)]
    with engine.begin() as conn:  # as a taizhang of version 6 left it
        conn.execute(text("DROP INDEX search_terms_by_tf"))
        conn.execute(text("ALTER TABLE search_terms ADD COLUMN impact real NOT NULL DEFAULT 0"))
        conn.execute(text("CREATE INDEX search_terms_postings ON search_terms (collection, term, impact DESC) "
                          "INCLUDE (content_id, tf, length)"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version >= 7"))
        conn.execute(text("UPDATE registry_state SET schema_version = 6"))
    Registry.open(settings).close()
    with engine.connect() as conn:
        indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_terms'")).scalars())
        columns = set(conn.execute(text("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'search_terms'")).scalars())
        assert conn.execute(text("SELECT max(version) FROM schema_migrations")).scalar() >= 7
        conn.rollback()
        after = [(p.id, round(p.score, 6)) for p in sparse_ranking(conn, "clauses", terms, SearchFilters(), depth=50)]
    engine.dispose()
    assert "search_terms_by_tf" in indexes and "search_terms_postings" not in indexes and "impact" not in columns
    assert after == before
