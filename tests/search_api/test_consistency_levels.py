"""Checks across levels of government (国家 → 省 → 市 → 区) for places anywhere in China: 全省 in a
city's document is its province, a city restating the provincial figure differently conflicts
with it, and a city's own stricter target is not a conflict."""

from __future__ import annotations

import datetime as dt

from extractors.checks import check_targets
from extractors.checks.scopes import issuer_area, resolve_scope, scope_relation
from pipeline.model import DocumentMeta
from tests.search_api.consistency_fixtures import make_target

PROVINCE = DocumentMeta(doc_id="sample-province", title="示例：山东省数字经济行动方案", issuer="山东省人民政府办公厅",
                        date=dt.date(2023, 3, 1))
CITY = DocumentMeta(doc_id="sample-city", title="示例：济南市数字经济实施方案", issuer="济南市人民政府",
                    date=dt.date(2023, 6, 1))
DISTRICT = DocumentMeta(doc_id="sample-district", title="示例：历下区实施方案", issuer="济南市历下区人民政府",
                        date=dt.date(2023, 9, 1))
NATIONAL = DocumentMeta(doc_id="sample-national", title="示例：国务院关于数字经济的意见", issuer="国务院",
                        date=dt.date(2022, 1, 1))
METAS = {m.doc_id: m for m in (PROVINCE, CITY, DISTRICT, NATIONAL)}


def test_issuers_anywhere_have_an_area() -> None:
    assert [issuer_area(m) for m in (PROVINCE, CITY, DISTRICT, NATIONAL)] == ["山东省", "济南市", "历下区", "全国"]


def test_generic_scopes_resolve_by_the_issuer() -> None:
    assert resolve_scope("全省数字经济核心产业增加值", (), PROVINCE)[0] == "山东省"
    assert resolve_scope("全省数字经济核心产业增加值", (), CITY)[0] == "山东省"  # the city quotes its province
    assert resolve_scope("全市数字经济核心产业增加值", (), CITY)[0] == "济南市"
    assert resolve_scope("全区数字经济核心产业增加值", (), DISTRICT)[0] == "历下区"


def test_places_nest_across_levels() -> None:
    assert scope_relation("济南市", "山东省") == "part"
    assert scope_relation("历下区", "山东省") == "part"
    assert scope_relation("山东省", "全国") == "part"
    assert scope_relation("济南市", "青岛市") == "disjoint"


def _share(doc_id: str, quote: str, value: str, comparator: str = "eq"):
    return make_target(doc_id, quote, "数字经济核心产业增加值占地区生产总值比重", value, "%", comparator, 2025)


def test_a_city_restating_the_provincial_figure_differently_is_a_conflict() -> None:
    province = _share("sample-province", "到2025年，全省数字经济核心产业增加值占地区生产总值比重达到10%", "10")
    city = _share("sample-city", "到2025年，全省数字经济核心产业增加值占地区生产总值比重达到12%", "12")
    kinds = {f.kind for f in check_targets([province, city], METAS)}
    assert "conflict" in kinds


def test_a_stricter_city_target_is_not_a_conflict() -> None:
    province = _share("sample-province", "到2025年，全省数字经济核心产业增加值占地区生产总值比重达到10%以上", "10", "ge")
    city = _share("sample-city", "到2025年，全市数字经济核心产业增加值占地区生产总值比重达到12%以上", "12", "ge")
    assert not [f for f in check_targets([province, city], METAS) if f.kind == "conflict"]
