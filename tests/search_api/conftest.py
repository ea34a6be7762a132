"""A registry and index built once over the bundled corpus with the fake embedder, and a live
server on loopback for the HTTP and browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.live_server import serve_in_thread


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    data_dir: Path = tmp_path_factory.mktemp("taizhang-data")
    settings = Settings(data_dir=data_dir, embedding_model="fake", api_token="test-token")
    report = build_registry([settings.corpus_dir], settings, progress=False)
    assert not report.failed, report.failed
    update_index(settings, Registry.open(settings))
    return settings


@pytest.fixture(scope="session")
def live_server(built_settings: Settings):
    """Base URL of a uvicorn server running the real app in a background thread."""
    with serve_in_thread(built_settings) as url:
        yield url


@pytest.fixture(scope="session")
def unsplit_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A registry and index holding a 分工方案 whose measures name 责任单位 without a lead
    (``（责任单位：市商务局、市财政局）``) beside the small corpus with its 牵头 / 配合 measures."""
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    from tests.search_api.search_fixtures import fengong_document, small_corpus

    settings = Settings(data_dir=tmp_path_factory.mktemp("taizhang-unsplit"), embedding_model="fake",
                        api_token="test-token")
    with Registry.open(settings) as registry:
        for doc, tasks, targets in (*small_corpus(), fengong_document()):
            registry.replace_document(doc, tasks, targets, fingerprint="fp")
    with Registry.open(settings) as registry:
        update_index(settings, registry)
    return settings


@pytest.fixture(scope="session")
def unsplit_server(unsplit_settings: Settings):
    with serve_in_thread(unsplit_settings) as url:
        yield url
