"""A search during a build answers from one generation, registry rows and index together (issue
18, item 10).

Reproduced before: between a build's registry phase and the publication of its index, hits
pointed at measures the registry had replaced (3,680 follow-up /tasks/{id} 404s in 30 s) and
showed titles the registry no longer had. Here a real build's registry phase runs on an edited
file while the server is up; its index is published only afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.settings import Settings

QUERY = "园区"
EDIT = "（修订）"


def _copy(secure_settings: Settings, tmp_path: Path) -> Settings:
    settings = secure_settings.model_copy(update={"data_dir": tmp_path / "data"})
    shutil.copytree(secure_settings.data_dir, settings.data_dir)
    return settings


def _one_generation(client, hits: list[dict]) -> None:
    """Every hit opens, and what it opens says what the hit said."""
    assert hits and [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    for hit in hits:
        if hit["card"]["task_id"]:
            task = client.get(f"/tasks/{hit['card']['task_id']}")
            assert task.status_code == 200
            assert task.json()["title"] == hit["card"]["title"]


def test_between_a_builds_two_phases_the_old_generation_answers_whole_then_the_new(
        secure_settings: Settings, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from extractors.registry.build import build_registry
    from extractors.registry.locks import build_lock
    from extractors.registry.store import Registry
    from search_api.app import create_app
    from search_api.index.indexing import update_index

    settings = _copy(secure_settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        before = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        hit = next(h for h in before if h["card"]["task_id"])
        task_id, title = hit["card"]["task_id"], hit["card"]["title"]
        with Registry.open(settings) as registry:
            source = Path(registry.source_paths()[hit["card"]["doc_id"]])
        corpus = tmp_path / "corpus"
        shutil.copytree(source.parent, corpus)
        edited = corpus / source.name
        edited.write_text(edited.read_text(encoding="utf-8").replace(title, title + EDIT, 1), encoding="utf-8")
        documents_before = client.get("/documents").json()

        with build_lock(settings):  # a build holds it from its registry phase to its index
            assert not build_registry([corpus], settings, progress=False).failed  # the registry phase
            with Registry.open(settings) as registry:
                assert any(t.title == title + EDIT for t in registry.tasks(doc_id=hit["card"]["doc_id"]))

            # between the phases: the old generation, whole, in every answer
            during = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
            assert [h["card"]["item_id"] for h in during] == [h["card"]["item_id"] for h in before]
            _one_generation(client, during)
            assert client.get(f"/tasks/{task_id}").json()["title"] == title
            assert client.get("/documents").json() == documents_before

            with Registry.open(settings) as registry:  # the index phase
                update_index(settings, registry)
        client.app.state.engine.reload()  # a server swaps in the background; the test waits for it

        # the new generation, whole
        after = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        _one_generation(client, after)
        assert client.get(f"/tasks/{task_id}").json()["title"] == title + EDIT
        assert title + EDIT in {h["card"]["title"] for h in after} | {
            h["card"]["title"] for h in client.get("/search", params={"q": title + EDIT, "k": 20}).json()["hits"]}


def test_a_correction_is_seen_at_once_by_the_next_read(secure_settings: Settings, tmp_path: Path) -> None:
    """Reads of the served generation are re-pinned to now while no build is between phases:
    what a person just corrected is what the next page shows."""
    from fastapi.testclient import TestClient

    from search_api.app import create_app
    from tests.robustness.conftest import TOKEN

    settings = _copy(secure_settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        row = client.get("/ledger/tasks").json()[0]
        posted = client.post("/ledger/corrections", headers={"Authorization": f"Bearer {TOKEN}"},
                             json={"task_id": row["task_id"], "field": "lead", "value": "市财政局", "user": "测试"})
        assert posted.status_code == 201, posted.text
        again = next(r for r in client.get("/ledger/tasks").json() if r["task_id"] == row["task_id"])
        assert "财政局" in again["lead"] and again["corrections"]


def test_a_registry_built_without_its_index_is_read_as_it_is(secure_settings: Settings, tmp_path: Path) -> None:
    """No build under way and the index behind (``taizhang build --no-index``): nothing is coming,
    so the registry as it is answers (its new titles), and hits it no longer holds are left out."""
    from fastapi.testclient import TestClient

    from extractors.registry.store import Registry
    from search_api.app import create_app

    settings = _copy(secure_settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/documents").json()
        gone = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"][0]["card"]["doc_id"]
        with Registry.open(settings) as registry:
            registry.remove_document(gone)  # a registry-only build's change, its lock let go
        assert [d["doc_id"] for d in client.get("/documents").json()] == [d["doc_id"] for d in listed if d["doc_id"] != gone]
        hits = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        assert hits and gone not in {h["card"]["doc_id"] for h in hits}
        _one_generation(client, hits)


@pytest.mark.parametrize("pool", [True, False], ids=["server started after the change", "no snapshot pool"])
def test_without_a_snapshot_of_the_served_generation_hits_of_replaced_measures_are_left_out(
        secure_settings: Settings, tmp_path: Path, pool: bool) -> None:
    """A server started after a registry phase (in the middle of a build, say) cannot see the old
    registry: it reads the live one and leaves out the hits it no longer holds, so a hit never
    points at a 404."""
    from fastapi.testclient import TestClient

    from extractors.registry.store import Registry
    from search_api.app import create_app

    settings = _copy(secure_settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        gone = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"][0]["card"]["doc_id"]
    with Registry.open(settings) as registry:
        registry.remove_document(gone)  # what a build's registry phase does to a replaced file
    with TestClient(create_app(settings)) as client:
        if not pool:
            client.app.state.snapshots = None
        hits = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        assert hits and gone not in {h["card"]["doc_id"] for h in hits}
        _one_generation(client, hits)


def test_no_snapshots_where_holding_one_would_block_a_build(tmp_path: Path) -> None:
    """Outside WAL mode a reader holding its transaction would lock writers out: no pool then."""
    import sqlite3

    from extractors.registry.snapshot import SnapshotPool
    from extractors.registry.store import Registry

    settings = Settings(data_dir=tmp_path)
    Registry.open(settings).close()  # taizhang's registry: WAL
    pool = SnapshotPool.for_url(settings.registry_url, size=1)
    assert pool is not None
    pool.close()
    conn = sqlite3.connect(tmp_path / "registry.sqlite")
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    conn.close()
    assert SnapshotPool.for_url(settings.registry_url) is None
    assert SnapshotPool.for_url("sqlite://") is None and SnapshotPool.for_url("postgresql://u@h/db") is None


def test_build_running_tells_a_held_build_lock(tmp_path: Path) -> None:
    from extractors.registry.locks import build_lock, build_running

    settings = Settings(data_dir=tmp_path)
    assert not build_running(settings)  # never built
    with build_lock(settings):
        assert build_running(settings)
    assert not build_running(settings)


def test_pages_that_read_the_registry_work_without_a_readable_index(secure_settings: Settings, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    settings = _copy(secure_settings, tmp_path)
    current = settings.index_dir / (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    (current / "meta.json").write_text("{not json", encoding="utf-8")
    with TestClient(create_app(settings)) as client:
        assert client.get("/documents").status_code == 200 and client.get("/ledger/tasks").status_code == 200
        assert client.get("/search", params={"q": QUERY}).status_code == 503
