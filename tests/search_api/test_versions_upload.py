"""``POST /documents?as_version_of=DOC``: an upload recorded as a later version of a registered
document (both kept, linked), an unknown DOC refused before anything is stored, and a second
upload of one document (same 文号) reported rather than merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[2]
TOKEN = "versions-upload-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SIXTEEN = REPO / "corpus" / "pzh-2024-jianquan-qianglian-16tiao.txt"
SECOND = REPO / "eval/gold/versions" / "pzh-2024-jianquan-qianglian-16tiao.v2.txt"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("versions-upload"), embedding_model="fake",
                        api_token=TOKEN, corpus_dir=tmp_path_factory.mktemp("empty-corpus"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client, settings


def _upload(client, path: Path, **params):
    return client.post("/documents", params=params, headers=AUTH,
                       files={"file": (path.name, path.read_bytes(), "text/plain")})


def test_an_upload_is_linked_as_a_version_or_reported_as_a_second_copy(client) -> None:
    client, settings = client
    first = _upload(client, SIXTEEN)
    assert first.status_code == 201, first.text
    [old] = first.json()["build"]["added"]
    refused = _upload(client, SECOND, as_version_of="no-such-doc")
    assert refused.status_code == 422 and "没有文件" in refused.json()["detail"]
    assert sorted(p.name for p in (settings.data_dir / "uploads").iterdir()) == [first.json()["stored_as"]]

    linked = _upload(client, SECOND, as_version_of=old)
    assert linked.status_code == 201, linked.text
    [new] = linked.json()["build"]["added"]
    assert linked.json()["build"]["linked"] == [[new, old]] and linked.json()["build"]["clashes"] == []
    versions = client.get(f"/relations/versions/{new}").json()
    assert versions["previous"]["doc_id"] == old
    assert {e["kind"] for e in versions["versions"][1]["edges"]} >= {"user"}

    # one document (its 文号) uploaded twice, the second time with a line added and no link:
    # both kept and the pair reported
    dongqu = REPO / "corpus" / "dongqu-2023-chengzai-fangan.txt"
    [registered] = _upload(client, dongqu).json()["build"]["added"]
    copy = settings.data_dir / "copy.txt"
    copy.write_bytes(dongqu.read_bytes() + "\n（此件公开发布）".encode())
    again = _upload(client, copy)
    assert again.status_code == 201, again.text
    [second] = again.json()["build"]["added"]
    assert again.json()["build"]["clashes"] == [[second, registered, "文号相同"]]


def test_an_upload_says_what_the_loader_noticed(client, tmp_path: Path) -> None:
    client, _ = client
    odd = tmp_path / "私用字.txt"
    odd.write_text(SIXTEEN.read_text(encoding="utf-8").replace("一、", "\ue000一、", 1), encoding="utf-8")
    uploaded = _upload(client, odd)
    assert uploaded.status_code == 201, uploaded.text
    build = uploaded.json()["build"]
    [doc_id] = build["added"]
    assert "私用区字符" in " ".join(build["warnings"][doc_id])
