"""A bare 区X局 / 县X局 / 园区X部 takes the district, county or park of its document; bodies of two
districts (or of a district and the city) never become one unit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.roles.statements import parse_responsibility
from extractors.units.context import (
    UnitContext,
    jurisdiction_candidates,
    qualify_unit,
    read_places,
)
from extractors.units.names import canonical_unit, unit_lexicon
from pipeline.model import Document, DocumentMeta, UnitFlag

DONGQU = ("攀枝花市东区人民政府办公室", "攀枝花东区高新技术产业园区承载能力提升三年行动方案")
XIQU = ("攀枝花西区发展和改革局", "攀枝花市西区协同助推成渝经济圈建设规划")
RENHE = ("攀枝花市仁和区人民政府办公室", "关于印发仁和区促进民营经济发展若干措施的通知")
MIYI = ("米易县人民政府办公室", "米易县推进工业园区高质量发展实施方案")
CITY = ("中共攀枝花市委办公室 攀枝花市人民政府办公室", "关于开展园区提质行动助推高质量发展的通知")
PARK = ("国家钒钛高新区管委会", "关于印发园区企业服务专员制度的通知")
WUHOU = ("成都市武侯区人民政府", "关于印发《武侯区优化营商环境行动方案》的通知")
NO_PLACE = (None, "某市优化营商环境行动方案")


def _context(issuer: str | None, title: str) -> UnitContext:
    return UnitContext.from_meta(DocumentMeta(doc_id="t", title=title, issuer=issuer))


@pytest.mark.parametrize(
    ("issuer", "title", "expected"),
    [
        (*DONGQU, {"city": "攀枝花市", "district": "东区", "park": "东区高新技术产业园区"}),
        (*XIQU, {"city": "攀枝花市", "district": "西区"}),
        (*RENHE, {"city": "攀枝花市", "district": "仁和区"}),
        (*MIYI, {"county": "米易县"}),
        (*CITY, {"city": "攀枝花市"}),
        (*PARK, {"park": "攀枝花钒钛高新技术产业开发区"}),
        (*WUHOU, {"city": "成都市", "district": "武侯区"}),
        (None, "关于印发《成都市武侯区优化营商环境行动方案》的通知", {"city": "成都市", "district": "武侯区"}),
        ("攀枝花钒钛高新技术产业开发区管理委员会", "通知", {"city": "攀枝花市", "park": "攀枝花钒钛高新技术产业开发区"}),
        (None, "攀枝花市格里坪特色产业园区发展规划", {"city": "攀枝花市", "park": "格里坪特色产业园区"}),
        (None, "攀枝花市“十四五”工业园区发展规划", {"city": "攀枝花市"}),
        ("攀枝花市人民政府", "攀枝花市工业园区发展规划", {"city": "攀枝花市"}),
        (None, "推进全市工业园区建设方案", {}),
        (None, "聚焦产业建圈强链促进工业经济高质量发展十六条措施", {}),
        ("银江镇人民政府", "关于做好春耕生产的通知", {"town": "银江镇"}),
        ("四川省凉山彝族自治州人民政府", "通知", {"city": "凉山彝族自治州"}),
        ("广西壮族自治区人民政府办公厅", "通知", {}),  # a 自治区 is a province, not a district
        ("内蒙古自治区人民政府", "通知", {}),
        (*NO_PLACE, {}),
    ],
)
def test_context_from_issuer_and_title(issuer: str | None, title: str, expected: dict) -> None:
    # the province and the national flag are read too (tests/extractors/test_divisions.py)
    assert _context(issuer, title).model_dump(exclude_none=True, exclude={"province", "national"}) == expected


def test_a_title_names_a_place_only_after_a_city_or_when_known() -> None:
    assert read_places("关于开展园区提质行动", from_title=True) == UnitContext()
    assert read_places("东区工作要点", from_title=True) == UnitContext()  # 东区 of which city?
    assert read_places("东区人民政府") == UnitContext(district="东区")  # an issuer is a body


def test_a_street_office_named_under_its_district_government() -> None:
    # a 街道办事处's formal name holds its district's 人民政府: the street is 玉林街道, not 人民政府玉林街道
    assert read_places("成都市武侯区人民政府玉林街道办事处") == UnitContext(city="成都市", district="武侯区", town="玉林街道")


@pytest.mark.parametrize(
    ("doc", "written", "canonical"),
    [
        (DONGQU, "区经济和信息化局", "东区经济和信息化局"),
        (DONGQU, "区发展和改革委员会", "东区发展和改革委员会"),
        (DONGQU, "区住房城乡建设局", "东区住房和城乡建设局"),
        (DONGQU, "区委组织部", "中共东区委组织部"),
        (DONGQU, "区政府", "东区人民政府"),
        (DONGQU, "区税务局", "国家税务总局攀枝花市东区税务局"),
        (DONGQU, "区农业农村和交通水利局", "东区农业农村和交通水利局"),
        (DONGQU, "园区规划发展部", "东区高新技术产业园区规划发展部"),
        (DONGQU, "园区管委会", "东区高新技术产业园区管理委员会"),
        (DONGQU, "银江镇", "银江镇人民政府"),
        (DONGQU, "东区生态环境局", "东区生态环境局"),
        (DONGQU, "市经济和信息化局", "攀枝花市经济和信息化局"),  # the city's bureau, not the district's
        (DONGQU, "市自然资源和规划局东区分局", "市自然资源和规划局东区分局"),
        (XIQU, "区经济和信息化局", "西区经济和信息化局"),
        (XIQU, "区发改局", "西区发展和改革局"),
        (XIQU, "区税务局", "国家税务总局攀枝花市西区税务局"),
        (RENHE, "区经信局", "仁和区经济和信息化局"),
        (RENHE, "区农业农村和交通水利局", "仁和区农业农村和交通水利局"),
        (MIYI, "县发展改革局", "米易县发展和改革局"),
        (MIYI, "县政府", "米易县人民政府"),
        (MIYI, "县税务局", "国家税务总局米易县税务局"),
        (MIYI, "区财政局", "区财政局"),  # a county document names no district
        (CITY, "市税务局", "国家税务总局攀枝花市税务局"),  # a vertical body's name holds the city
        (CITY, "市金融监管分局", "国家金融监督管理总局攀枝花监管分局"),
        (CITY, "市委组织部", "中共攀枝花市委组织部"),
        (CITY, "攀枝花市财政局", "攀枝花市财政局"),
        (CITY, "市财政局", "攀枝花市财政局"),  # two cities' 市财政局 never merge in one ledger
        (CITY, "成都市财政局", "成都市财政局"),  # another city's bureau keeps its city
        (CITY, "区财政局", "区财政局"),
        (PARK, "园区规划发展部", "攀枝花钒钛高新技术产业开发区规划发展部"),
        (WUHOU, "区财政局", "武侯区财政局"),
        (WUHOU, "东区税务局", "东区税务局"),  # not Panzhihua's 东区
        (NO_PLACE, "市税务局", "市税务局"),
        (("广西壮族自治区人民政府办公厅", "通知"), "自治区财政厅", "广西壮族自治区财政厅"),
        (("广西壮族自治区人民政府办公厅", "通知"), "自治区发展改革委", "广西壮族自治区发展和改革委员会"),
    ],
)
def test_qualify(doc: tuple[str | None, str], written: str, canonical: str) -> None:
    match = qualify_unit(canonical_unit(written), _context(*doc))
    assert match.canonical == canonical
    assert match.name == written


def test_qualified_flags() -> None:
    ctx = _context(*DONGQU)
    assert tuple(map(str, qualify_unit(canonical_unit("区财政局"), ctx).flags)) == ()
    unresolved = qualify_unit(canonical_unit("区财政局"), _context(*MIYI))
    assert tuple(map(str, unresolved.flags)) == ("needs_jurisdiction:区",)
    typo = qualify_unit(canonical_unit("区住房城乡建没局"), ctx)
    assert typo.canonical == "东区住房城乡建没局"
    assert tuple(map(str, typo.flags)) == ("possible_typo:东区住房和城乡建设局",)
    assert not typo.known
    assert tuple(map(str, qualify_unit(canonical_unit("成都市财政局"), _context(*CITY)).flags)) == (
        "other_city:成都",
    )


def _stems() -> list[tuple[str, tuple[str, ...]]]:
    return [(d.stem, d.aliases) for d in unit_lexicon().departments]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_stems()),
    st.sampled_from(["东区", "西区", "仁和区", "武侯区", "金牛区"]),
    st.sampled_from(["东区", "西区", "仁和区", "武侯区", "金牛区"]),
)
def test_same_written_name_in_two_districts_never_merges(
    stem: tuple[str, tuple[str, ...]], d1: str, d2: str
) -> None:
    name, aliases = stem
    ctx1 = UnitContext(city="攀枝花市", district=d1)
    ctx2 = UnitContext(city="攀枝花市", district=d2)
    q1 = qualify_unit(canonical_unit("区" + name), ctx1)
    q2 = qualify_unit(canonical_unit("区" + name), ctx2)
    city_body = qualify_unit(canonical_unit("市" + name), ctx1)
    assert (q1.canonical == q2.canonical) == (d1 == d2)
    assert q1.canonical != city_body.canonical
    # written with its place elsewhere, the same body gets the same canonical name
    assert canonical_unit(d1 + name).canonical == q1.canonical
    for alias in aliases:
        assert qualify_unit(canonical_unit("区" + alias), ctx1).canonical == q1.canonical


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_stems()), st.sampled_from(["米易县", "盐边县", "会理县"]))
def test_county_bodies_keep_their_county(stem: tuple[str, tuple[str, ...]], county: str) -> None:
    name, _ = stem
    q = qualify_unit(canonical_unit("县" + name), UnitContext(county=county))
    assert q.canonical == canonical_unit(county + name).canonical
    assert county in q.canonical  # 米易县财政局, 国家税务总局米易县税务局


def test_parse_responsibility_reads_names_in_context() -> None:
    text = "（区经济和信息化局，区经济合作局、园区经济运行部。逗号前为牵头部门，下同）"
    parse = parse_responsibility(text, context=_context(*DONGQU))
    assert [(u.name, u.canonical, u.role) for u in parse.units] == [
        ("区经济和信息化局", "东区经济和信息化局", "lead"),
        ("区经济合作局", "东区经济合作局", "supporting"),
        ("园区经济运行部", "东区高新技术产业园区经济运行部", "supporting"),
    ]
    alone = parse_responsibility(text)
    assert alone.units[0].canonical == "区经济和信息化局"
    assert UnitFlag(kind="needs_jurisdiction", value="区") in alone.units[0].flags


DISTRICT_PLAN = """二、重点任务
（一）优化产业布局。
1.推进园区建设。加快标准化厂房建设。（区经济和信息化局牵头，区发展和改革委员会、区财政局、市生态环境局配合）
2.强化要素保障。（区自然资源局负责）
"""


def _district_doc(tmp_path_factory, issuer: str, doc_id: str) -> Document:
    from pipeline.run import parse_file

    path = tmp_path_factory.mktemp(doc_id) / f"{doc_id}.txt"
    path.write_text(DISTRICT_PLAN, encoding="utf-8")
    return parse_file(path, meta=DocumentMeta(doc_id=doc_id, title="产业发展行动方案", issuer=issuer))


def test_two_districts_same_text_two_sets_of_units(tmp_path_factory) -> None:
    from extractors.measures.tasks import extract_tasks

    def units(issuer: str, doc_id: str) -> set[str]:
        tasks = extract_tasks(_district_doc(tmp_path_factory, issuer, doc_id))
        return {u.canonical for t in tasks for u in (*t.lead, *t.supporting, *t.unassigned_units)}

    east = units("攀枝花市东区人民政府办公室", "east")
    west = units("攀枝花市西区人民政府办公室", "west")
    assert east == {
        "东区经济和信息化局",
        "东区发展和改革委员会",
        "东区财政局",
        "攀枝花市生态环境局",
        "东区自然资源局",
    }
    assert east & west == {"攀枝花市生态环境局"}  # only the city's bureau is shared
    assert "西区经济和信息化局" in west


def test_candidates_for_a_bare_name_without_a_document() -> None:
    ledger = [
        "东区经济和信息化局",
        "西区经济和信息化局",
        "市经济和信息化局",
        "东区经济合作局",
        "米易县经济和信息化局",
        "东区高新技术产业园区规划发展部",
    ]
    bare = canonical_unit("区经信局")
    assert jurisdiction_candidates(bare, ledger) == ["东区经济和信息化局", "西区经济和信息化局"]
    assert jurisdiction_candidates(canonical_unit("县经信局"), ledger) == ["米易县经济和信息化局"]
    assert jurisdiction_candidates(canonical_unit("园区规划发展部"), ledger) == [
        "东区高新技术产业园区规划发展部"
    ]
    assert jurisdiction_candidates(canonical_unit("市经信局"), ledger) == []


@pytest.mark.parametrize(("qualified", "official"), [
    ("山东省委组织部", "中共山东省委组织部"),
    ("历下区委宣传部", "中共历下区委宣传部"),
    ("中共济南市委网信办", "中共济南市委网信办"),
    ("山东省发展和改革委员会", "山东省发展和改革委员会"),
    ("济南市教委", "济南市教委"),
    ("山东省委", "山东省委"),
])
def test_party_committee_bodies_take_their_official_prefix(qualified: str, official: str) -> None:
    from extractors.units.context import party_body

    assert party_body(qualified) == official


@pytest.mark.parametrize(("number", "expected"), [
    ("皖开放办〔2023〕5号", {"province": "安徽省"}),
    ("鲁政办发〔2021〕7号", {"province": "山东省"}),
    ("包府办发〔2023〕12号", {"province": "内蒙古自治区", "city": "包头市"}),
    ("青政办发〔2020〕3号", {}),  # 青海省 or 青岛市: the number alone cannot say
    ("济政发〔2019〕9号", {}),  # 济南, 济宁 …
    ("国办发〔2018〕129号", {"national": True}),
    ("工信部规〔2023〕1号", {}),
])
def test_a_document_that_names_no_place_takes_it_from_its_number(number: str, expected: dict) -> None:
    context = UnitContext.from_meta(DocumentMeta(doc_id="d", title="关于印发若干措施的通知", doc_number=number))
    assert context.model_dump(exclude_defaults=True) == expected


def test_the_issuer_named_outweighs_the_number() -> None:
    # a number of another province (as a copy error would give): the issuer's places stand
    meta = DocumentMeta(doc_id="d", title="关于印发若干措施的通知", issuer="济南市人民政府", doc_number="皖政发〔2023〕1号")
    context = UnitContext.from_meta(meta)
    assert (context.province, context.city) == ("山东省", "济南市")
