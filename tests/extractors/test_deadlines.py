"""Deadlines (完成时限) as typed values, from real sentences of the corpus and of similar documents."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.deadlines import extract_deadlines, parse_deadline_field, plan_years

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
    ("定期向龙头企业征求重大技术需求", None, [("定期", "recurring", None, None, None)]),
    ("每季度通报一次进展", None, [("每季度", "recurring", None, None, None)]),
    ("分年度和中期对规划实施情况进行检查评估", None, [("分年度", "recurring", None, None, None)]),
    ("长期坚持", None, [("长期坚持", "ongoing", None, None, None)]),
    ("持续推进大宗固废示范基地建设项目", None, [("持续推进", "ongoing", None, None, None)]),
    ("“十四五”期间，工业增加值年均增速不低于7.5%", D(2021, 8, 1),
     [("“十四五”期间", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("十四五期间", None, [("十四五期间", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("到“十四五”末，基本建成", None, [("“十四五”末", "by_date", D(2025, 12, 31), None, None)]),
    ("三年行动方案（2023—2025年）", None, [("2023—2025年", "period", None, D(2023, 1, 1), D(2025, 12, 31))]),
    ("本规划期限为 2021年—2025年。", ISSUED, [("2021年—2025年", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("规划期限：2021年至2025年。", D(2021, 8, 1), [("2021年至2025年", "period", None, D(2021, 1, 1), D(2025, 12, 31))]),
    ("6个循环改造重点项目按期完工投产", None, [("按期", "unspecified", None, None, None)]),
    ("确保按时推进实施", None, [("按时", "unspecified", None, None, None)]),
    ("钒钛化工园区2024年完成认定", D(2023, 5, 1), [("2024年", "by_date", D(2024, 12, 31), None, None)]),
    # not deadlines
    ("根据川办发〔2018〕45号文件精神", ISSUED, []),
    ("2020年营业收入 985.5亿元", ISSUED, []),
    ("截至 2020年，全市共有规上工业企业 349户", ISSUED, []),
    ("截至2020年末，全市6个工业园区总规划面积214.35km2", ISSUED, []),
    ("《四川省“5+1”重点特色园区培育发展三年行动计划（2021—2023年）》", ISSUED, []),
    ("“十三五”时期，面对错综复杂的内外形势", ISSUED, []),
    ("2020年实现规上工业总产值 1633亿元", ISSUED, []),
    ("于2020年12月6日通车", ISSUED, []),
    ("逐年增长", None, []),
    ("资源长期流失于高炉渣中", None, []),
]


@pytest.mark.parametrize(("text", "doc_date", "expected"), CASES)
def test_extract_deadlines(text, doc_date, expected):
    got = extract_deadlines(text, doc_date)
    assert [(d.text, d.kind, d.date, d.start, d.end) for d in got] == expected
    for d in got:
        assert d.span is not None and text[d.span.start : d.span.end] == d.text


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
@given(st.text(max_size=80), st.one_of(st.none(), st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))))
def test_arbitrary_text_never_raises_and_spans_hold(text, doc_date):
    for d in extract_deadlines(text, doc_date, base=0):
        assert d.span is not None and text[d.span.start : d.span.end] == d.text
