"""The bundled corpus built into a fresh database of the session's PostgreSQL and indexed there
(fake embedder): the ground of the tests that search PostgreSQL or change what it holds."""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Settings


def corpus_in_postgres(admin_url: str, data_dir: Path):
    """(settings, the index report) for the corpus in its own database."""
    from extractors.registry.build import build_registry
    from extractors.registry.local_postgres import fresh_database
    from extractors.registry.store import Registry
    from search_api.index.pg_index import sync_pg_index

    settings = Settings(data_dir=data_dir, embedding_model="fake", db_url=fresh_database(admin_url))
    assert not build_registry([settings.corpus_dir], settings, progress=False).failed
    with Registry.open(settings) as registry:
        report = sync_pg_index(settings, registry)
    return settings, report
