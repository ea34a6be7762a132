"""Deadlines (完成时限) as typed values, from real sentences of the corpus and of similar documents."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.deadlines import (
    document_reference_year,
    document_year,
    extract_deadlines,
    opening_due_year,
    parse_deadline_field,
)
from extractors.periods import plan_years

D = dt.date
ISSUED = D(2022, 4, 21)  # pzh-2022-yuanqu-guihua

# (text, doc_date, [(phrase, kind, date, start, end)])
CASES = [
    ("到2025年，全市规模以上工业增加值年均增长8%左右", ISSUED, [("到2025年", "by_date", D(2025, 12, 31), None, None)]),
    ("力争到 2025 年，园区工业总产值达到 1200 亿元", ISSUED, [("力争到 2025 年", "by_date", D(2025, 12, 31), None, None)]),
    ("第一阶段：一年转形象、求突破。到2025年底，完成全市园区优化整合", None,
     [("到2025年底", "by_date", D(2025, 12, 31), None, None)]),
    ("2025年底前完成全部整改", ISSUED, [("2025年底前", "by_date", D(2025, 12, 31), None, None)]),
    ("各县（区）年底前报送工作总结", D(2023, 3, 1), [("年底前", "by_date", D(2023, 12, 31), None, None)]),
    ("年底前报送", None, [("年底前", "relative", None, None, None)]),
    ("2022年10月底前完成摸底", ISSUED, [("2022年10月底前", "by_date", D(2022, 10, 31), None, None)]),
    ("2023年6月30日前完成验收", ISSUED, [("2023年6月30日前", "by_date", D(2023, 6, 30), None, None)]),
    ("到2024年6月，建成投用", ISSUED, [("到2024年6月", "by_date", D(2024, 6, 30), None, None)]),
    ("本意见印发之日起30日内制定细则", D(2023, 1, 19), [("本意见印发之日起30日内", "relative", D(2023, 2, 18), None, None)]),
    ("本方案印发后3个月内完成", D(2023, 1, 19), [("本方案印发后3个月内", "relative", D(2023, 4, 19), None, None)]),
    ("本方案印发后3个月内完成", None, [("本方案印发后3个月内", "relative", None, None, None)]),
    ("印发之日起15个工作日内", D(2024, 3, 1), [("印发之日起15个工作日内", "relative", D(2024, 3, 22), None, None)]),
    ("每年提出各产业链具有优势的项目招引促建方向", None, [("每年", "recurring", None, None, None)]),
    ("每季度通报一次进展", None, [("每季度", "recurring", None, None, None)]),
    ("分年度和中期对规划实施情况进行检查评估", None, [("分年度", "recurring", None, None, None)]),
    ("“十四五”期间，工业增加值年均增速不低于7.5%", D(2021, 8, 1),
     [("“十四五”期间", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("十四五期间", None, [("十四五期间", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("到“十四五”末，基本建成", None, [("“十四五”末", "by_date", D(2025, 12, 31), None, None)]),
    ("三年行动方案（2023—2025年）", None, [("2023—2025年", "period", None, D(2023, 1, 1), D(2025, 12, 31))]),
    ("本规划期限为 2021年—2025年。", ISSUED, [("2021年—2025年", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("规划期限：2021年至2025年。", D(2021, 8, 1), [("2021年至2025年", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("钒钛化工园区2024年完成认定", D(2023, 5, 1), [("2024年", "by_date", D(2024, 12, 31), None, None)]),
    ("每年组织一次评估", None, [("每年", "recurring", None, None, None)]),
    ("每半年开展一次督查，每季度调度项目进展", None,
     [("每半年", "recurring", None, None, None), ("每季度", "recurring", None, None, None)]),
    ("每年年底前完成考核", D(2023, 1, 19), [("每年年底前", "recurring", None, None, None)]),
    ("2023年6月底前完成，此后每年更新一次", D(2023, 1, 19),
     [("2023年6月底前", "by_date", D(2023, 6, 30), None, None), ("每年", "recurring", None, None, None)]),
    # 长期坚持 / 持续推进 / 定期 / 按期 where the text states timing
    ("长期坚持", None, [("长期坚持", "ongoing", None, None, None)]),
    ("（长期坚持）", None, [("长期坚持", "ongoing", None, None, None)]),
    ("建立园区企业服务专员制度，2023年底前完成，长期坚持。", D(2023, 1, 19),
     [("2023年底前", "by_date", D(2023, 12, 31), None, None), ("长期坚持", "ongoing", None, None, None)]),
    ("〔责任单位：市经济和信息化局；完成时限：持续推进〕", None, [("持续推进", "ongoing", None, None, None)]),
    ("时间安排：每季度", None, [("每季度", "recurring", None, None, None)]),
    ("完成时限：定期", None, [("定期", "recurring", None, None, None)]),
    ("完成时限：长期\n", None, [("长期", "ongoing", None, None, None)]),
    ("确保按期完成。", None, [("按期", "unspecified", None, None, None)]),
    # a bare year in a clause led by 确保/力争, the verb after it (pzh-2025-yuanqu-tizhi-tongzhi 二.（三）.7)
    ("补齐化工园区监测预警等基础设施短板，确保钒钛化工园区、格里坪化工园区2025年安全等级由一般风险等级（C级）"
     "升级为较低风险等级（D级）。", None, [("2025年", "by_date", D(2025, 12, 31), None, None)]),
    ("力争园区2026年建成投用", None, [("2026年", "by_date", D(2026, 12, 31), None, None)]),
    ("2025年建成园区智慧管理平台", None, [("2025年", "by_date", D(2025, 12, 31), None, None)]),
    # time slots of work plans from elsewhere, written for these tests
    ("（2024年11月中旬）", D(2024, 2, 1), [("2024年11月中旬", "by_date", D(2024, 11, 20), None, None)]),
    ("2024年3月上旬前完成", D(2024, 2, 1), [("2024年3月上旬前", "by_date", D(2024, 3, 10), None, None)]),
    ("（下半年）", D(2024, 2, 1), [("下半年", "by_date", D(2024, 12, 31), None, None)]),
    ("完成时限：本年度", D(2024, 2, 1), [("本年度", "by_date", D(2024, 12, 31), None, None)]),
    ("（逐年推进）", D(2024, 2, 1), [("逐年推进", "ongoing", None, None, None)]),
    ("上半年全市规上工业增加值增长8%", D(2024, 2, 1), []),
    # not deadlines
    ("根据川办发〔2018〕45号文件精神", ISSUED, []),
    ("2020年营业收入 985.5亿元", ISSUED, []),
    ("截至 2020年，全市共有规上工业企业 349户", ISSUED, []),
    # how long a step may take is a target (审批时间 ≤ 80 个工作日), not a date it is due by
    ("工程建设项目审批时间控制在80个工作日以内", ISSUED, []),
    ("截至2020年末，全市6个工业园区总规划面积214.35km2", ISSUED, []),
    ("《四川省“5+1”重点特色园区培育发展三年行动计划（2021—2023年）》", ISSUED, []),
    ("“十三五”时期，面对错综复杂的内外形势", ISSUED, []),
    ("2020年实现规上工业总产值 1633亿元", ISSUED, []),
    ("于2020年12月6日通车", ISSUED, []),
    # adverbs and verbs in running text (real sentences of the corpus)
    ("采取“园中园”、集中发展区等模式，持续推进大宗固废示范基地建设项目，培育一批技术先进、规模较大的循环经济企业", None, []),
    ("按照绿色园区建设标准和要求，持续推进石家湾渣场、双龙滩固废填埋场竣工验收", None, []),
    ("依托产业人才政策举措，持续推进招才引智，招引一批特色产业领军人才和团队", None, []),
    ("创新优化“柔性引才”机制，定期向龙头企业征求重大技术需求，完善“揭榜挂帅”攻关机制", None, []),
    ("强化组织协调，定期研究解决园区建设发展中遇到的困难问题", None, []),
    ("保证西渣场高炉渣综合利用环保及升级改造项目等6个循环改造重点项目按期完工投产", None, []),
    ("强化年度目标管理、确保按时推进实施", None, []),
    ("扎实推进水电消纳产业示范区建设，持续推进\n直购电等市场化交易", None, []),
    ("每年增长10%以上", None, []),
    ("每年可处理固废100万吨", None, []),
    # history, also when the issue date is unknown
    ("已纳入攀枝花市西区道路交通规划（2016-2030年）", None, []),
    ("2020年以来，园区建成标准厂房10万平方米", None, []),
    ("园区已于2020年建成污水处理厂", None, []),
    ("2019年底累计完成投资50亿元", None, []),
    ("截至2020年末，全市6个工业园区总规划面积214.35km2；2019年实现营业收入985.5亿元", None, []),
    ("逐年增长", None, []),
    ("资源长期流失于高炉渣中", None, []),
    # time slots written as a full date, a quarter of a year, months of a year, or 2024.12
    ("（2025年6月30日）", D(2024, 3, 1), [("2025年6月30日", "by_date", D(2025, 6, 30), None, None)]),
    ("（2024年一季度）", D(2024, 1, 5), [("2024年一季度", "by_date", D(2024, 3, 31), None, None)]),
    ("（2024年3月—12月）", D(2024, 3, 1), [("2024年3月—12月", "by_date", D(2024, 12, 31), None, None)]),
    ("完成时限：2024.12", D(2024, 3, 1), [("2024.12", "by_date", D(2024, 12, 31), None, None)]),
    ("（2024年起长期坚持）", D(2024, 3, 1), [("长期坚持", "ongoing", None, None, None)]),
    # ...but a date line on or before the issue date is the document's date, and dates in prose are events
    ("印发各单位执行。\n\n2024年3月1日", D(2024, 3, 1), []),
    ("2024年6月30日召开推进会", D(2024, 3, 1), []),
    # a year in Chinese numerals is a year; "N年内" is no "年内" (this year): a goal's 力争2年内 is
    # two years after the issue
    ("二〇二四年底前完成", None, [("二〇二四年底前", "by_date", D(2024, 12, 31), None, None)]),
    ("力争2年内完成", D(2024, 3, 1), [("力争2年内", "relative", D(2026, 3, 1), None, None)]),
    ("今年内完成改造", D(2024, 3, 1), [("今年内完成", "by_date", D(2024, 12, 31), None, None)]),
    # a schedule of roll-out steps: each step is due in its year or part of a year
    ("2023年启动试点，2024年扩大范围，2025年全面推开。", D(2023, 3, 1), [
        ("2023年", "by_date", D(2023, 12, 31), None, None), ("2024年", "by_date", D(2024, 12, 31), None, None),
        ("2025年", "by_date", D(2025, 12, 31), None, None)]),
    ("2023年上半年完成平台升级，2023年下半年全面推广。", D(2023, 3, 1), [
        ("2023年上半年", "by_date", D(2023, 6, 30), None, None), ("2023年下半年", "by_date", D(2023, 12, 31), None, None)]),
    ("于2023年第三季度组织培训。", D(2023, 3, 1), [("于2023年第三季度", "by_date", D(2023, 9, 30), None, None)]),
    ("出台实施细则，年内全面实施。", D(2023, 3, 1), [("年内全面实施", "by_date", D(2023, 12, 31), None, None)]),
    ("完成时限：2025年第一季度组建平台公司", D(2024, 3, 1), [("2025年第一季度", "by_date", D(2025, 3, 31), None, None)]),
    # a 整改方案's time limits, a phase's dates, the start of a yearly duty, an effort of N years
    ("整改时限：立行立改、长期坚持", D(2024, 3, 1), [("立行立改", "unspecified", None, None, None),
                                                  ("长期坚持", "ongoing", None, None, None)]),
    ("（一）自查自纠阶段（2024年4月25日—4月30日）。", D(2024, 3, 1), [
        ("2024年4月25日—4月30日", "by_date", D(2024, 4, 30), None, None)]),
    ("（三）巩固阶段（2024年7月—2025年12月）。", D(2024, 3, 1), [
        ("2024年7月—2025年12月", "by_date", D(2025, 12, 31), None, None)]),
    ("2025年起，每年遴选一批示范企业。", D(2024, 3, 1), [("2025年起，每年", "recurring", None, None, None)]),
    ("2025年起每年召开一次联席会议。", D(2024, 3, 1), [("2025年起每年", "recurring", None, None, None)]),
    ("2025年起全面推行。", D(2024, 3, 1), [("2025年起", "ongoing", None, None, None)]),
    ("力争用3年时间，基本建成体系。", D(2024, 3, 1), [("力争用3年时间", "relative", D(2027, 3, 1), None, None)]),
    ("每年年初制定班列开行计划。", D(2024, 3, 1), [("每年年初", "recurring", None, None, None)]),
    ("本办法自2024年1月1日起施行。", D(2024, 3, 1), []),
    ("2024年下半年起持续推进。", D(2024, 3, 1), [("2024年下半年起", "ongoing", None, None, None)]),
    ("每学期至少组织一次科学实践活动。", D(2024, 3, 1), [("每学期", "recurring", None, None, None)]),
]


@pytest.mark.parametrize(("text", "doc_date", "expected"), CASES)
def test_extract_deadlines(text, doc_date, expected):
    got = extract_deadlines(text, doc_date)
    assert [(d.text, d.kind, d.date, d.start, d.end) for d in got] == expected
    for d in got:
        assert d.span is not None and text[d.span.start : d.span.end] == d.text


# Deadlines of 考评办法, 工作要点 and 分工方案 from elsewhere: phrases without a year take the
# document's year (its title's one year, else the issue year); adverbs count only in the time slot.
# (text, doc_date, current_year, [(phrase, kind, date)])
ELSEWHERE = [
    ("（1分）（6月底取得阶段性成效并持续推进，牵头考核单位：市发展改革委）", D(2023, 2, 10), None,
     [("6月底取得阶段性成效并持续推进", "by_date", D(2023, 6, 30))]),
    ("（9月份取得明显成效，牵头考核单位：市商务局）", None, 2023, [("9月份取得明显成效", "by_date", D(2023, 9, 30))]),
    ("（持续推进，牵头单位：市商务局，责任单位：市财政局）", None, None, [("持续推进", "ongoing", None)]),
    ("（按进度推进；责任单位：区市场监管局）", None, None, [("按进度推进", "ongoing", None)]),
    ("完成时限：持续优化", None, None, [("持续优化", "ongoing", None)]),
    ("（责任单位：区市场监管局、区政务服务中心，2025年6月底前完成）", D(2024, 3, 1), None,
     [("2025年6月底前", "by_date", D(2025, 6, 30))]),
    ("各地年底前完成摸底", D(2022, 12, 20), 2023, [("年底前", "by_date", D(2023, 12, 31))]),
    ("各地年底前完成摸底", D(2022, 5, 20), None, [("年底前", "by_date", D(2022, 12, 31))]),
    ("各省份于2023年9月30日前报送", D(2023, 1, 5), None, [("于2023年9月30日前", "by_date", D(2023, 9, 30))]),
    ("各地于9月30日前报送", D(2023, 1, 5), None, [("于9月30日前", "by_date", D(2023, 9, 30))]),
    ("十二月底前完成", None, 2021, [("十二月底前", "by_date", D(2021, 12, 31))]),
    ("6月底前完成", None, None, [("6月底前", "relative", None)]),  # no year known: unresolved
    ("每年3月底前报送上一年度工作情况", D(2020, 4, 1), None, [("每年3月底前", "recurring", None)]),
    ("2020年起，每年1月底前完成上一年度绩效考核", D(2019, 1, 16), None,
     [("2020年起，每年1月底前", "recurring", None)]),
    ("每年三月底前", D(2020, 4, 1), None, [("每年三月底前", "recurring", None)]),
    # a month after a recurring date in the same sentence recurs with it
    ("期间每年10月底前，下发推荐通知，组织遴选，11月底前，确定50个以上示范项目。", D(2016, 10, 28), None,
     [("每年10月底前", "recurring", None), ("11月底前", "recurring", None)]),
    ("每年2月底前各省份完成考核。5月底前完成评估", D(2019, 1, 16), None,
     [("每年2月底前", "recurring", None), ("5月底前", "by_date", D(2019, 5, 31))]),
    ("2019年4月底前，各地完成摸底排查；2020年12月底前，整改工作全部完成", D(2019, 1, 22), None,
     [("2019年4月底前", "by_date", D(2019, 4, 30)), ("2020年12月底前", "by_date", D(2020, 12, 31))]),
    ("每年选取30-50个应用成效较好的统筹地区作为示范", None, None, [("每年", "recurring", None)]),
    ("市财政每年安排5亿元，用于支持先进制造业发展", None, None, [("每年", "recurring", None)]),
    ("政务部门应当自收到申请之日起7个工作日内答复", D(2020, 5, 1), None,
     [("自收到申请之日起7个工作日内", "relative", None)]),
    ("完成时限：2024年", D(2023, 6, 1), None, [("2024年", "by_date", D(2024, 12, 31))]),
    ("（上半年完成，牵头单位：市商务局）", D(2023, 2, 1), None, [("上半年", "by_date", D(2023, 6, 30))]),
    ("2023年三季度末前完成", D(2023, 2, 1), None, [("2023年三季度末前", "by_date", D(2023, 9, 30))]),
    ("每季度末报送进展", D(2023, 2, 1), None, [("每季度末", "recurring", None)]),
    # before a season or a holiday: a time stated, no date guessed (汛期 and 春节 move)
    ("汛期前完成易积水点治理25处", D(2024, 2, 1), None, [("汛期前", "unspecified", None)]),
    ("2025年春节前发放到位", D(2024, 2, 1), None, [("2025年春节前", "unspecified", None)]),
    ("春节前后开展走访慰问", D(2024, 2, 1), None, []),
    ("每个雪季开始前完成安全检查", D(2024, 2, 1), None, [("每个雪季开始前", "recurring", None)]),
    ("各省级人民政府于次年1月底前报送", D(2024, 2, 1), None, [("于次年1月底前", "recurring", None)]),
    # not deadlines: prose verbs, subsidy caps and terms, statistics
    ("持续优化营商环境，按计划推进重点项目建设", D(2023, 1, 1), None, []),
    ("对认定的企业每年最高补贴100万元，连续3年每年给予支持", D(2023, 1, 1), None, []),
    ("奖励资金自实际产生地方贡献年度次年起三年内兑现到位", D(2019, 1, 3), None, []),
    ("按照该产品销售后1年内销售合同累计到账额的30%给予资助", D(2019, 1, 3), None, []),
    ("1—6月累计完成投资120亿元，截至6月底已完成年度计划的60%", D(2023, 8, 1), None, []),
    ("取得明显成效", D(2023, 1, 1), None, []),
    ("上半年全市规上工业增加值增长8%", D(2023, 8, 1), None, []),
    ("（此件公开发布）\n\n2023年1月19日", D(2023, 1, 19), None, []),  # the signature date
]


@pytest.mark.parametrize(("text", "doc_date", "current_year", "expected"), ELSEWHERE)
def test_deadlines_of_documents_from_elsewhere(text, doc_date, current_year, expected):
    got = extract_deadlines(text, doc_date, current_year=current_year)
    assert [(d.text, d.kind, d.date) for d in got] == expected
    for d in got:
        assert d.span is not None and text[d.span.start : d.span.end] == d.text


# (title, issue date, the year phrases without one fall in)
DOCUMENT_YEAR = [
    ("关于印发2023年全市优化营商环境工作要点的通知", D(2022, 12, 26), 2023),
    ("数字山东2021行动方案", D(2021, 4, 15), 2021),
    ("山东省制造业创新能力提升三年行动计划（2023—2025 年）", D(2023, 4, 29), 2023),  # a period: issue year
    ("Implementation Plan (2024 - 2027)", None, None),
    ("关于印发2030年前碳达峰行动方案的通知", D(2021, 10, 24), 2021),  # far from the issue date
    ("2023年度重点工作考评办法", None, 2023),
    ("关于开展园区提质行动助推高质量发展的通知", None, None),
]


@pytest.mark.parametrize(("title", "doc_date", "expected"), DOCUMENT_YEAR)
def test_document_year(title, doc_date, expected):
    assert document_year(title, doc_date) == expected


def test_spans_are_offset_by_base():
    text = "到2025年底，完成"
    [d] = extract_deadlines(text, None, base=100)
    assert (d.span.start, d.span.end) == (100, 107)


def test_completion_field():
    [d] = parse_deadline_field("〔完成时限：2023年6月底前；责任单位：市经信局〕", D(2023, 1, 1))
    assert (d.text, d.kind, d.date) == ("2023年6月底前", "by_date", D(2023, 6, 30))
    [d] = parse_deadline_field("完成时限：视情况而定")
    assert (d.text, d.kind) == ("视情况而定", "unspecified")
    [d] = parse_deadline_field("完成时间: 长期坚持")
    assert d.kind == "ongoing"


@pytest.mark.parametrize(("plan", "years"), [("十四五", (2021, 2025)), ("十三五", (2016, 2020)), ("十五", (2001, 2005)),
                                              ("十一五", (2006, 2010)), ("十五五", (2026, 2030))])
def test_plan_years(plan, years):
    assert plan_years(plan) == years


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=80),
    st.one_of(st.none(), st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))),
    st.one_of(st.none(), st.integers(2000, 2040)),
    st.one_of(st.none(), st.integers(2000, 2040)),
)
def test_arbitrary_text_never_raises_and_spans_hold(text, doc_date, reference_year, first_due_year):
    got = extract_deadlines(text, doc_date, base=0, reference_year=reference_year, first_due_year=first_due_year)
    for d in got:
        assert d.span is not None and text[d.span.start : d.span.end] == d.text


DEADLINE_ALPHABET = st.sampled_from(list("2025年底前到力争确保每年定期持续推进长期坚持按期完成，。（）：截至以来已十三五期间—"))


@settings(max_examples=300, deadline=None)
@given(st.lists(DEADLINE_ALPHABET, max_size=40).map("".join), st.one_of(st.none(), st.integers(2015, 2030)))
def test_deadline_phrases_in_arbitrary_order_hold_spans_and_floor(text, reference_year):
    for d in extract_deadlines(text, None, base=7, reference_year=reference_year):
        assert d.span is not None and text[d.span.start - 7 : d.span.end - 7] == d.text
        last = d.end or d.date
        assert reference_year is None or last is None or last.year >= reference_year


# An undated document: what it says about its own time decides whether a bare year is history.
# (text, reference_year, first_due_year, expected phrases)
UNDATED = [
    ("2020年实现规上工业总产值 1633亿元", None, None, ["2020年"]),  # nothing to tell: kept
    ("2020年实现规上工业总产值 1633亿元", 2021, None, []),
    ("2020年实现规上工业总产值 1633亿元", None, 2025, []),
    ("2024年底前完成园区扩区调位", None, 2025, ["2024年底前"]),  # explicit phrases stay
    ("2024年底前完成园区扩区调位", 2025, None, []),
    ("钒钛化工园区2025年完成认定", 2025, None, ["2025年"]),
    ("钒钛化工园区2025年完成认定", None, 2025, ["2025年"]),
    ("“十三五”期间，园区2019年建成标准厂房20万平方米", 2021, None, []),
    ("“十三五”期间", 2021, None, []),
    ("2016-2020年", 2021, None, []),
    # the text's own 截至 is a reference of its own
    ("截至2021年底，园区累计建成标准厂房；2020年实现营业收入985.5亿元", None, None, []),
]


@pytest.mark.parametrize(("text", "reference_year", "first_due_year", "expected"), UNDATED)
def test_undated_document_history(text, reference_year, first_due_year, expected):
    got = extract_deadlines(text, None, reference_year=reference_year, first_due_year=first_due_year)
    assert [d.text for d in got] == expected


def test_doc_date_wins_over_reference_year():
    [d] = extract_deadlines("2024年底前完成", D(2024, 1, 5), reference_year=2026)
    assert d.date == D(2024, 12, 31)


# (text, title, period, expected reference year)
REFERENCE = [
    ("攀枝花市“十四五”工业园区发展规划\n前言", None, None, 2021),
    ("攀枝花东区高新技术产业园区承载能力提升三年行动方案（2023—2025年）", None, None, 2023),
    ("攀东府办〔2023〕4号\n各街道办事处", "某某方案", None, 2023),
    ("本规划期限为 2021年—2025年。", "西区规划", None, 2021),
    ("截至 2020年，全市共有规上工业企业 349户。根据川办发〔2018〕45号文件", "某规划", None, 2020),
    ("2023年以来，园区新签约项目42个", "通知", None, 2023),
    ("到2025年底，完成全市园区优化整合", "关于开展园区提质行动助推高质量发展的通知", "2025—2029", 2025),
    ("工业是攀枝花立市之本、强市之基。", "十六条措施", None, None),
]


@pytest.mark.parametrize(("text", "title", "period", "expected"), REFERENCE)
def test_document_reference_year(text, title, period, expected):
    assert document_reference_year(text, title, period) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("第一阶段：一年转形象、求突破。到2025年底，完成全市园区优化整合。第二阶段：到2027年底", 2025),
    ("2020年实现规上工业总产值 1633亿元。力争到2025年，园区工业总产值达到1200亿元", 2025),
    ("工业是攀枝花立市之本、强市之基。", None),
])
def test_opening_due_year(text, expected):
    assert opening_due_year(text) == expected


def _rules_missing_their_anchor(text: str) -> list[str]:
    from extractors.deadlines import deadline_lexicon

    lexicon = deadline_lexicon()
    return [
        rule.id for rule in lexicon.rules
        if rule.regex.search(text) and not lexicon.anchor_regexes[rule.needs].search(text)
    ]


def test_every_rule_match_in_the_corpus_holds_its_anchor(corpus_documents):
    """Anchors are only a prefilter: no clause or line of the corpus that a deadline rule matches
    may lack the anchor that rule names."""
    from extractors.deadlines import deadline_lexicon

    texts = [c.text for doc in corpus_documents.values() for c in doc.clauses]
    texts += [line for doc in corpus_documents.values() for line in doc.text.splitlines()]
    matched = [t for t in texts if any(r.regex.search(t) for r in deadline_lexicon().rules)]
    assert len(matched) > 50  # the corpus is full of deadlines
    assert {t: ids for t in matched if (ids := _rules_missing_their_anchor(t))} == {}


def test_trigger_turns_away_most_clauses_of_the_corpus(corpus_documents):
    """What the anchors are for: a digit or a 年 alone (年产, 5个) must not open the gate."""
    from extractors.deadlines import deadline_lexicon

    trigger = deadline_lexicon().trigger
    texts = [c.text for doc in corpus_documents.values() for c in doc.clauses]
    assert sum(1 for t in texts if trigger.search(t)) < 0.5 * len(texts)


@given(st.text(alphabet=st.sampled_from(list("到至2025年底前月日内天周个工作之起每季度按期时持续常态化长久为功尽快十四五印发确保，。")), max_size=30))
@settings(max_examples=400, deadline=None)
def test_every_rule_match_holds_its_anchor_on_deadline_alphabet(text):
    assert _rules_missing_their_anchor(text) == []


def _rule_ids() -> list[str]:
    from extractors.deadlines import deadline_lexicon

    return [rule.id for rule in deadline_lexicon().rules]


@pytest.mark.slow  # generated text for every rule: the full suite runs it, the edit loop does not
@pytest.mark.parametrize("rule_id", _rule_ids())
def test_text_a_rule_matches_holds_its_anchor(rule_id):
    """Text generated from each rule's own pattern (not only its examples) holds the anchor the
    rule names, so the prefilter never hides a match."""
    from hypothesis import HealthCheck

    from extractors.deadlines import deadline_lexicon

    rule = next(r for r in deadline_lexicon().rules if r.id == rule_id)
    anchor = deadline_lexicon().anchor_regexes[rule.needs]

    @given(st.from_regex(rule.pattern, fullmatch=False))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def check(text):
        assert rule.regex.search(text) and anchor.search(text), text

    check()


def test_anchors_change_no_result_on_the_corpus(corpus_documents, monkeypatch):
    """The anchor prefilter only saves time: with every anchor matching everything (all rules
    run on all text) the corpus's clauses and whole documents give the same deadlines."""
    import extractors.deadlines as deadlines

    texts = [c.text for doc in corpus_documents.values() for c in doc.clauses]
    texts += [doc.text for doc in corpus_documents.values()]
    dates = [doc.meta.date for doc in corpus_documents.values()]
    with_anchors = [deadlines.deadline_matches(t, d) for t in texts for d in (None, dates[0])]
    lexicon = deadlines.deadline_lexicon()
    everything = deadlines.DeadlineLexicon.model_validate(
        {**lexicon.model_dump(), "anchors": {name: "" for name in lexicon.anchors}}
    )
    assert all(r.search("") for r in everything.anchor_regexes.values())
    monkeypatch.setattr(deadlines, "deadline_lexicon", lambda: everything)
    without = [deadlines.deadline_matches(t, d) for t in texts for d in (None, dates[0])]
    assert sum(map(len, with_anchors)) > 100
    assert with_anchors == without


def test_every_anchor_alternative_starts_with_a_plain_character():
    """The trigger (all anchors joined) is scanned over every clause; re only skips ahead to
    candidate first characters when each alternative starts with a literal (6x faster)."""
    from re import _parser  # the stdlib's pattern parser: the structure re compiles from

    from extractors.deadlines import deadline_lexicon

    def first_is_literal(items) -> bool:
        op, arg = items[0]
        if op is _parser.BRANCH:
            return all(first_is_literal(alternative) for alternative in arg[1])
        return op is _parser.LITERAL

    lexicon = deadline_lexicon()
    for name, pattern in lexicon.anchors.items():
        assert first_is_literal(_parser.parse(pattern).data), name
    assert first_is_literal(_parser.parse(lexicon.trigger.pattern).data)


# A 考评办法 of the kind the issue describes: each measure keeps its own time slot, phrases without a
# year take the title's year, and a phrase said twice in one measure is one deadline.
ASSESSMENT = """关于印发2023年全市优化营商环境重点任务考评办法的通知
一、考评内容
（一）提升政务服务效能。
1.推进“一网通办”。6月底取得阶段性成效并持续推进。（牵头考核单位：市政务服务管理局）
2.压缩审批时限。于2023年9月30日前完成。每年组织一次评估，每年通报一次。（牵头考核单位：市行政审批局）
（二）优化要素保障。（9月份取得明显成效，牵头考核单位：市自然资源和规划局）
（三）强化法治保障。（持续推进，牵头单位：市司法局，配合单位：市公安局）
（四）推进信用建设。持续推进信用修复。（年底前，责任单位：市发展改革委、市市场监管局）
"""


@pytest.mark.parametrize(("task", "expected"), [
    ("一.（一）.1", [("6月底取得阶段性成效并持续推进", D(2023, 6, 30))]),
    ("一.（一）.2", [("于2023年9月30日前", D(2023, 9, 30)), ("每年", None)]),
    ("一.（二）", [("9月份取得明显成效", D(2023, 9, 30))]),
    ("一.（三）", [("持续推进", None)]),
    ("一.（四）", [("年底前", D(2023, 12, 31))]),
])
def test_each_measure_keeps_its_own_time_slot(tmp_path_factory, task, expected):
    from extractors.measures.tasks import extract_tasks
    from pipeline.model import DocumentMeta
    from pipeline.run import parse_file

    path = tmp_path_factory.mktemp("docs") / "assessment.txt"
    path.write_text(ASSESSMENT, encoding="utf-8")
    meta = DocumentMeta(doc_id="kp", title=ASSESSMENT.splitlines()[0], date=D(2022, 12, 28))
    tasks = {t.task_id.split(":", 1)[1]: t for t in extract_tasks(parse_file(path, meta=meta))}
    assert [(d.text, d.date) for d in tasks[task].deadlines] == expected
