"""Target shapes met in documents written in other places' conventions: counted things written
with their kind, visits and orders, and an annual plan's 全年/年内 as the time a figure is due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.targets.claims import ClauseContext, read_paragraph

ANNUAL = ClauseContext(doc_date=dt.date(2024, 2, 20), doc_year=2024)  # a 2024 工作要点
UNDATED = ClauseContext()

CASES = [
    # 全年 / 年内: the figure is due this year, so 完成 commits to it (no year: authors disagree)
    ("全年完成低效用地再开发5万亩。", ANNUAL, [("完成低效用地再开发5万亩", "eq", "5", "万亩")]),
    ("全年开展补贴性职业技能培训8000人次以上。", ANNUAL, [("开展补贴性职业技能培训8000人次以上", "ge", "8000", "人次")]),
    ("完成县城燃气管道改造工程1项。", ANNUAL, []),  # one project, no time: a description
    ("全年工作要点共20项。", ANNUAL, []),  # the plan's own title, not a time
    # counted things written with their kind, orders and containers, visits
    ("到2026年，重点行业累计更新先进设备3万台（套）以上。", ANNUAL, [
        ("重点行业累计更新先进设备3万台（套）以上", "ge", "3", "万台（套）")]),
    ("到2025年，广州港集装箱吞吐量力争达到2700万标准箱。", ANNUAL, [
        ("广州港集装箱吞吐量力争达到2700万标准箱", "eq", "2700", "万标准箱")]),
    ("到2026年，低空物流年配送量达到500万单。", ANNUAL, [("低空物流年配送量达到500万单", "eq", "500", "万单")]),
    ("全年走访服务企业1000家次以上。", ANNUAL, [("走访服务企业1000家次以上", "ge", "1000", "家次")]),
    ("到2025年，生猪出栏稳定在300万头左右。", ANNUAL, [("生猪出栏稳定在300万头左右", "approx", "300", "万头")]),
    ("发明专利预审周期压缩至3个月以内。", UNDATED, [("发明专利预审周期压缩至3个月以内", "le", "3", "个月")]),
    ("到2026年，全市动力电池产能达到80GWh。", ANNUAL, [("全市动力电池产能达到80GWh", "eq", "80", "GWh")]),
    # new equipment investment is committed to; a project's investment describes it
    ("航空航天、集成电路装备产业新增设备投资100亿元以上。", UNDATED, [
        ("航空航天、集成电路装备产业新增设备投资100亿元以上", "ge", "100", "亿元")]),
    ("该项目投资3亿元。", UNDATED, []),
    # grain by the jin, work over land, computing cores, rounds of training, envoys sent
    ("到2024年，全县粮食总产量稳定在8.2亿斤以上。", ANNUAL, [("全县粮食总产量稳定在8.2亿斤以上", "ge", "8.2", "亿斤")]),
    ("2024年农业生产托管服务面积达到60万亩次。", ANNUAL, [("农业生产托管服务面积达到60万亩次", "eq", "60", "万亩次")]),
    ("到2024年底，政务云新增计算资源不少于3000核。", ANNUAL, [("政务云新增计算资源不少于3000核", "ge", "3000", "核")]),
    ("全年开展数字政府专题培训不少于4期。", ANNUAL, [("开展数字政府专题培训不少于4期", "ge", "4", "期")]),
    ("2024年选派科技特派员100名。", ANNUAL, [("选派科技特派员100名", "eq", "100", "名")]),
    ("每年组建创新联合体5家以上。", ANNUAL, [("每年组建创新联合体5家以上", "ge", "5", "家")]),
    # one figure for each of two indicators (均): a target each
    ("城镇居民人均可支配收入、农民人均纯收入均增长7%以上。", UNDATED, [
        ("城镇居民人均可支配收入、农民人均纯收入均增长7%以上", "increase_by", "7", "%")] * 2),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), CASES, ids=[c[0][:20] for c in CASES])
def test_target_shapes(text, ctx, expected):
    got = [(text[c.start : c.end], c.comparator, c.value, c.unit) for c in read_paragraph(text, ctx)]
    assert got == [(q, cmp, Decimal(v), u) for q, cmp, v, u in expected]


def test_one_figure_for_two_indicators_is_a_target_for_each():
    claims = read_paragraph("城镇居民人均可支配收入、农民人均纯收入均增长7%以上。", UNDATED)
    assert [c.indicator for c in claims] == ["城镇居民人均可支配收入", "农民人均纯收入"]


def test_a_figure_due_this_year_takes_no_year():
    (claim,) = read_paragraph("年内新增集成服务20项以上。", ANNUAL)
    assert claim.year is None or claim.year == 2024
    (claim,) = read_paragraph("全年完成低效用地再开发5万亩。", ANNUAL)
    assert claim.year is None


END_STATES = [
    ("2024年底前实现街道、社区服务站点全覆盖。", "实现街道、社区服务站点全覆盖"),
    ("推动助餐服务覆盖全部社区。", "助餐服务覆盖全部社区"),
    ("零就业家庭动态清零。", "零就业家庭动态清零"),
    ("新生违法建设“零增长”。", "新生违法建设“零增长”"),
    ("安全生产事故起数和死亡人数实现“双下降”。", "安全生产事故起数和死亡人数实现“双下降”"),
    ("确保无分歧欠款应清尽清。", "无分歧欠款应清尽清"),
]
ROUTINES_AND_BASELINES = [
    ("至少开展1次数据质量核查。", []),  # that a routine happens, once
    ("举办1场以上专题对接会。", []),
    ("每季度至少组织一次融资对接活动。", []),
    ("每年组织招聘活动不少于100场。", [("每年组织招聘活动不少于100场", "ge")]),  # a level above one
    ("全省接待冰雪旅游人次已达到9800万人次。", []),  # reached already
    ("一、主要指标（30项）", []),  # how many items a heading holds
    ("二、扩大有效投资（共5项）", []),
    ("到2025年，全市大中型磷矿山全部达到绿色矿山标准。", [("全市大中型磷矿山全部达到绿色矿山标准", "qualitative")]),
]


@pytest.mark.parametrize(("text", "expected"), ROUTINES_AND_BASELINES)
def test_routines_and_baselines_are_not_targets_and_every_one_done_is(text, expected):
    got = [(text[c.start : c.end], c.comparator) for c in read_paragraph(text, ANNUAL)]
    assert got == expected


NOT_END_STATES = [
    "建立覆盖全部社区的服务网络。",  # a network described by its reach
    "对拖欠民营企业账款实行动态清零。",  # a way of working
    "确保各项优惠政策应享尽享。",  # how a policy is applied
]


@pytest.mark.parametrize(("text", "quote"), END_STATES)
def test_an_end_state_stated_in_a_measure_is_a_qualitative_target(text, quote):
    got = [(text[c.start : c.end], c.comparator) for c in read_paragraph(text, UNDATED)]
    assert got == [(quote, "qualitative")]


@pytest.mark.parametrize("text", NOT_END_STATES)
def test_manners_and_descriptions_are_no_end_state(text):
    assert read_paragraph(text, UNDATED) == []


def _table_targets(tmp_path, name: str, text: str) -> list[tuple]:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return sorted((t.indicator, t.year, t.comparator, t.value, t.unit)
                  for t in extract_document(parse_file(path)).targets if any(c in t.quote for c in "\t\n|"))


SIGNED = "\n某市人民政府办公室\n2024年3月1日\n"


def test_bare_year_columns_after_the_base_year_state_one_target_a_year(tmp_path):
    text = ("某市新能源汽车产业发展行动方案（2024—2026年）\n一、发展目标\n到2026年，产业规模显著提升。\n附件\n"
            "指标\t单位\t2023年（基期）\t2024年\t2025年\t2026年\n"
            "新能源汽车产量\t万辆\t30.6\t60\t100\t150\n本地配套率\t%\t30\t38\t45\t60\n" + SIGNED)
    got = _table_targets(tmp_path, "plan.txt", text)
    assert [(i, y, v) for i, y, _, v, _ in got] == [
        ("新能源汽车产量", 2024, Decimal(60)), ("新能源汽车产量", 2025, Decimal(100)), ("新能源汽车产量", 2026, Decimal(150)),
        ("本地配套率", 2024, Decimal(38)), ("本地配套率", 2025, Decimal(45)), ("本地配套率", 2026, Decimal(60))]


def test_year_columns_before_the_document_are_history(tmp_path):
    text = ("某市新能源汽车产业发展行动方案\n一、发展现状\n附件\n"
            "指标\t单位\t2021年\t2022年\t2023年\t2026年目标\n新能源汽车产量\t万辆\t10\t20\t30.6\t150\n" + SIGNED)
    assert [(y, v) for _, y, _, v, _ in _table_targets(tmp_path, "plan.txt", text)] == [(2026, Decimal(150))]


@pytest.mark.parametrize("numbered", [True, False])
def test_an_indicator_table_copied_one_cell_per_line(tmp_path, numbered):
    header = ["序号"] if numbered else []
    rows = [["1"] if numbered else [], ["2"] if numbered else []]
    lines = [*header, "指标", "单位", "2023年", "2025年", "2026年", "属性",
             *rows[0], "化工产业产值", "亿元", "1686", "2000", "2300", "预期性",
             *rows[1], "磷石膏综合利用率", "%", "52", "57", "60", "约束性"]
    text = ("某市精细化工产业发展实施意见\n一、发展目标\n力争用3年时间建成产业体系。\n" + SIGNED
            + "附件\n主要指标\n" + "\n".join(lines) + "\n")
    got = _table_targets(tmp_path, "plan.txt", text)
    assert [(i, y, v, u) for i, y, _, v, u in got] == [
        ("化工产业产值", 2025, Decimal(2000), "亿元"), ("化工产业产值", 2026, Decimal(2300), "亿元"),
        ("磷石膏综合利用率", 2025, Decimal(57), "%"), ("磷石膏综合利用率", 2026, Decimal(60), "%")]


def test_a_scoring_table_with_a_years_goal_column_states_those_goals(tmp_path):
    text = ("某市数字经济发展考核办法\n第一条 为推动数字经济发展，制定本办法。\n附件\n"
            "| 序号 | 考核指标 | 单位 | 2023年完成 | 2024年目标 | 分值 |\n| --- | --- | --- | --- | --- | --- |\n"
            "| 1 | 数据交易额 | 亿元 | 38 | ≥50 | 10 |\n| 2 | 每万人拥有5G基站数 | 个 | 21 | 25 | 5 |\n" + SIGNED)
    got = _table_targets(tmp_path, "kaohe.md", text)
    assert [(i, y, c, v) for i, y, c, v, _ in got] == [
        ("数据交易额", 2024, "ge", Decimal(50)), ("每万人拥有5G基站数", 2024, "eq", Decimal(25))]


def test_a_list_of_years_respectively_dates_each_figure_and_the_list_after_it():
    text = ("新型储能产业营业收入2024年、2025年、2026年分别达到200亿元、350亿元和500亿元，"
            "规模以上企业数量分别达到40家、55家和70家。")
    got = [(c.indicator, c.value, c.year) for c in read_paragraph(text, ANNUAL)]
    assert got == [("新型储能产业营业收入", Decimal(200), 2024), ("新型储能产业营业收入", Decimal(350), 2025),
                   ("新型储能产业营业收入", Decimal(500), 2026), ("规模以上企业数量", Decimal(40), 2024),
                   ("规模以上企业数量", Decimal(55), 2025), ("规模以上企业数量", Decimal(70), 2026)]


def test_a_year_in_brackets_after_a_figure_is_its_own():
    text = "到2026年，新型储能示范项目总装机规模分别达到10万千瓦（2024年）、30万千瓦（2025年）和60万千瓦（2026年）。"
    got = [(c.indicator, c.value, c.year) for c in read_paragraph(text, ANNUAL)]
    assert got == [("新型储能示范项目总装机规模", Decimal(v), y) for v, y in ((10, 2024), (30, 2025), (60, 2026))]


@pytest.mark.parametrize(("text", "expected"), [
    ("到2025年，城市机动车与停车泊位比达到1:1.1左右。", [("approx", Decimal("1.1"))]),
    ("到2027年，车桩比力争达到2：1左右。", [("approx", Decimal(2))]),
    ("新建住宅小区配建停车位比例不低于1:1。", [("ge", Decimal(1))]),
    ("到2025年，推进会于下午1:30召开。", []),  # a clock time, no 比 before it
])
def test_a_ratio_to_one_is_read_as_its_other_term(text, expected):
    assert [(c.comparator, c.value) for c in read_paragraph(text, ANNUAL)] == expected


def test_a_paragraph_telling_what_was_goes_on_telling_it_until_it_names_an_aim():
    text = ("2023年，全市新能源汽车产量实现30.6万辆，同比增长1.7倍。全市累计建成公共充电桩1.5万个，"
            "新能源汽车保有量达到38万辆。到2026年，全市新能源汽车产量达到150万辆。")
    assert [(c.value, c.year) for c in read_paragraph(text, ANNUAL)] == [(Decimal(150), 2026)]


@pytest.mark.parametrize("text", ["力争用3年时间改造提升乡镇商贸中心1.5万个。", "力争三年内引进整车配套重大项目3个。"])
def test_a_target_within_a_span_of_years_names_no_year(text):
    [claim] = read_paragraph(text, ANNUAL)
    assert claim.year is None


def test_a_past_year_followed_by_a_count_is_history():
    text = "近年来，全省县域经济总量持续扩大，2023年88个县（市、区、特区）地区生产总值合计达到1.62万亿元，占全省比重超过77%。"
    assert read_paragraph(text, ANNUAL) == []
