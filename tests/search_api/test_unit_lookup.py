"""One reading of a typed unit name everywhere: ``lookup_unit`` itself, then the three places a
user types one (``GET /units/{name}/tasks``, the search's unit filter, ``taizhang search --unit``)
over one ledger whose 财政局 is a district's in two districts and whose 经济和信息化局 is one
district's."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from extractors.registry.store import Registry
from search_api.app import create_app
from search_api.cli_search import run_search_command
from search_api.index.indexing import update_index
from search_api.search.engine import SearchEngine
from search_api.schemas import SearchFilters
from search_api.unit_lookup import lookup_unit

from tests.search_api.search_fixtures import Measure, fake_settings, make_document

LEDGER = ("东区财政局", "西区财政局", "东区经济和信息化局", "攀枝花市经济和信息化局",
          "市自然资源和规划局", "市自然资源和规划局东区分局")


@pytest.mark.parametrize(
    ("typed", "kind", "unit", "candidates"),
    [
        ("东区财政局", "exact", "东区财政局", ()),
        (" 东区 财政局 ", "exact", "东区财政局", ()),  # spaces typed inside a name are not part of it
        ("区经济和信息化局", "one_candidate", "东区经济和信息化局", ()),  # one district's: that one
        ("区经信局", "one_candidate", "东区经济和信息化局", ()),  # an alias of the bare name too
        ("市经信局", "one_candidate", "攀枝花市经济和信息化局", ()),  # one city's ledger: its bureau
        ("区财政局", "several", None, ("东区财政局", "西区财政局")),
        ("自然资源和规划局", "one_candidate", "市自然资源和规划局", ()),  # the name with its tier alone
        ("财政局", "several", None, ("东区财政局", "西区财政局")),  # contained in both
        ("市外星局", "none", None, ()),
    ],
)
def test_lookup_reads_a_typed_name(typed, kind, unit, candidates) -> None:
    found = lookup_unit(typed, LEDGER)
    assert (found.kind, found.unit, found.candidates) == (kind, unit, candidates)
    assert (found.message is None) == (unit is not None)


def test_messages_name_the_candidates_in_chinese() -> None:
    several = lookup_unit("区财政局", LEDGER).message
    assert several == "单位“区财政局”对应多个单位：东区财政局、西区财政局；请写出完整名称"
    assert "没有措施提到单位“市外星局”" in lookup_unit("市外星局", LEDGER).message


def test_a_name_as_written_is_taken_but_never_offered() -> None:
    assert lookup_unit("区财政", LEDGER, written={"区财政"}).unit == "区财政"
    assert "区财政" not in lookup_unit("财政", LEDGER, written={"区财政"}).candidates


# ------------------------------------------------------------------ the three typed paths


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = fake_settings(tmp_path_factory.mktemp("unit-lookup"))
    east, east_tasks = make_document("doc-east", "东区方案", "正式", "为推进工作，制定本方案。", [
        Measure("一、", "加强财政保障", "统筹资金支持园区建设。", ("东区财政局",), ("东区经济和信息化局",)),
    ])
    west, west_tasks = make_document("doc-west", "西区方案", "正式", "为推进工作，制定本方案。", [
        Measure("一、", "落实财政资金", "统筹资金支持园区建设。", ("西区财政局",)),
    ])
    with Registry.open(settings) as registry:
        registry.replace_document(east, east_tasks, [], fingerprint="fp")
        registry.replace_document(west, west_tasks, [], fingerprint="fp")
    with Registry.open(settings) as registry:
        update_index(settings, registry)
    return settings


@pytest.fixture(scope="module")
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


def test_api_unit_tasks_resolve_one_candidate_and_list_several(client) -> None:
    one = client.get("/units/" + quote("区经济和信息化局") + "/tasks").json()
    assert one["unit"] == "东区经济和信息化局" and one["candidates"] == [] and one["message"] is None
    assert [t["task_id"] for t in one["supporting"]] == ["doc-east:一"]
    several = client.get("/units/" + quote("区财政局") + "/tasks").json()
    assert several["candidates"] == ["东区财政局", "西区财政局"]
    assert several["lead"] == [] and "东区财政局、西区财政局" in several["message"]
    none = client.get("/units/" + quote("市外星局") + "/tasks").json()
    assert none["candidates"] == [] and "没有措施提到单位" in none["message"]


def test_api_search_filter_reads_the_name_the_same_way(client) -> None:
    one = client.get("/search", params={"q": "资金", "unit": "区经济和信息化局"}).json()
    assert one["filters"]["unit"] == "东区经济和信息化局"
    assert [h["card"]["item_id"] for h in one["hits"]] == ["doc-east:一"]
    several = client.get("/search", params={"q": "资金", "unit": "区财政局"}).json()
    assert several["no_answer"] and several["hits"] == []
    assert several["unit_candidates"] == ["东区财政局", "西区财政局"]
    assert "对应多个单位" in several["message"]


def test_engine_search_resolves_a_bare_name(settings) -> None:
    found = SearchEngine(settings).search("资金", filters=SearchFilters(unit="区经信局"), mode="sparse")
    assert found.filters.unit == "东区经济和信息化局" and found.hits


def test_cli_unit_option_resolves_one_and_lists_several(settings, capsys) -> None:
    run_search_command("资金", settings, unit="区经济和信息化局", mode="sparse", as_json=True)
    assert '"unit": "东区经济和信息化局"' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_search_command("资金", settings, unit="区财政局", mode="sparse")
    err = capsys.readouterr().err
    assert "--unit" in err and "东区财政局、西区财政局" in err


# ------------------------------------------------------------------ the ledger's own queries


def test_api_tasks_and_overdue_read_a_typed_unit_the_same_way(client) -> None:
    one = client.get("/tasks", params={"unit": "区经信局"})
    assert one.status_code == 200 and [t["task_id"] for t in one.json()] == ["doc-east:一"]
    for path in ("/tasks", "/ledger/overdue"):
        several = client.get(path, params={"unit": "区财政局"})
        assert several.status_code == 422, path
        assert "东区财政局、西区财政局" in several.json()["detail"]
    assert client.get("/tasks", params={"unit": "市外星局"}).json() == []


def test_cli_overdue_and_templates_read_a_typed_unit_the_same_way(settings, tmp_path, capsys) -> None:
    from pipeline.errors import LedgerRequestError
    from search_api.ledger_cli import run_overdue_command, run_unit_templates_command

    run_overdue_command(settings, "东区财政", None, 30, None, as_json=True)  # one unit holds the name
    assert [u["unit"] for u in json.loads(capsys.readouterr().out)["units"]] == ["东区财政局"]
    with pytest.raises(LedgerRequestError, match="东区财政局、西区财政局"):
        run_overdue_command(settings, "区财政局", None, 30, None, as_json=True)
    paths = run_unit_templates_command(settings, "东区财政", tmp_path / "t.xlsx")
    assert [p.name for p in paths] == ["t.xlsx"]
    with pytest.raises(LedgerRequestError, match="对应多个单位"):
        run_unit_templates_command(settings, "区财政局", tmp_path / "u.xlsx")
