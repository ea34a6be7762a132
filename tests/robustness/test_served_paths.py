"""No server path on an open endpoint, and the workbook is built once per registry generation
(issue 18, items 5 and 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.robustness.test_security import upload


def test_documents_show_their_path_relative_to_the_documents_folder(secure_client,
                                                                    secure_settings: Settings) -> None:
    doc_id = next(d["doc_id"] for d in secure_client.get("/documents").json() if d["doc_id"].startswith("pzh-"))
    view = secure_client.get(f"/documents/{doc_id}").json()
    assert not view["source_path"].startswith("/") and (secure_settings.corpus_dir / view["source_path"]).is_file()
    snippet = secure_client.get("/show", params={"doc": doc_id, "start": 0, "end": 10}).json()
    assert snippet["source_path"] == view["source_path"]


def test_upload_errors_do_not_name_the_uploads_folder(secure_client, secure_settings: Settings) -> None:
    response = upload(secure_client, "空白.txt", "\n\n   \n".encode())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "uploads/" in detail and str(secure_settings.data_dir) not in detail, detail


def test_the_workbook_is_built_once_per_registry_generation(secure_settings: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from extractors.registry.store import Registry
    from extractors.tracking import service
    from search_api.app import create_app

    built: list[Path] = []
    real = service.run_tracked_export

    def counting(settings, fmt="xlsx", out=None):
        built.append(out)
        return real(settings, fmt=fmt, out=out)

    monkeypatch.setattr(service, "run_tracked_export", counting)
    # a generation of our own: other tests may have exported the real one already
    monkeypatch.setattr(Registry, "generation", lambda self: "this-test")
    with TestClient(create_app(secure_settings)) as client:
        first, second = client.get("/export.xlsx"), client.get("/export.xlsx")
        assert first.status_code == second.status_code == 200 and first.content == second.content
        assert len(built) == 1
        monkeypatch.setattr(Registry, "generation", lambda self: "next-generation")
        assert client.get("/export.xlsx").status_code == 200
        assert len(built) == 2 and built[1].name == "workbook-next-generation.xlsx"
