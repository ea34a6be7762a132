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
    # new equipment investment is committed to; a project's investment describes it
    ("航空航天、集成电路装备产业新增设备投资100亿元以上。", UNDATED, [
        ("航空航天、集成电路装备产业新增设备投资100亿元以上", "ge", "100", "亿元")]),
    ("该项目投资3亿元。", UNDATED, []),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), CASES, ids=[c[0][:20] for c in CASES])
def test_target_shapes(text, ctx, expected):
    got = [(text[c.start : c.end], c.comparator, c.value, c.unit) for c in read_paragraph(text, ctx)]
    assert got == [(q, cmp, Decimal(v), u) for q, cmp, v, u in expected]


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
