"""The embedding and token caches in PostgreSQL (``search_api/index/pg_caches.py``), on the
session's real server: exact round trips, and writers racing on the same keys."""

from __future__ import annotations

import threading

import numpy as np

from search_api.embedding.embed import EmbeddingCache, FakeEmbedder, embed_with_cache
from search_api.index.pg_caches import PgEmbeddingCache, PgTokenCache, cached_counts, create_cache_tables, pg_engine
from search_api.sparse.sparse_build import TokenCache, tokenize_many


def test_vectors_and_terms_come_back_exactly(postgres_url: str) -> None:
    engine = pg_engine(postgres_url)
    with engine.begin() as conn:
        create_cache_tables(conn)
    texts = ["土地要素保障", "融资担保增信", "土地要素保障", "化工园区安全等级"]
    fake = FakeEmbedder(384)
    first, stats = embed_with_cache(fake, texts, PgEmbeddingCache(engine))
    again, again_stats = embed_with_cache(fake, texts, PgEmbeddingCache(engine))
    assert stats.embedded == 3 and again_stats.embedded == 0 and again_stats.hits == 4
    assert again.dtype == np.float32 and np.array_equal(first, again)
    terms, cut = tokenize_many(texts, PgTokenCache(engine))
    assert tokenize_many(texts, PgTokenCache(engine)) == (terms, 0) and cut == 3
    assert tokenize_many(texts, None)[0] == terms
    assert cached_counts(engine) == (3, 3)
    engine.dispose()


def test_writers_racing_on_the_same_keys_in_opposite_orders_all_succeed(postgres_url: str) -> None:
    """Each write is one transaction; rows go in key order, so two writers holding overlapping
    keys never wait on each other in a cycle (PostgreSQL would abort one as a deadlock)."""
    engine = pg_engine(postgres_url)
    with engine.begin() as conn:
        create_cache_tables(conn)
    vectors = [(EmbeddingCache.key("m", f"条款{i}"), np.full(8, i, np.float32)) for i in range(3000)]
    terms = [(TokenCache.key(f"条款{i}"), ["条款", str(i)]) for i in range(3000)]
    failures: list[BaseException] = []

    def write(order: int) -> None:
        try:
            for _ in range(3):
                PgEmbeddingCache(engine).put_many(vectors[::order])
                PgTokenCache(engine).put_many(terms[::order])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(order,)) for order in (1, -1, 1, -1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[0]
    assert cached_counts(engine) == (3000, 3000)
    found = PgEmbeddingCache(engine).get_many([k for k, _ in vectors[:5]])
    assert [float(found[k][0]) for k, _ in vectors[:5]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    engine.dispose()
