"""Rules, not only numbers: caps, counts, levels, tiers, breakdowns and lead units.

Documents here are real passages of the corpus (as the cleaner leaves them, or with their PDF line
breaks) wrapped in a minimal Document; made-up variants say so in their doc_id ("sample-").
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import Document, DocumentMeta, SourceRef, Span, Task, UnitMention
from extractors.checks import check_breakdowns, check_documents
from extractors.checks.align import read_targets
from extractors.checks.leads import check_leads
from extractors.checks.rules import (
    check_rule_claims,
    check_tiers,
    cn_int,
    extract_rule_claims,
    rule_lexicon,
)
from tests.search_api.consistency_fixtures import (
    DONGQU,
    DONGQU_PARK_900,
    DONGQU_PARK_1200,
    GELIPING_250,
    GUIHUA,
    METAS,
    MIYI_350,
    NANSHAN_250,
    SAMPLE_VANADIUM_PARK_1100,
    TONGZHI,
    VANADIUM_PARK_600,
    YANBIAN_300,
    make_doc,
    make_target,
)

TONGZHI_CAP = (
    "3.推动错位发展。引导各园区聚焦全国全省重大生产力布局和区域发展战略，因地制宜围绕重点产业链布局主导产业，"
    "原则上每个园区的主导产业不超过3个（开发区整合化工园区的，开发区和化工园区主导产业各不超过3个）。"
)
GUIHUA_CAP_RAW = (
    "功能区。每个工业园区的特色园中园可根据实际情况设立，但\n\n要避免空心化、产业交叉和重复建设；原则上每个工业园区的\n\n"
    "主导产业不超过 4个，主导产业集中度超过 80%，各产业之间\n\n要注重产业协同和产业关联。"
)
GUIHUA_DONGQU_SECTION = (
    "第二节 攀枝花东区高新技术产业园区\n发展定位：以省级高新技术园区为依托，围绕先进钢材精深加工实施突破。"
    "到2025年，攀枝花东区高新技术产业园区工业产值达到900亿元。\n主导产业：\n"
    "——钒钛磁铁矿“采选冶”及综合利用产业。发展钒钛磁铁矿原矿开采及铁精矿、钛精矿选矿，推进资源高效分离和高水平回收。\n"
    "——先进钢铁材料及延伸加工产业。支持以攀钢为龙头的钢铁企业提高钢材质量、优化产品结构。\n"
    "——先进钒钛材料产业。着力引进钛及钛合金板材、棒材、锻材、管材和丝材等精深加工企业。\n"
    "——绿色建材产业。利用采矿废石、冶炼废渣等固废资源，引进龙头企业实施节能环保绿色建材生产项目。\n"
    "图 4—2 攀枝花东区高新技术产业园区产业布局\n附注：\n1．园区流沙坡片区逐步退出工业，发展职教园区。\n"
)
GUIHUA_GELIPING_SECTION = (
    "第三节 四川攀枝花格里坪特色产业园区\n发展定位：以省级特色产业园区为依托。到2025年，园区工业产值达到250亿元。\n主导产业：\n"
    "——绿色化工产业。推进煤焦化产业整合。\n——机械制造产业。重点发展以钒钛金属冶炼加工为主的钒钛材料精深加工产业。\n"
    "——新能源产业。重点创新发展氢能、光伏发电、储能电池等产业。\n图 4—3 攀枝花格里坪特色产业园区产业布局\n"
)
DONGQU_FOUR = (
    "1.优化园区产业布局。采取“园中园”、集中发展区等模式，培育一批技术先进、规模较大的循环经济企业；"
    "将高粱坪园区规划为“一横两纵三片”的发展格局，横向重点发展钒钛磁铁矿“采选冶”及综合利用、先进钢铁材料及延伸加工、"
    "先进钒钛材料、绿色建材四大主导产业。"
)
CITY_EIGHT = "全市八大主导产业分布如下表："
STAGE_ONE = (
    "第一阶段：一年转形象、求突破。到2025年底，完成全市园区优化整合和产业定位优化，形成重点突出、错位协同的产业布局。"
    "新增省级开发区3个，形成千亿级园区2个、200亿级园区3个、100亿级园区1个。园区“四上企业”达到650户以上。"
    "省级化工园区安全风险等级升级为较低风险等级。基础设施提标升级。\n"
)
MEASURE_SEVEN = (
    "7.加强基础设施建设。补齐化工园区监测预警等基础设施短板，确保钒钛化工园区、格里坪化工园区2025年安全等级由"
    "一般风险等级（C级）升级为较低风险等级（D级）。\n"
)


def claims_of(doc: Document):
    return extract_rule_claims(doc)


def test_cap_claims_from_clean_text_and_from_pdf_line_breaks() -> None:
    (cap,) = claims_of(make_doc(TONGZHI, TONGZHI_CAP))
    assert (cap.kind, cap.subject, cap.value, cap.per) == ("cap", "主导产业", 3, "park")
    raw = make_doc(GUIHUA, GUIHUA_CAP_RAW)
    (cap4,) = [c for c in claims_of(raw) if c.kind == "cap"]
    assert cap4.value == 4 and raw.text[cap4.source.char_start : cap4.source.char_end] == cap4.quote
    assert "\n" in cap4.quote  # the span runs over the PDF line break, the quote is the text itself


def test_two_caps_that_differ_are_a_rule_conflict_newer_on_the_right() -> None:
    docs = [make_doc(TONGZHI, TONGZHI_CAP), make_doc(GUIHUA, GUIHUA_CAP_RAW)]
    findings = check_documents(docs, [], [])
    (f,) = [f for f in findings if f.rule == "rule.cap_conflict"]
    assert (f.kind, f.severity, f.newer) == ("rule_conflict", "high", "right")
    assert "不超过 4个" in f.left.quote and "不超过3个" in f.right.quote
    same = check_documents(
        [make_doc(TONGZHI, TONGZHI_CAP), make_doc("sample-2024-city", TONGZHI_CAP)], [], []
    )
    assert [f.kind for f in same] == ["consistent"]


@pytest.mark.parametrize(
    "text,scope,value",
    [
        (GUIHUA_DONGQU_SECTION, "东区园区", 4),
        (GUIHUA_GELIPING_SECTION, "格里坪园区", 3),
        (DONGQU_FOUR, "高粱坪园区", 4),
        (CITY_EIGHT, "攀枝花市", 8),
    ],
)
def test_count_claims(text: str, scope: str, value: int) -> None:
    doc = make_doc(GUIHUA if "第" in text[:3] or "全市" in text else DONGQU, text)
    (count,) = [c for c in claims_of(doc) if c.kind == "count"]
    assert (count.scopes, count.value) == ((scope,), value)
    assert doc.text[count.source.char_start : count.source.char_end] == count.quote


def test_a_plan_above_a_cap_breaks_the_rule_and_the_own_cap_is_kept() -> None:
    guihua = make_doc(
        GUIHUA, GUIHUA_CAP_RAW + "\n" + GUIHUA_DONGQU_SECTION + GUIHUA_GELIPING_SECTION + CITY_EIGHT
    )
    tongzhi = make_doc(TONGZHI, TONGZHI_CAP)
    findings = [
        f for f in check_documents([guihua, tongzhi], [], []) if f.rule == "rule.count_exceeds_cap"
    ]
    assert (
        len(findings) == 1
    )  # 东区 (4 > 3); not 格里坪 (3), not the city's eight, not the own cap of 4
    (f,) = findings
    assert (f.kind, f.severity) == ("rule_conflict", "medium")  # the plan predates the rule
    assert "——绿色建材产业" in f.left.quote or "——绿色建材产业" in f.right.quote
    newer_plan = make_doc("sample-2026-city", GUIHUA_DONGQU_SECTION, METAS["sample-2026-city"])
    (g,) = [
        f
        for f in check_documents([newer_plan, tongzhi], [], [])
        if f.rule == "rule.count_exceeds_cap"
    ]
    assert g.severity == "high"


def test_level_targets_agree_drift_and_conflict() -> None:
    tongzhi = make_doc(TONGZHI, STAGE_ONE + MEASURE_SEVEN)
    levels = [c for c in claims_of(tongzhi) if c.kind == "level"]
    assert [(c.level, c.year) for c in levels] == [("D", 2025), ("D", 2025)]
    assert levels[1].scopes == ("钒钛化工园区", "格里坪化工园区")
    assert [f.kind for f in check_rule_claims(levels, METAS)] == ["consistent"]
    later = make_doc(
        "sample-2026-city", MEASURE_SEVEN.replace("2025年", "2027年"), METAS["sample-2026-city"]
    )
    kinds = {f.kind for f in check_rule_claims(levels + claims_of(later), METAS)}
    assert "year_drift" in kinds
    other = make_doc(
        "sample-2024-city", MEASURE_SEVEN.replace("较低风险等级（D级）", "一般风险等级（C级）")
    )
    assert "conflict" in {f.kind for f in check_rule_claims(levels + claims_of(other), METAS)}


PARK_TARGETS_2025 = [
    VANADIUM_PARK_600,
    DONGQU_PARK_900,
    GELIPING_250,
    NANSHAN_250,
    YANBIAN_300,
    MIYI_350,
]


def test_tier_count_the_parks_cannot_make_up() -> None:
    claims = claims_of(make_doc(TONGZHI, STAGE_ONE))
    tiers = [c for c in claims if c.kind == "tier"]
    assert [(c.threshold, c.value, c.year) for c in tiers] == [
        (Decimal(1000), 2, 2025),
        (Decimal(200), 3, 2025),
        (Decimal(100), 1, 2025),
    ]
    readings = read_targets([*PARK_TARGETS_2025, DONGQU_PARK_1200], METAS)
    (f,) = check_tiers(claims, readings, METAS)
    assert (f.kind, f.severity) == ("sum_mismatch", "medium")
    assert "千亿级园区2个" in f.left.quote and "600亿元" in f.right.quote and "东区园区" in f.reason
    second = SAMPLE_VANADIUM_PARK_1100
    assert (
        check_tiers(
            claims, read_targets([*PARK_TARGETS_2025, DONGQU_PARK_1200, second], METAS), METAS
        )
        == []
    )


BREAKDOWN = "到2025年，园区特色优势产业产值达到1100亿元，其中，新能源产业、机械制造产业、绿色化工及建材产业产值分别达到100亿元、300亿元、700亿元。"


def _breakdown_targets(doc_id: str, text: str, values: tuple[str, str, str, str]) -> list:
    rows = [
        (
            "园区特色优势产业产值达到1100亿元".replace("1100", values[0]),
            "特色优势产业产值",
            values[0],
        ),
        (
            f"新能源产业、机械制造产业、绿色化工及建材产业产值分别达到{values[1]}亿元",
            "新能源产业产值",
            values[1],
        ),
        (f"{values[2]}亿元", "机械制造产业产值", values[2]),
        (f"{values[3]}亿元。", "绿色化工及建材产业产值", values[3]),
    ]
    out = []
    for n, (quote, indicator, value) in enumerate(rows):
        quote = quote.rstrip("。")
        start = text.index(quote, out[-1].span.end if out else 0)
        span = Span(start=start, end=start + len(quote))
        out.append(
            make_target(
                doc_id, quote, indicator, value, "亿元", "eq", 2025, scope="攀枝花市工业园区", n=n
            ).model_copy(
                update={
                    "span": span,
                    "source": SourceRef(doc_id=doc_id, char_start=span.start, char_end=span.end),
                }
            )
        )
    return out


def test_breakdown_parts_add_up_or_exceed_the_total() -> None:
    good = _breakdown_targets(GUIHUA, BREAKDOWN, ("1100", "100", "300", "700"))
    (f,) = check_breakdowns(read_targets(good, METAS), {GUIHUA: BREAKDOWN})
    assert (f.kind, f.rule) == ("consistent", "target.breakdown_consistent")
    bad_text = BREAKDOWN.replace("700亿元", "800亿元")
    bad = _breakdown_targets("sample-2024-city", bad_text, ("1100", "100", "300", "800"))
    (g,) = check_breakdowns(read_targets(bad, METAS), {"sample-2024-city": bad_text})
    assert (g.kind, g.severity) == ("sum_mismatch", "medium") and "1200 > 1100" in g.reason


def _task(doc_id: str, number: str, title: str, body: str, leads: list[str]) -> Task:
    text = f"{number}{title}。{body}"
    span = Span(start=0, end=len(text))
    return Task(
        task_id=f"{doc_id}:{number}",
        doc_id=doc_id,
        number=number,
        title=title,
        text=text,
        lead=tuple(UnitMention(name=u, canonical=u, role="lead") for u in leads),
        span=span,
        source=SourceRef(doc_id=doc_id, char_start=0, char_end=len(text)),
    )


LAND_16 = (
    "pzh-2024-jianquan-qianglian-16tiao",
    "十二、",
    "强化土地要素保障机制",
    (
        "新增建设用地指标实行“分类保障”，积极支持将符合条件的工业项目纳入省级以上重点项目清单，"
        "由国、省保障新增建设用地计划指标；其余项目计划指标按照“增存挂钩”方式由县（区）优先保障，"
        "不足部分由市级协调自然资源厅调剂支持。"
    ),
)
LAND_TONGZHI = (
    TONGZHI,
    "（三）",
    "强化生产要素保障",
    "优先保障园区项目建设用地，深化“亩均论英雄”改革。建立完善“煤、电、油、气、运”等生产要素保障调度、预警预测机制，优化供给服务。",
)
LIFECYCLE_TONGZHI = (
    TONGZHI,
    "16.",
    "建立项目全生命周期管理机制",
    "将重大招引项目纳入全生命周期管理平台统一管理、分级预警，实时统计分析项目情况，提高项目履约率、开工率、达产率。",
)
FACTORS_16 = (
    "pzh-2024-jianquan-qianglian-16tiao",
    "十、",
    "建立项目要素争取机制",
    "依托高质量发展建设共同富裕试验区、部省联席会等重大平台，强化政策引导针对性研究，每年提出各产业链具有优势的项目招引促建方向。",
)


def test_same_measure_different_leads() -> None:
    tasks = [
        _task(*LAND_16, ["市自然资源和规划局"]),
        _task(*LAND_TONGZHI, ["市经济和信息化局"]),
        _task(*LIFECYCLE_TONGZHI, ["市经济合作局"]),
        _task(*FACTORS_16, ["市发展改革委", "市经济和信息化局"]),
    ]
    (f,) = check_leads(tasks, METAS)
    assert (f.kind, f.newer) == ("lead_conflict", "right")
    assert f.left.task_id.endswith("十二、") and "牵头：市经济和信息化局" in f.right.parsed
    shared = [
        _task(*LAND_16, ["市自然资源和规划局"]),
        _task(*LAND_TONGZHI, ["市自然资源和规划局", "市经济和信息化局"]),
    ]
    assert [f.kind for f in check_leads(shared, METAS)] == ["consistent"]


def test_leads_of_a_district_and_a_city_are_not_compared() -> None:
    district = _task(DONGQU, "9.", "强化土地要素保障机制", LAND_16[3], ["区自然资源局"])
    assert check_leads([district, _task(*LAND_TONGZHI, ["市经济和信息化局"])], METAS) == []


def test_an_injected_similarity_replaces_the_cosine() -> None:
    tasks = [_task(*LAND_16, ["市自然资源和规划局"]), _task(*LAND_TONGZHI, ["市经济和信息化局"])]
    assert check_leads(tasks, METAS, similar=lambda a, b: 0.0) == []


@pytest.mark.parametrize(
    "text,value", [("3", 3), ("四", 4), ("十六", 16), ("千", 1000), ("两", 2), ("x", None)]
)
def test_cn_int(text: str, value: int | None) -> None:
    assert cn_int(text) == value


def _rule_cases():
    lex = rule_lexicon()
    for rule in (
        *lex.subjects,
        *lex.caps,
        *lex.counts,
        *lex.levels.claims,
        *lex.tiers,
        lex.year_context,
    ):
        yield from ((rule.id, x, True) for x in rule.examples)
        yield from ((rule.id, x, False) for x in rule.counter_examples)


RULE_CASES = list(_rule_cases())


@pytest.mark.parametrize(
    "rule_id,text,should", RULE_CASES, ids=[f"{c[0]}:{c[1][:10]}:{c[2]}" for c in RULE_CASES]
)
def test_rule_claim_examples(rule_id: str, text: str, should: bool) -> None:
    lex = rule_lexicon()
    rule = next(
        r
        for r in (
            *lex.subjects,
            *lex.caps,
            *lex.counts,
            *lex.levels.claims,
            *lex.tiers,
            lex.year_context,
        )
        if r.id == rule_id
    )
    assert (rule.regex.search(text) is not None) is should


@pytest.mark.parametrize(
    "rule", [*rule_lexicon().lists, *rule_lexicon().enumerations], ids=lambda r: r.id
)
def test_list_rule_examples(rule) -> None:
    """List and enumeration rules are read in context: their examples must yield a count."""
    for text in rule.examples:
        doc = make_doc(
            "sample-2024-city", text, DocumentMeta(doc_id="sample-2024-city", title="示例")
        )
        assert [c for c in claims_of(doc) if c.rule == rule.id], text
    for text in rule.counter_examples:
        doc = make_doc(
            "sample-2024-city", text, DocumentMeta(doc_id="sample-2024-city", title="示例")
        )
        assert not [c for c in claims_of(doc) if c.rule == rule.id], text


def test_caps_and_targets_of_two_cities_are_not_compared() -> None:
    a = DocumentMeta(doc_id="sample-a", title="云岭市园区提质意见", issuer="云岭市人民政府")
    b = DocumentMeta(doc_id="sample-b", title="雾山市园区提质意见", issuer="雾山市人民政府")
    docs = [
        make_doc("sample-a", "原则上每个园区的主导产业不超过3个。", a),
        make_doc("sample-b", "原则上每个园区的主导产业不超过4个。", b),
    ]
    firms = [
        make_target(
            d.doc_id,
            f"到2025年，全市规上工业企业达到{n}户",
            "规上工业企业",
            n,
            "户",
            "eq",
            2025,
            scope="全市",
        )
        for d, n in zip(docs, ("1200", "900"), strict=True)
    ]
    assert check_documents(docs, [], firms) == []
    same_city = make_doc(
        "sample-c",
        "原则上每个园区的主导产业不超过4个。",
        a.model_copy(update={"doc_id": "sample-c"}),
    )
    assert [f.kind for f in check_documents([docs[0], same_city], [], [])] == ["rule_conflict"]


FRAGMENTS = [
    "每个园区的",
    "主导产业",
    "不超过",
    "3",
    "四大",
    "个",
    "、",
    "。",
    "；",
    "\n",
    " ",
    "——",
    "绿色建材产业",
    "主导产业：",
    "千亿级园区",
    "2个",
    "到2025年",
    "安全等级由",
    "升级为较低风险等级",
    "东区园区",
    "图4—1",
    "为",
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_rule_claims_quote_the_text_at_their_spans(parts: list[str]) -> None:
    text = "".join(parts)
    doc = make_doc("sample-2024-city", text)
    for claim in extract_rule_claims(doc):
        assert text[claim.source.char_start : claim.source.char_end] == claim.quote
        assert claim.quote.strip()
