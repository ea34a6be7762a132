"""A registry and index built once over the bundled corpus with the fake embedder, and a live
server on loopback for the HTTP and browser tests."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from pipeline.settings import Settings


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from extractors.build import build_registry
    from extractors.registry import Registry
    from search_api.indexing import update_index

    data_dir: Path = tmp_path_factory.mktemp("taizhang-data")
    settings = Settings(data_dir=data_dir, embedding_model="fake", api_token="test-token")
    report = build_registry([settings.corpus_dir], settings, progress=False)
    assert not report.failed, report.failed
    update_index(settings, Registry.open(settings))
    return settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(built_settings: Settings):
    """Base URL of a uvicorn server running the real app in a background thread."""
    import uvicorn

    from search_api.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(built_settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
