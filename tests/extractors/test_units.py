"""The unit authority: true aliases merge, levels and places never merge, typos are flagged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.units.names import (
    canonical_unit,
    edit_distance,
    known_units,
    looks_like_unit,
    name_endings,
    resolve,
    suffix_endings,
    unit_level,
    unit_user_words,
)


def texts(flags) -> tuple[str, ...]:
    """Flags as the contract writes them (``kind:value``)."""
    return tuple(map(str, flags))


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("各县（区）政府", "各县（区）人民政府"),
        ("各县(区)人民政府", "各县（区）人民政府"),
        ("攀枝花市金融监管分局", "国家金融监督管理总局攀枝花监管分局"),
        ("攀枝花金融监管分局", "国家金融监督管理总局攀枝花监管分局"),
        ("市发展改革委", "市发展和改革委员会"),
        ("市人力社保局", "市人力资源和社会保障局"),
        ("市住建委", "市住房和城乡建设委员会"),
        ("省工信厅", "省工业和信息化厅"),
        ("市发改委", "市发展和改革委员会"),
        ("市经信局", "市经济和信息化局"),
        ("攀枝花市经济和信息化局", "市经济和信息化局"),
        ("国家钒钛高新区", "攀枝花钒钛高新技术产业开发区管理委员会"),  # the zone as a body
        ("攀枝花钒钛高新技术产业开发区", "攀枝花钒钛高新技术产业开发区管理委员会"),
        ("国家钒钛高新区管委会", "攀枝花钒钛高新技术产业开发区管理委员会"),
        ("市人社局", "市人力资源和社会保障局"),
        ("市人力资源社会保障局", "市人力资源和社会保障局"),
        ("市住建局", "市住房和城乡建设局"),
        ("市住房城乡建设局", "市住房和城乡建设局"),
        ("市市场监管局", "市市场监督管理局"),
        ("市卫健委", "市卫生健康委员会"),
        ("市文化广电旅游局", "市文化广播电视和旅游局"),
        ("市委编办", "市委机构编制委员会办公室"),
        ("市委人才办", "市委人才工作领导小组办公室"),
        ("市科技局", "市科学技术局"),
        ("市国资委", "市国有资产监督管理委员会"),
        ("人民银行攀枝花市分行", "中国人民银行攀枝花市分行"),
        ("区发展和改革委员会", "区发展和改革委员会"),
        ("区住房和城乡建设局", "区住房和城乡建设局"),
        ("区人力资源和社会保障局", "区人力资源和社会保障局"),
        ("区市场监督管理局", "区市场监督管理局"),
        ("区科学技术局", "区科学技术局"),
        ("县发改局", "县发展和改革局"),
        ("省经信厅", "省经济和信息化厅"),
        # read alone, another place's city or province body keeps its place: 山东省人民政府 and
        # 江苏省人民政府 side by side in a national document are two bodies
        ("四川省经济和信息化厅", "四川省经济和信息化厅"),
        ("济南市政府", "济南市人民政府"),
        ("青岛市人民政府", "青岛市人民政府"),
        ("国家发展改革委", "国家发展和改革委员会"),
        ("省政府办公厅", "省人民政府办公厅"),
        ("市發展改革委", "市发展和改革委员会"),
        ("市自然资源和规\n\n划局", "市自然资源和规划局"),
        ("银江镇人民政府", "银江镇人民政府"),
        ("银江镇", "银江镇人民政府"),  # a town as a responsible unit is its government
        ("各县（区）", "各县（区）人民政府"),
        ("各县（市、区）", "各县（区）人民政府"),
        ("各乡镇", "各乡镇人民政府"),
        ("东区", "东区人民政府"),
        ("东区税务局", "国家税务总局攀枝花市东区税务局"),
        ("攀枝花市东区税务局", "国家税务总局攀枝花市东区税务局"),
        ("攀枝花市税务局", "国家税务总局攀枝花市税务局"),
        # written with their place, bodies below the city keep it
        ("东区经信局", "东区经济和信息化局"),
        ("攀枝花市东区财政局", "东区财政局"),
        ("攀枝花市西区人民政府", "西区人民政府"),
        ("攀枝花西区发展和改革局", "西区发展和改革局"),
        ("西区发改局", "西区发展和改革局"),
        ("仁和区住建局", "仁和区住房和城乡建设局"),
        ("米易县发展改革局", "米易县发展和改革局"),
        ("盐边县人民政府办公室", "盐边县人民政府办公室"),
        ("东区区委组织部", "东区委组织部"),
        ("格里坪特色产业园区管委会", "格里坪特色产业园区管理委员会"),
        ("成都市武侯区财政局", "武侯区财政局"),
        ("市工信局", "市工业和信息化局"),
        ("省药监局", "省药品监督管理局"),
        ("区住房建设委", "区住房和建设委员会"),
        ("区安委办", "区安全生产委员会办公室"),
        ("东北地区", "东北地区"),  # a region, not a district's government
    ],
)
def test_aliases(written: str, canonical: str) -> None:
    assert canonical_unit(written).canonical == canonical


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("市自然资源局", "市自然资源和规划局"),  # different bodies in different cities
        ("各县（区）党委", "各县（区）人民政府"),
        ("市经济和信息化局", "区经济和信息化局"),
        ("市财政局", "县财政局"),
        ("市生态环境局", "东区生态环境局"),
        ("市自然资源和规划局", "市自然资源和规划局东区分局"),
        ("国家钒钛高新区党工委", "国家钒钛高新区管委会"),
        ("东区财政局", "西区财政局"),  # two districts' bodies
        ("东区财政局", "区财政局"),
        ("东区财政局", "市财政局"),
        ("仁和区经信局", "东区经济和信息化局"),
        ("米易县财政局", "盐边县财政局"),
        ("米易县财政局", "县财政局"),
        ("东区", "西区"),
        ("银江镇", "格里坪镇"),
        ("东区税务局", "西区税务局"),
        ("东区税务局", "市税务局"),
        ("区发展和改革委员会", "市发展和改革委员会"),
        ("市政府管理局", "市政务管理局"),
        ("市卫生健康委员会", "市卫生健康局"),
    ],
)
def test_never_merged(a: str, b: str) -> None:
    assert canonical_unit(a).canonical != canonical_unit(b).canonical


def test_typo_flagged_never_merged() -> None:
    match = canonical_unit("市政府管理局")
    assert match.name == "市政府管理局"
    assert match.canonical == "市政府管理局"
    assert not match.known
    assert "possible_typo:市政务管理局" in texts(match.flags)


def test_typo_only_against_same_level() -> None:
    assert not any(f.startswith("possible_typo:区") for f in texts(canonical_unit("市政府管理局").flags))
    flags = texts(canonical_unit("区住房城乡建没局").flags)  # 设 → 没
    assert flags == ("possible_typo:区住房和城乡建设局", "needs_jurisdiction:区")


def test_short_names_not_flagged() -> None:
    # 市农业局 (a former name) is one character from 市林业局; short names differ legitimately
    assert texts(canonical_unit("市农业局").flags) == ()


def test_place_prefix_is_flagged() -> None:
    match = canonical_unit("攀枝花市财政局")
    assert (match.canonical, match.known, texts(match.flags)) == (
        "市财政局",
        True,
        ("place_prefix:攀枝花",),
    )
    match = canonical_unit("攀枝花市东区财政局")
    assert (match.canonical, match.level, texts(match.flags)) == (
        "东区财政局",
        "district",
        ("place_prefix:攀枝花",),
    )
    assert texts(canonical_unit("四川省财政厅").flags) == ("place_prefix:四川",)


@pytest.mark.parametrize(
    ("written", "tier"),
    [
        ("区经济和信息化局", "区"),
        ("区委组织部", "区"),
        ("区级有关部门", "区"),
        ("县发改局", "县"),
        ("园区规划发展部", "园区"),
        ("园区管委会", "园区"),
        ("镇政府", "镇"),
        ("区新兴产业促进中心", "区"),  # unknown, still bare
    ],
)
def test_bare_names_need_a_jurisdiction(written: str, tier: str) -> None:
    assert f"needs_jurisdiction:{tier}" in texts(canonical_unit(written).flags)


@pytest.mark.parametrize(
    "written",
    ["市经济和信息化局", "东区经济和信息化局", "米易县发改局", "各县（区）", "国家钒钛高新区", "区"],
)
def test_named_or_city_names_need_no_jurisdiction(written: str) -> None:
    assert not any(f.startswith("needs_jurisdiction") for f in texts(canonical_unit(written).flags))


@pytest.mark.parametrize(
    ("written", "city", "canonical", "flag"),
    [
        ("成都市财政局", "攀枝花市", "成都市财政局", "other_city:成都"),
        ("攀枝花市财政局", "攀枝花市", "市财政局", "place_prefix:攀枝花"),
        ("攀枝花市财政局", "成都市", "攀枝花市财政局", "other_city:攀枝花"),
        ("攀枝花市东区财政局", "成都市", "攀枝花市东区财政局", "other_city:攀枝花"),
    ],
)
def test_city_prefix_dropped_only_for_the_documents_city(
    written: str, city: str, canonical: str, flag: str
) -> None:
    match = resolve(written, city)
    assert (match.canonical, texts(match.flags)) == (canonical, (flag,))


def test_one_citys_own_bodies_stay_out_of_another_citys_documents() -> None:
    assert resolve("东区税务局", "攀枝花市").canonical == "国家税务总局攀枝花市东区税务局"
    assert resolve("东区税务局", "中山市").canonical == "东区税务局"


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("市经济和信息化局", "city"),
        ("市委组织部", "city"),
        ("区经济和信息化局", "district"),
        ("东区税务局", "district"),
        ("县财政局", "county"),
        ("米易县农业农村局", "county"),
        ("省发展改革委", "province"),
        ("园区规划发展部", "park"),
        ("国家钒钛高新区管委会", "park"),
        ("镇人民政府", "town"),
        ("街道办事处", "town"),
        ("乡村振兴局", None),
        ("各县（区）", "multi"),
        ("市市场监管局", "city"),
    ],
)
def test_levels(name: str, level: str | None) -> None:
    assert unit_level(name) == level


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("市经济和信息化局", True),
        ("高创投公司", True),
        ("人民银行攀枝花市分行", True),
        ("各产业链牵头部门", True),
        ("市级有关单位", True),
        ("某某集团", True),
        ("各乡镇", True),
        ("各省份", True),
        ("各设区的市", True),
        ("各区、市政府", True),
        ("各县（市、区）", True),
        ("各市工业", False),  # the left half of 各市工业和信息化局: not split at its 和
        ("各环节", False),
        ("开发区整合化工园区的", False),
        ("主导产业各不超过3个", False),
        ("D级", False),
        ("代拟稿", False),
        ("区", False),
        ("", False),
    ],
)
def test_looks_like_unit(name: str, expected: bool) -> None:
    assert looks_like_unit(name) is expected


def test_unknown_unit_kept() -> None:
    match = canonical_unit("市新兴产业促进中心")
    assert (match.canonical, match.known, texts(match.flags)) == ("市新兴产业促进中心", False, ())


def test_not_unit_shape_flag() -> None:
    assert "not_unit_shape" in texts(canonical_unit("主导产业各不超过3个").flags)


def test_user_words_cover_aliases_and_canonicals() -> None:
    words = unit_user_words()
    assert {
        "市发展改革委",
        "市发展和改革委员会",
        "各县（区）人民政府",
        "攀枝花金融监管分局",
        "国家钒钛高新区",  # a place name, highlighted as its body
    } <= set(words)
    assert len(words) == len(set(words))
    assert len(words[0]) >= len(words[-1])


def test_every_canonical_is_its_own_canonical() -> None:
    for entry in known_units():
        assert canonical_unit(entry.canonical).canonical == entry.canonical
        for alias in (*entry.aliases, *entry.places):
            assert canonical_unit(alias).canonical == entry.canonical


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [("市政府管理局", "市政务管理局", 1), ("", "ab", 2), ("abc", "abc", 0), ("ab", "ba", 2)],
)
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert edit_distance(a, b) == d


@given(st.text(max_size=30))
def test_canonical_unit_total(name: str) -> None:
    match = canonical_unit(name)
    assert match.canonical == match.canonical.strip()
    assert "\n" not in match.name


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(?:局|委员会|[省市县])$", {"局", "会", "省", "市", "县"}),
        ("(局|管委会|政府)$", {"局", "会", "府"}),
        ("^各\\S{0,12}(?:[省市]|地区|部门)$", {"省", "市", "区", "门"}),
    ],
)
def test_suffix_endings(pattern: str, expected: set[str]) -> None:
    assert suffix_endings(pattern) == expected


@pytest.mark.parametrize(
    ("name", "ends_like_a_body"),
    [("国家卫生健康委", True), ("各省份", True), ("攀钢集团", True), ("市科技局", True), ("信息系统", False), ("考核工作", False)],
)
def test_name_endings(name: str, ends_like_a_body: bool) -> None:
    assert (name[-1] in name_endings()) is ends_like_a_body


@pytest.mark.parametrize("name", ["专区", "数据专区"])
def test_a_zone_is_not_a_district(name: str) -> None:
    """专区 (a data or trade zone) names no district: no 人民政府 is made of it."""
    match = canonical_unit(name)
    assert not match.known and match.canonical == name
