"""A registry + index of the corpus in a data dir of our own (security tests upload into it, so
it must not be the one tests/search_api shares), the app over it, and a live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.live_server import free_port, serve_in_thread  # noqa: F401 (free_port re-exported)

TOKEN = "robustness-token"


def build_corpus(data_dir: Path, **overrides) -> Settings:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    settings = Settings(data_dir=data_dir, embedding_model="fake", api_token=TOKEN, **overrides)
    report = build_registry([settings.corpus_dir], settings, progress=False)
    assert not report.failed, report.failed
    with Registry.open(settings) as registry:
        update_index(settings, registry)
    return settings


@pytest.fixture(scope="session")
def secure_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_corpus(tmp_path_factory.mktemp("secure-data"))


@pytest.fixture(scope="session")
def secure_client(secure_settings: Settings):
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(secure_settings)) as client:
        yield client


@pytest.fixture(scope="session")
def secure_server(secure_settings: Settings):
    """Base URL of uvicorn serving the real app on loopback, in a background thread."""
    with serve_in_thread(secure_settings) as url:
        yield url
