"""Numeric consistency checks: pairs of typed Targets built from real corpus sentences
(tests/search_api/consistency_fixtures.py), each pair with the finding it must give or none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import DocumentMeta, Target
from extractors.checks import check_targets, classify_pair, finding_id
from extractors.checks.align import (
    indicator_lexicon,
    normalise_indicator,
    read_target,
    read_targets,
    scope_relation,
)
from extractors.checks.scopes import (
    authority,
    document_subject,
    first_cue,
    known_scopes,
    newer_of,
    scope_lexicon,
)
from tests.search_api.consistency_fixtures import (
    CITY_PARKS_2020,
    CITY_PARKS_2500,
    CITY_PARKS_VALUE_ADDED,
    DONGQU,
    DONGQU_FIRMS_90,
    DONGQU_HIGH_TECH_28,
    DONGQU_PARK_900,
    DONGQU_PARK_1200,
    DONGQU_REVENUE_PER_MU_5,
    GELIPING_250,
    GUIHUA,
    HIGH_TECH_80,
    HIGH_TECH_95,
    INVEST_INTENSITY,
    METAS,
    MINING_900,
    NANSHAN_250,
    REVENUE_PER_MU_4,
    REVENUE_PER_MU_4_TABLE,
    REVENUE_PER_MU_75,
    SAMPLE_900_WANYUAN,
    SAMPLE_1000,
    SAMPLE_CITY_1000,
    SAMPLE_CITY_1000_ABOVE_SIZE,
    SAMPLE_FIRMS_100,
    SAMPLE_FIRMS_CAP_80,
    SAMPLE_HIGH_TECH_80_2027,
    SAMPLE_INTENSITY_11_15,
    SAMPLE_PARK_A,
    SAMPLE_PARK_B,
    SAMPLE_PROJECT_A,
    SAMPLE_PROJECT_B,
    TONGZHI,
    XIQU,
    XIQU_SERVICES,
    XIQU_VALUE_ADDED,
    corpus_metas,
    make_target,
)

PAIRS = [
    # (left, right, expected kind or None, why)
    (
        DONGQU_PARK_900,
        DONGQU_PARK_1200,
        "conflict",
        "one park, one year: 900 vs 1200; 工业产值 = 工业总产值",
    ),
    (DONGQU_PARK_900, SAMPLE_900_WANYUAN, "consistent", "9000000万元 = 900亿元"),
    (DONGQU_PARK_900, SAMPLE_1000, "superseded", "a later city document revises the city's target"),
    (REVENUE_PER_MU_4, REVENUE_PER_MU_75, "basis_mismatch", "年均 4% (规上) vs one-year 7.5%"),
    (
        HIGH_TECH_80,
        SAMPLE_HIGH_TECH_80_2027,
        "year_drift",
        "80 firms: 2025 in one, 2027 in the other",
    ),
    (DONGQU_PARK_1200, SAMPLE_CITY_1000, "part_exceeds_whole", "a park above all parks"),
    (DONGQU_PARK_1200, SAMPLE_CITY_1000_ABOVE_SIZE, "part_exceeds_whole", "looser: all vs 规上"),
    (DONGQU_FIRMS_90, SAMPLE_FIRMS_CAP_80, "conflict", "≥90 and ≤80 cannot both hold"),
    (INVEST_INTENSITY, SAMPLE_INTENSITY_11_15, "conflict", "5–10% and 11–15% are disjoint"),
    (DONGQU_FIRMS_90, SAMPLE_FIRMS_100, "conflict", "two floors: both can hold, the plans differ"),
    (CITY_PARKS_2500, CITY_PARKS_VALUE_ADDED, None, "工业总产值 is not 工业增加值"),
    (DONGQU_PARK_900, MINING_900, None, "same number, a sector's output is not the park's"),
    (DONGQU_PARK_1200, CITY_PARKS_2500, None, "a park inside all parks, below the whole"),
    (CITY_PARKS_2020, CITY_PARKS_2500, None, "a baseline is not a target"),
    (
        REVENUE_PER_MU_4,
        DONGQU_REVENUE_PER_MU_5,
        None,
        "growth rates of nested scopes need not agree",
    ),
    (DONGQU_HIGH_TECH_28, HIGH_TECH_80, None, "28 of one park inside 80 of all parks"),
    (HIGH_TECH_80, HIGH_TECH_95, None, "different years, different values"),
    (CITY_PARKS_VALUE_ADDED, XIQU_VALUE_ADDED, None, "all parks of the city vs 西区"),
    (XIQU_VALUE_ADDED, XIQU_SERVICES, None, "工业增加值 vs 服务业增加值"),
    (GELIPING_250, NANSHAN_250, None, "same value, two parks"),
    (SAMPLE_PROJECT_A, SAMPLE_PROJECT_B, None, "two projects' investments in one document"),
    (SAMPLE_PARK_A, SAMPLE_PARK_B, None, "two parks no lexicon knows stay two parks"),
]


@pytest.mark.parametrize("left,right,expected,why", PAIRS, ids=[p[3] for p in PAIRS])
def test_pair(left: Target, right: Target, expected: str | None, why: str) -> None:
    findings = check_targets([left, right], METAS)
    assert [f.kind for f in findings] == ([expected] if expected else []), why


def test_conflict_900_1200_evidence_and_newer() -> None:
    (f,) = check_targets([DONGQU_PARK_1200, DONGQU_PARK_900], METAS)
    assert (f.severity, f.newer) == ("high", "right")
    assert (
        f.left.target_id == DONGQU_PARK_900.target_id
        and f.right.target_id == DONGQU_PARK_1200.target_id
    )
    assert f.left.parsed == "2025年 东区园区 工业总产值 = 900 亿元"
    assert "不能取代" in f.reason  # the newer document is a district's: no supersession


def test_related_indicators_are_a_basis_mismatch_not_a_conflict() -> None:
    revenue = make_target(
        "sample-2024-city",
        "到2025年，东区园区营业收入达到1500亿元",
        "营业收入",
        "1500",
        "亿元",
        "eq",
        2025,
        scope="东区园区",
    )
    main_revenue = make_target(
        DONGQU,
        "园区主营业务收入达到1300亿元",
        "主营业务收入",
        "1300",
        "亿元",
        "eq",
        2025,
        scope="攀枝花东区高新技术产业园区",
    )
    (f,) = check_targets([revenue, main_revenue], METAS)
    assert f.kind == "basis_mismatch"
    assert "营业收入 vs 主营业务收入" in f.reason or "主营业务收入 vs 营业收入" in f.reason


def test_two_floors_is_a_soft_conflict() -> None:
    (f,) = check_targets([DONGQU_FIRMS_90, SAMPLE_FIRMS_100], METAS)
    assert (f.rule, f.severity) == ("target.floor_differs", "low")


def test_part_exceeds_whole_severity_depends_on_basis() -> None:
    (same,) = check_targets([DONGQU_PARK_1200, SAMPLE_CITY_1000], METAS)
    (looser,) = check_targets([DONGQU_PARK_1200, SAMPLE_CITY_1000_ABOVE_SIZE], METAS)
    assert (same.severity, looser.severity) == ("high", "medium")


@pytest.mark.parametrize(
    "left,right,expected",
    [
        (
            DocumentMeta(doc_id="a", title="a", date=dt.date(2022, 1, 1)),
            DocumentMeta(doc_id="b", title="b", date=dt.date(2023, 1, 1)),
            "right",
        ),
        (
            DocumentMeta(doc_id="a", title="a", date=dt.date(2024, 1, 1), status="正式"),
            DocumentMeta(doc_id="b", title="b", date=dt.date(2024, 1, 1), status="征求意见稿"),
            "left",
        ),
        (
            DocumentMeta(doc_id="a", title="a", date=dt.date(2024, 1, 1), status="代拟稿"),
            DocumentMeta(doc_id="b", title="b", date=dt.date(2024, 1, 1), status="送审稿"),
            "right",
        ),
        (
            DocumentMeta(doc_id="a", title="a", date_note="content places it in early 2025"),
            DocumentMeta(doc_id="b", title="b", date=dt.date(2022, 4, 21)),
            "left",
        ),
        (
            DocumentMeta(doc_id="a", title="a"),
            DocumentMeta(doc_id="b", title="b", date=dt.date(2022, 4, 21)),
            None,
        ),
    ],
)
def test_newer_of(left: DocumentMeta, right: DocumentMeta, expected: str | None) -> None:
    assert newer_of(left, right) == expected


def test_superseded_needs_equal_or_higher_authority() -> None:
    district = METAS["sample-2024-district"]
    assert authority(corpus_metas()[GUIHUA]) > authority(district)
    source = SAMPLE_1000.source.model_copy(update={"doc_id": district.doc_id})
    revised = SAMPLE_1000.model_copy(
        update={"doc_id": district.doc_id, "target_id": "d:t1", "source": source}
    )
    (f,) = check_targets([DONGQU_PARK_900, revised], METAS)
    assert (f.kind, f.newer) == ("conflict", "right")


@pytest.mark.parametrize(
    "meta_id,expected",
    [
        (GUIHUA, "全市工业园区"),
        (DONGQU, "东区园区"),
        (TONGZHI, "全市工业园区"),
        (XIQU, "西区"),
        ("pzh-2024-jianquan-qianglian-16tiao", "攀枝花市"),
    ],
)
def test_document_subject(meta_id: str, expected: str) -> None:
    assert document_subject(corpus_metas()[meta_id]) == expected


@pytest.mark.parametrize(
    "target,scope",
    [
        (DONGQU_PARK_1200, "东区园区"),
        (REVENUE_PER_MU_4, "全市工业园区"),
        (REVENUE_PER_MU_75, "全市工业园区"),
        (GELIPING_250, "格里坪园区"),
        (XIQU_VALUE_ADDED, "西区"),
        (SAMPLE_PARK_A, "甲乙经济开发区"),
    ],
)
def test_scope_resolution(target: Target, scope: str) -> None:
    reading = read_target(target, METAS[target.doc_id])
    assert reading is not None and reading.scope == scope


def test_section_names_the_park_when_the_sentence_says_园区() -> None:
    t = make_target(
        GUIHUA,
        "园区工业产值达到 350亿元",
        "工业产值",
        "350",
        "亿元",
        "eq",
        2025,
        section_path=("第四章 园区产业布局", "第六节 四川米易白马工业园区"),
    )
    assert read_target(t, METAS[GUIHUA]).scope == "米易白马园区"


@pytest.mark.parametrize(
    "a,b,relation",
    [
        ("东区园区", "全市工业园区", "part"),
        ("攀枝花市", "格里坪园区", "whole"),
        ("钒钛高新区本部", "钒钛高新区", "part"),
        ("东区园区", "东区", "part"),
        ("格里坪园区", "东区园区", "disjoint"),
        ("甲", "甲", "same"),
    ],
)
def test_scope_relation(a: str, b: str, relation: str) -> None:
    assert scope_relation(a, b) == relation


def test_every_finding_has_evidence_on_both_sides_and_a_stable_id() -> None:
    targets = [p[0] for p in PAIRS] + [p[1] for p in PAIRS]
    findings = check_targets(targets, METAS)
    assert findings
    for f in findings:
        for ev in (f.left, f.right):
            assert ev.quote.strip() and ev.source.doc_id and ev.target_id and ev.parsed
            assert ev.source.char_end > ev.source.char_start
        assert (
            f.reason
            and f.rule
            and f.finding_id == finding_id(f.rule, f.left.target_id, f.right.target_id)
        )
    again = check_targets(list(reversed(targets)), METAS)
    assert [f.finding_id for f in again] == [f.finding_id for f in findings]


def test_a_fact_stated_twice_is_compared_once() -> None:
    targets = [REVENUE_PER_MU_4, REVENUE_PER_MU_4_TABLE, REVENUE_PER_MU_75]
    kinds = sorted(f.kind for f in check_targets(targets, METAS))
    assert kinds == ["basis_mismatch", "consistent"]


def test_propose_only_adds_pairs_of_unknown_indicators() -> None:
    a = make_target(
        "sample-2026-district",
        "到2025年，全市园区新增省级开发区3个",
        "新增省级开发区",
        "3",
        "个",
        "eq",
        2025,
        scope="全市园区",
    )
    b = make_target(
        TONGZHI,
        "新增省级开发区数量5个",
        "新增省级开发区数量",
        "5",
        "个",
        "eq",
        2025,
        scope="攀枝花市园区",
    )
    assert check_targets([a, b], METAS) == []
    (f,) = check_targets([a, b], METAS, propose=lambda quotes: [(0, 1)])
    assert (f.kind, f.severity) == ("conflict", "medium")


# --------------------------------------------------------------------------------------------
# Lexicons: every rule's examples must hold and its counter-examples must not.


def _lexicon_cases():
    ind = indicator_lexicon()
    for e in ind.indicators:
        yield from ((f"indicator:{e.id}", x, e.id, True) for x in e.examples)
        yield from ((f"indicator:{e.id}", x, e.id, False) for x in e.counter_examples)
    for cue in (
        *ind.scale,
        *ind.growth,
        *ind.bounds,
        *ind.tense,
        *ind.sector_noise,
        *ind.sector_cues,
        ind.breakdown,
    ):
        yield from ((f"cue:{cue.id}", x, cue.id, True) for x in cue.examples)
        yield from ((f"cue:{cue.id}", x, cue.id, False) for x in cue.counter_examples)
    sc = scope_lexicon()
    for e in sc.scopes:
        yield from ((f"scope:{e.id}", x, e.id, True) for x in e.examples)
        yield from ((f"scope:{e.id}", x, e.id, False) for x in e.counter_examples)
    for cue in (*sc.generic, sc.generic_filler, sc.distributive, *sc.place_patterns):
        yield from ((f"cue:{cue.id}", x, cue.id, True) for x in cue.examples)
        yield from ((f"cue:{cue.id}", x, cue.id, False) for x in cue.counter_examples)


LEXICON_CASES = list(_lexicon_cases())


@pytest.mark.parametrize(
    "kind,text,rule_id,should",
    LEXICON_CASES,
    ids=[f"{c[0]}:{c[1][:12]}:{c[3]}" for c in LEXICON_CASES],
)
def test_lexicon_examples(kind: str, text: str, rule_id: str, should: bool) -> None:
    if kind.startswith("indicator:"):
        assert (normalise_indicator(text).indicator == rule_id) is should
    elif kind.startswith("scope:"):
        found = known_scopes(text)
        assert (bool(found) and found[0][0] == rule_id) is should
    else:
        cues = [
            c
            for c in (
                *indicator_lexicon().scale,
                *indicator_lexicon().growth,
                *indicator_lexicon().bounds,
                *indicator_lexicon().tense,
                *indicator_lexicon().sector_noise,
                *indicator_lexicon().sector_cues,
                indicator_lexicon().breakdown,
                *scope_lexicon().generic,
                scope_lexicon().generic_filler,
                scope_lexicon().distributive,
                *scope_lexicon().place_patterns,
            )
            if c.id == rule_id
        ]
        assert (first_cue(cues, text) is not None) is should


def test_tense_rules_are_ordered_target_first() -> None:
    assert (
        first_cue(indicator_lexicon().tense, "到2025年，在现有高炉生铁产量稳定情况下").value
        == "target"
    )


# --------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2))
def test_yi_and_wan_yuan_are_one_quantity(value: Decimal) -> None:
    yi = DONGQU_PARK_900.model_copy(update={"value": value})
    wan = SAMPLE_900_WANYUAN.model_copy(update={"value": value * 10000})
    assert [f.kind for f in check_targets([yi, wan], METAS)] == ["consistent"]


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_readings_never_crash_on_arbitrary_text(text: str) -> None:
    normalise_indicator(text, text)
    t = DONGQU_PARK_900.model_copy(
        update={"indicator": text or "x", "quote": text or "x", "scope": text or None}
    )
    readings = read_targets([t, DONGQU_PARK_1200], METAS)
    for a in readings:
        for b in readings:
            if a is not b:
                classify_pair(a, b, scope_relation(a.scope, b.scope))
