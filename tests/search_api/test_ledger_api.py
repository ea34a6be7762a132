"""The ledger's HTTP routes: a cell edited through the API survives a rebuild, reports pile up as
history, an edited workbook uploads, a foreign one is refused with where and why; writes need
the token."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from extractors.registry import build
from extractors.registry.build import build_registry
from pipeline.settings import Settings
from tests.tracking_ledger import build_corpus_ledger, copy_ledger

TOKEN = "ledger-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TASK = "dongqu-2023-chengzai-fangan:二.（一）.1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("built"), embedding_model="fake",
                               api_token=TOKEN)


@pytest.fixture
def client(built: Settings, tmp_path: Path):
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    settings = copy_ledger(built, tmp_path)
    with TestClient(create_app(settings)) as test_client:
        yield test_client, settings


def _lead(client, task_id: str) -> str:
    return next(r["lead"] for r in client.get("/ledger/tasks").json() if r["task_id"] == task_id)


def test_a_cell_edited_through_the_api_survives_a_rebuild(client, monkeypatch: pytest.MonkeyPatch) -> None:
    http, settings = client
    body = {"task_id": TASK, "field": "lead", "value": "区财政局", "user": "督查室张三"}
    assert http.post("/ledger/corrections", json=body).status_code == 401
    assert http.post("/ledger/corrections", json=body, headers={"Authorization": "Bearer x"}).status_code == 401
    response = http.post("/ledger/corrections", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["before"] == "区经济和信息化局" and response.json()["origin"]["user"] == "督查室张三"
    assert _lead(http, TASK) == "区财政局"
    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "another-rule")
    assert len(build_registry([], settings, progress=False).updated) == 5
    assert _lead(http, TASK) == "区财政局"
    [view] = http.get("/ledger/corrections").json()
    assert view["status"] == "已校核"
    bad = http.post("/ledger/corrections", json={**body, "task_id": "nope:1"}, headers=AUTH)
    assert bad.status_code == 422 and "台账中没有任务" in bad.json()["detail"]


def test_reports_are_history_and_feed_the_overdue_view(client) -> None:
    http, _ = client
    task = "dongqu-2023-chengzai-fangan:二.（五）.12"  # due 2025-12-31
    report = {"task_id": task, "unit": "东区高新技术产业园区服务中心", "status": "推进中",
              "report_date": "2025-03-31", "progress": "完成征地"}
    assert http.post("/ledger/reports", json=report).status_code == 401
    assert http.post("/ledger/reports", json=report, headers=AUTH).status_code == 201
    assert http.post("/ledger/reports", json={**report, "status": "已完成", "report_date": "2025-06-01"},
                     headers=AUTH).status_code == 201
    assert http.post("/ledger/reports", json={**report, "status": "快了"}, headers=AUTH).status_code == 422
    history = http.get("/ledger/reports", params={"task_id": task}).json()
    assert [(r["report_date"], r["status"]) for r in history] == [("2025-03-31", "推进中"), ("2025-06-01", "已完成")]
    view = http.get("/ledger/overdue", params={"as_of": "2025-06-30"}).json()
    centre = next(u for u in view["units"] if u["unit"] == "东区高新技术产业园区服务中心")
    assert (centre["tasks"], centre["completed"]) == (2, 1)
    assert http.get("/ledger/overdue", params={"as_of": "9999-12-31"}).status_code == 422  # not a 500
    overdue = {t["task_id"] for t in view["tasks"] if t["state"] == "超期"}
    # two unreported 每年/分年度 (a 专栏 project's 2019年至2023年 is not its measure's deadline)
    assert overdue == {"pzh-2022-yuanqu-guihua:第六章.第五节", "pzh-2024-jianquan-qianglian-16tiao:十"}


def test_an_edited_workbook_uploads_and_a_foreign_one_is_refused(client) -> None:
    http, _ = client
    wb = load_workbook(io.BytesIO(http.get("/export.xlsx").content))
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value == TASK)
    ws.cell(row, col["完成时限"]).value = "2025年底前"
    edited = io.BytesIO()
    wb.save(edited)
    files = {"file": ("任务分工表.xlsx", edited.getvalue(), "application/octet-stream")}
    assert http.post("/ledger/import", files=files).status_code == 401
    response = http.post("/ledger/import", files=files, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()[0]["corrections"] == 1
    foreign = io.BytesIO()
    Workbook().save(foreign)
    refused = http.post("/ledger/import", files={"file": ("别处.xlsx", foreign.getvalue(), "x")}, headers=AUTH)
    assert refused.status_code == 422 and "不是 taizhang 导出的工作簿" in refused.json()["detail"]
    assert "/tmp" not in refused.json()["detail"]  # the server's temporary path is not shown


def test_rows_merged_through_the_api_stay_merged_after_a_rebuild(client, monkeypatch: pytest.MonkeyPatch) -> None:
    """并入 as the web page makes it (field merge, value: the row to merge into), like 并入 in a
    workbook's 校核 cell: the row leaves, its target gains its units, a rebuild keeps it, "" undoes it."""
    http, settings = client
    source, target = "dongqu-2023-chengzai-fangan:二.（二）.5", "dongqu-2023-chengzai-fangan:二.（二）.4"
    body = {"task_id": source, "field": "merge", "value": target, "user": "督查室"}
    for wrong in (source, "nope:1"):
        refused = http.post("/ledger/corrections", json={**body, "value": wrong}, headers=AUTH)
        assert refused.status_code == 422 and "不能并入" in refused.json()["detail"]
    stored = http.post("/ledger/corrections", json=body, headers=AUTH)
    assert stored.status_code == 201, stored.text
    assert stored.json()["task_json"] and target in stored.json()["task_json"]  # the anchor of the target

    def rows() -> dict[str, dict]:
        return {r["task_id"]: r for r in http.get("/ledger/tasks").json()}

    merged = rows()
    assert source not in merged and merged[target]["lead"] == "园区规划发展部、高创投公司"
    assert [(n["field"], n["corrected"]) for n in merged[target]["corrections"]] == [("merge", source)]
    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "another-rule")
    assert len(build_registry([], settings, progress=False).updated) == 5
    assert source not in rows()
    assert http.post("/ledger/corrections", json={**body, "value": ""}, headers=AUTH).status_code == 201
    assert source in rows() and rows()[target]["lead"] == "园区规划发展部"


QUOTE = "建立健全推进园区提升承载能力工作机制，强化组织协调，定期研究解决园区建设发展中遇到的困难问题。"


def test_a_task_added_through_the_api_points_at_its_source_and_survives_a_rebuild(
        client, monkeypatch: pytest.MonkeyPatch) -> None:
    """新增任务 as the web page makes it: the same correction as a row added to a workbook."""
    http, settings = client
    doc = "dongqu-2023-chengzai-fangan"
    body = {"doc_id": doc, "text": QUOTE, "lead": "区财政局", "deadline": "2025年底前", "user": "督查室"}
    assert http.post("/ledger/tasks", json=body).status_code == 401
    stored = http.post("/ledger/tasks", json=body, headers=AUTH)
    assert stored.status_code == 201, stored.text
    added = stored.json()["task_id"]
    assert added.startswith(f"{doc}:补") and stored.json()["field"] == "add_task"

    def row() -> dict:
        return next(r for r in http.get("/ledger/tasks").json() if r["task_id"] == added)

    assert (row()["lead"], row()["deadline"]) == ("区财政局", "2025年底前")
    text = http.get(f"/documents/{doc}").json()["text"]
    source = row()["source"]
    assert text[source["char_start"]:source["char_end"]] == QUOTE  # provenance: the quote's own span
    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "another-rule")
    assert len(build_registry([], settings, progress=False).updated) == 5
    assert row()["lead"] == "区财政局"
    for wrong, said in (({}, "登记过"), ({"doc_id": "nope"}, "台账中没有文件"),
                        ({"text": "这句话不在文件里出现过"}, "找不到这段文字")):
        refused = http.post("/ledger/tasks", json={**body, **wrong}, headers=AUTH)
        assert refused.status_code == 422 and said in refused.json()["detail"], refused.text
