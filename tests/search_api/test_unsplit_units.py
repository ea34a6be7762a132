"""责任单位 named without a lead (``（责任单位：市商务局、市财政局）``) are shown wherever a user
looks: the API's task and unit resources, search cards, unit facets and filters, and the
`taizhang search` cards. Never dropped, never reported as lead."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.cli_search import run_search_command
from search_api.schemas import SearchFilters
from search_api.search.engine import index_units, search

FIRST, SECOND, THIRD = "doc-fengong:（一）", "doc-fengong:（二）", "doc-fengong:（三）"


@pytest.fixture(scope="module")
def client(unsplit_settings):
    with TestClient(create_app(unsplit_settings)) as c:
        yield c


def test_tasks_by_unit_include_measures_where_it_is_named_without_a_role(client) -> None:
    rows = client.get("/tasks", params={"unit": "市财政局"}).json()
    assert [t["task_id"] for t in rows] == ["doc-16tiao:十五", FIRST]
    first = rows[1]
    assert first["lead"] == [] and first["supporting"] == []
    assert [m["canonical"] for m in first["unassigned_units"]] == ["市商务局", "市财政局"]
    assert {m["role"] for m in first["unassigned_units"]} == {"unassigned"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("unassigned", [FIRST, SECOND]),
        ("supporting", [THIRD]),
        ("lead", []),
        (None, [FIRST, SECOND, THIRD]),
    ],
)
def test_tasks_by_unit_and_role(client, role, expected) -> None:
    params = {"unit": "市商务局", "doc": "doc-fengong"} | ({"role": role} if role else {})
    res = client.get("/tasks", params=params)
    assert res.status_code == 200, res.text
    assert [t["task_id"] for t in res.json()] == expected


def test_units_count_unsplit_responsibility_in_the_load(client) -> None:
    units = client.get("/units").json()
    commerce = next(u for u in units if u["canonical"] == "市商务局")
    assert (commerce["lead_count"], commerce["supporting_count"], commerce["unassigned_count"]) == (0, 1, 2)
    culture = next(u for u in units if u["canonical"] == "市文化广播电视和旅游局")  # named only without a role
    assert culture["unassigned_count"] == 1
    loads = [u["lead_count"] + u["supporting_count"] + u["unassigned_count"] for u in units]
    assert loads == sorted(loads, reverse=True)
    assert units[0]["canonical"] == "市商务局"  # named for three measures, the busiest


def test_unit_tasks_list_what_it_is_responsible_for_without_a_role(client) -> None:
    finance = client.get("/units/" + quote("市财政局") + "/tasks").json()
    assert [t["task_id"] for t in finance["lead"]] == ["doc-16tiao:十五"]
    assert [t["task_id"] for t in finance["unassigned"]] == [FIRST]
    culture = client.get("/units/" + quote("市文化广播电视和旅游局") + "/tasks").json()
    assert culture["lead"] == [] and culture["supporting"] == []
    assert [t["task_id"] for t in culture["unassigned"]] == [SECOND]
    assert culture["candidates"] == []


def test_search_cards_carry_unsplit_units(client) -> None:
    body = client.get("/search", params={"q": "以旧换新", "k": 3}).json()
    card = next(h["card"] for h in body["hits"] if h["card"]["item_id"] == FIRST)
    assert card["lead"] == [] and card["supporting"] == []
    assert [m["canonical"] for m in card["unassigned_units"]] == ["市商务局", "市财政局"]
    assert {"市商务局", "市财政局"} <= {f["value"] for f in body["facets"]["unit"]}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(unit="市财政局"), {"doc-16tiao:十五", FIRST}),
        (SearchFilters(unit="市财政局", role="unassigned"), {FIRST}),
        (SearchFilters(unit="市财政局", role="lead"), {"doc-16tiao:十五"}),
        (SearchFilters(unit="市商务局", role="unassigned"), {FIRST, SECOND}),
    ],
)
def test_search_unit_filter_includes_unsplit_units(unsplit_settings, filters, expected) -> None:
    response = search("消费 融资 增信 以旧换新 文旅 维权", unsplit_settings, k=20, filters=filters)
    assert {h.card.item_id for h in response.hits} == expected


def test_search_route_accepts_the_unassigned_role(client) -> None:
    res = client.get("/search", params={"q": "消费", "unit": "市商务局", "role": "unassigned"})
    assert res.status_code == 200, res.text
    assert {h["card"]["item_id"] for h in res.json()["hits"]} == {FIRST, SECOND}


def test_index_units_know_units_named_only_without_a_role(unsplit_settings) -> None:
    assert "市文化广播电视和旅游局" in index_units(unsplit_settings)


def test_cli_card_prints_the_responsible_units(unsplit_settings, capsys) -> None:
    run_search_command("以旧换新", unsplit_settings, k=1, doc="doc-fengong")
    out = capsys.readouterr().out
    assert "扩大商品消费" in out
    assert "责任单位：市商务局、市财政局" in out
    assert "文件未列明" not in out and "未分牵头、配合" in out


def test_cli_card_shows_roles_and_unsplit_units_side_by_side(unsplit_settings, capsys) -> None:
    run_search_command("放心消费 维权", unsplit_settings, k=1, doc="doc-fengong")
    out = capsys.readouterr().out
    assert "优化消费环境" in out and "市市场监管局" in out and "配合" in out
    assert "文件未列明" not in out


def test_cli_unit_filter_finds_a_unit_named_only_without_a_role(unsplit_settings, capsys) -> None:
    run_search_command("文旅", unsplit_settings, unit="文化广播电视和旅游局", role="责任", as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["filters"] == data["filters"] | {"unit": "市文化广播电视和旅游局", "role": "unassigned"}
    assert [h["card"]["item_id"] for h in data["hits"]] == [SECOND]
