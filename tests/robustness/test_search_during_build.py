"""A search during a build answers only with what the API still has (issue 18, item 10).

Reproduced before: between a build's registry phase and the publication of its index, hits
pointed at measures the registry had replaced (3,680 follow-up /tasks/{id} 404s in 30 s). Here
the registry phase is played by removing a document from the registry while the index that
holds it stays served."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.settings import Settings

QUERY = "园区"


def test_hits_of_replaced_measures_are_left_out_until_the_index_catches_up(
        secure_settings: Settings, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from extractors.registry.store import Registry
    from search_api.app import create_app

    settings = secure_settings.model_copy(update={"data_dir": tmp_path / "data"})
    shutil.copytree(secure_settings.data_dir, settings.data_dir)
    with TestClient(create_app(settings)) as client:
        before = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        gone = before[0]["card"]["doc_id"]
        with Registry.open(settings) as registry:
            registry.remove_document(gone)  # what a build's registry phase does to a replaced file
        hits = client.get("/search", params={"q": QUERY, "k": 20}).json()["hits"]
        assert hits and gone not in {h["card"]["doc_id"] for h in hits}
        assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
        for hit in hits:
            if hit["card"]["task_id"]:
                assert client.get(f"/tasks/{hit['card']['task_id']}").status_code == 200
