"""The REST API over a registry and index built from the bundled corpus (fake embedder)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app

TONGZHI = "pzh-2025-yuanqu-tizhi-tongzhi"


@pytest.fixture(scope="module")
def client(built_settings):
    with TestClient(create_app(built_settings)) as c:
        yield c


def test_search_returns_measures_with_owners_and_sources(client) -> None:
    res = client.get("/search", params={"q": "编制园区发展规划", "k": 5})
    assert res.status_code == 200
    body = res.json()
    assert body["hits"], body
    top = body["hits"][0]["card"]
    assert top["kind"] == "measure"
    assert top["lead"] and top["source"]["page"] >= 1
    assert any(h["card"]["task_id"] == f"{TONGZHI}:二.（一）.1" for h in body["hits"])
    # the route serialises the model itself: the body must still be exactly a SearchResponse
    from search_api.schemas import SearchResponse

    assert res.headers["content-type"] == "application/json"
    parsed = SearchResponse.model_validate_json(res.content)
    assert parsed.model_dump(mode="json") == body


def test_search_filter_by_unit_and_facets(client) -> None:
    # the bare city name a user types is the one city's bureau the ledger holds
    res = client.get("/search", params={"q": "科技创新", "unit": "市科学技术局", "role": "lead"}).json()
    assert res["hits"]
    for hit in res["hits"]:
        assert "攀枝花市科学技术局" in [m["canonical"] for m in hit["card"]["lead"]]
    assert res["facets"]["doc"]


def test_tasks_list_filter_and_detail(client, built_settings) -> None:
    all_tasks = client.get("/tasks").json()
    tongzhi = client.get("/tasks", params={"doc": TONGZHI}).json()
    assert 0 < len(tongzhi) < len(all_tasks)
    task_id = f"{TONGZHI}:二.（一）.1"
    detail = client.get(f"/tasks/{quote(task_id)}")
    assert detail.status_code == 200
    task = detail.json()
    assert task["title"] == "编制发展规划"
    assert [m["name"] for m in task["lead"]] == ["国家钒钛高新区管委会", "各县（区）政府"]
    assert client.get("/tasks/" + quote("nope:1")).status_code == 404


def test_unassigned_filter(client) -> None:
    rows = client.get("/tasks", params={"unassigned": True}).json()
    assert rows and all(not t["lead"] for t in rows)


def test_document_view_and_show(client) -> None:
    doc = client.get(f"/documents/{TONGZHI}").json()
    assert doc["meta"]["status"] == "代拟稿"
    task = next(t for t in doc["tasks"] if t["title"] == "编制发展规划")
    span = task["source"]
    assert doc["text"][span["char_start"]:span["char_end"]].startswith("1.编制发展规划")
    shown = client.get("/show", params={"doc": TONGZHI, "start": span["char_start"], "end": span["char_end"]}).json()
    assert shown["page"] == span["page"] and shown["line_start"] == span["line_start"]
    raw = "\n".join(line for _, line in shown["raw_lines"])
    assert "编制发展规划" in raw
    assert client.get("/documents/none").status_code == 404


def test_units_and_unit_tasks_by_alias(client) -> None:
    units = client.get("/units").json()
    names = {u["canonical"]: u for u in units}
    assert names["攀枝花市经济和信息化局"]["lead_count"] > 0  # a city's bureau carries its city
    by_alias = client.get("/units/" + quote("市经信局") + "/tasks").json()
    assert by_alias["unit"] == "攀枝花市经济和信息化局"
    assert by_alias["lead"] and by_alias["supporting"]
    # the corpus's one district bureau of that name is the one meant (several: test_unit_lookup.py)
    bare = client.get("/units/" + quote("区经济和信息化局") + "/tasks").json()
    assert bare["unit"] == "东区经济和信息化局" and bare["candidates"] == []
    assert bare["lead"] or bare["supporting"] or bare["unassigned"]


def test_export_xlsx_download(client) -> None:
    res = client.get("/export.xlsx")
    assert res.status_code == 200
    assert res.content[:2] == b"PK"


def test_consistency_endpoint_has_both_quotes(client) -> None:
    findings = client.get("/consistency").json()
    assert findings
    for f in findings:
        for side in ("left", "right"):
            assert f[side]["quote"] and f[side]["source"]["doc_id"]


def test_openapi_lists_every_resource(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/search", "/tasks", "/tasks/{task_id}", "/documents/{doc_id}", "/units",
                 "/units/{name}/tasks", "/export.xlsx", "/consistency", "/show"):
        assert path in paths, path


def test_write_endpoints_need_the_token(client) -> None:
    assert client.post("/rebuild").status_code in (401, 403)
    ok = client.post("/rebuild", headers={"Authorization": "Bearer test-token"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["failed"] == []


def test_rebuild_with_nothing_new_leaves_the_index_alone(client, built_settings) -> None:
    auth = {"Authorization": "Bearer test-token"}
    assert client.post("/rebuild", headers=auth).status_code == 200
    current = built_settings.index_dir / "CURRENT"
    before = current.read_text()
    again = client.post("/rebuild", headers=auth)
    assert again.status_code == 200 and again.json()["added"] == again.json()["updated"] == []
    assert current.read_text() == before  # no new generation written


def test_export_has_the_conflict_sheet_with_both_quotes(client, tmp_path) -> None:
    import openpyxl

    path = tmp_path / "x.xlsx"
    path.write_bytes(client.get("/export.xlsx").content)
    ws = openpyxl.load_workbook(path)["冲突核查"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["序号", "类型", "严重程度", "说明"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows
    quotes = {(r[5], r[9]) for r in rows}
    assert any("900" in (a or "") + (b or "") and "1200" in (a or "") + (b or "") for a, b in quotes)
