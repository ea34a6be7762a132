"""`taizhang build --ray` on PostgreSQL: the index's embedding runs as a Ray Data pipeline on a
real local Ray cluster, each worker loading the model once and writing vectors into the shared
cache; the index step itself then embeds nothing, and the index answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.index import pg_index
from search_api.index.pg_caches import cached_counts, pg_engine
from search_api.search.engine import SearchEngine
from tests.search_api.test_pg_index import CountingEmbedder


@pytest.mark.slow
def test_the_index_is_embedded_on_ray_data_into_the_shared_cache(
        postgres_url: str, tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ray  # `.[test]` installs taizhang[ray]: a missing ray fails here, never skips

    settings = Settings(data_dir=tmp_path, embedding_model="fake", db_url=postgres_url,
                        build_ray=True, ray_num_cpus=2)
    reports = []

    def recorded(texts, settings):
        reports.append(embed_on_ray(texts, settings))
        return reports[-1]

    embed_on_ray = pg_index.embed_on_ray
    monkeypatch.setattr(pg_index, "embed_on_ray", recorded)
    in_process = CountingEmbedder()
    try:
        assert not build_registry([corpus_dir], settings.model_copy(update={"build_ray": False}),
                                  progress=False).failed
        with Registry.open(settings) as registry:
            report = pg_index.sync_pg_index(settings, registry, in_process)
    finally:
        ray.shutdown()
    (on_ray,) = reports
    engine = pg_engine(postgres_url)
    vectors, _ = cached_counts(engine)
    engine.dispose()
    assert in_process.embedded == 0  # every vector came from Ray, through the shared cache
    assert on_ray.embedded == vectors == report.embedded > 500
    assert 1 <= on_ray.workers <= 2 and on_ray.batches > on_ray.workers  # a model per worker, reused
    assert report.passages > 500 and report.cache_hits >= report.passages - report.embedded
    assert SearchEngine(settings).search("园区基础设施建设", k=3).hits


def test_a_few_new_texts_are_left_to_the_build_process(tmp_path: Path) -> None:
    """One uploaded document's texts do not start a pipeline (nor Ray): the index step embeds them."""
    import ray

    from search_api.index.ray_embed import MIN_TEXTS, embed_on_ray

    assert not ray.is_initialized()  # (the test above shuts its cluster down)
    settings = Settings(data_dir=tmp_path, embedding_model="fake", build_ray=True)
    report = embed_on_ray([f"条款{i}" for i in range(MIN_TEXTS - 1)], settings)
    assert report.embedded == 0 and report.workers == 0 and not ray.is_initialized()
