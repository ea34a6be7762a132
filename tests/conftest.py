"""Shared fixtures. ``--update-golden`` rewrites golden files (review the diff before committing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from current output instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    return GOLDEN


@pytest.fixture(scope="session")
def corpus_documents():
    """Every bundled document parsed once per test session, keyed by doc_id."""
    from pipeline.manifest import load_manifest
    from pipeline.run import parse_file

    manifest = load_manifest(CORPUS)
    docs = {}
    for entry in manifest.documents:
        doc = parse_file(CORPUS / entry.file, meta=entry)
        docs[doc.doc_id] = doc
    return docs


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory):
    """One real PostgreSQL with pgvector for the session, started and stopped by taizhang's own
    code (extractors/registry/local_postgres.py); never skipped: CI installs it with `.[test]`."""
    from extractors.registry.local_postgres import start_local_postgres, stop_local_postgres

    folder = tmp_path_factory.mktemp("pg") / "data"
    url = start_local_postgres(folder)
    yield url
    stop_local_postgres(folder)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> str:
    """A fresh, empty database (with pgvector) on the session's server."""
    from extractors.registry.local_postgres import fresh_database

    return fresh_database(postgres_admin_url)
