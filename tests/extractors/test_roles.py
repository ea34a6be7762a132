"""Responsibility statements → units with roles. Real sentences from the corpus (pzh-*, dongqu-*)
and realistic ones in the formats other cities use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.roles.statements import (
    RoleRule,
    detect_role_rule,
    find_statements,
    parse_responsibility,
    parse_unit_list,
    rule_in_force,
)
from pipeline.model import UnitFlag

COMMA = RoleRule(
    kind="before_first_comma", note="逗号前为牵头单位，下同", core="逗号前为牵头单位", carries=True
)
SEMI = RoleRule(
    kind="before_first_semicolon",
    note="分号前为牵头单位,下同",
    core="分号前为牵头单位",
    carries=True,
)
FIRST = RoleRule(
    kind="first_listed", note="列第一位者为牵头单位", core="列第一位者为牵头单位", in_bracket=False
)


def roles(text: str, rule: RoleRule | None = None) -> dict[str, list[str]]:
    parse = parse_responsibility(text, rule=rule)
    out: dict[str, list[str]] = {"lead": [], "supporting": [], "unassigned": []}
    for unit in parse.units:
        out[unit.role].append(unit.name)
    return {k: v for k, v in out.items() if v}


CASES = [
    # --- corpus: pzh-2024-jianquan-qianglian-16tiao (lead before the first comma, 下同)
    pytest.param(
        "〔责任单位：市经济和信息化局，各产业链牵头部门、各县（区）、国家钒钛高新区（逗号前为牵头单位，下同）〕",
        None,
        {
            "lead": ["市经济和信息化局"],
            "supporting": ["各产业链牵头部门", "各县（区）", "国家钒钛高新区"],
        },
        id="16tiao-1-note-in-nested-bracket",
    ),
    pytest.param(
        "〔责任单位：市科技局、市经济和信息化局，各产业链牵头部门、各县（区）、国家钒钛高新区〕",
        COMMA,
        {
            "lead": ["市科技局", "市经济和信息化局"],
            "supporting": ["各产业链牵头部门", "各县（区）", "国家钒钛高新区"],
        },
        id="16tiao-3-two-leads",
    ),
    pytest.param(
        "〔责任单位：市财政局、市国资委，各县（区）、国家钒钛高新区，人民银行攀枝花市分行、攀枝花金融监管分局〕",
        COMMA,
        {
            "lead": ["市财政局", "市国资委"],
            "supporting": [
                "各县（区）",
                "国家钒钛高新区",
                "人民银行攀枝花市分行",
                "攀枝花金融监管分局",
            ],
        },
        id="16tiao-15-second-comma-still-supporting",
    ),
    pytest.param(
        "〔责任单位：市科技局，市委组织部、市发展改革委、\n\n市经济和信息化局、市农业农村局、各县（区）、国家钒钛高新区〕",
        COMMA,
        {
            "lead": ["市科技局"],
            "supporting": [
                "市委组织部",
                "市发展改革委",
                "市经济和信息化局",
                "市农业农村局",
                "各县（区）",
                "国家钒钛高新区",
            ],
        },
        id="16tiao-5-page-break-after-separator",
    ),
    pytest.param(
        "〔责任单位：市发展改革委、市自然资源和规\n\n划局，市生态环境局、各县（区）、国家钒钛高新区〕",
        COMMA,
        {
            "lead": ["市发展改革委", "市自然资源和规划局"],
            "supporting": ["市生态环境局", "各县（区）", "国家钒钛高新区"],
        },
        id="16tiao-8-unit-split-by-page-break",
    ),
    pytest.param(
        "〔责任单位：市经济和信息化局、市委组织部、市委共富办，各县（区）、国家钒钛高新区〕",
        COMMA,
        {
            "lead": ["市经济和信息化局", "市委组织部", "市委共富办"],
            "supporting": ["各县（区）", "国家钒钛高新区"],
        },
        id="16tiao-16-three-leads",
    ),
    # --- corpus: pzh-2025-yuanqu-tizhi-tongzhi (lead before the semicolon)
    pytest.param(
        "〔责任单位：国家钒钛高新区管委会、各县（区）政府；市发展改革委、市经济和信息化局、市科技局、市生态环境局、"
        "市自然资源和规划局、市住房城乡建设局、市商务局，分号前为牵头单位,下同〕",
        None,
        {
            "lead": ["国家钒钛高新区管委会", "各县（区）政府"],
            "supporting": [
                "市发展改革委",
                "市经济和信息化局",
                "市科技局",
                "市生态环境局",
                "市自然资源和规划局",
                "市住房城乡建设局",
                "市商务局",
            ],
        },
        id="tongzhi-1-semicolon-note-half-width-comma",
    ),
    pytest.param(
        "〔责任单位：市经济合作局、市经济和信息化局；市发展改革委、市科技局、市财政局、市市场监管局、国家钒钛高新区管委会、各县（区）政府〕",
        SEMI,
        {
            "lead": ["市经济合作局", "市经济和信息化局"],
            "supporting": [
                "市发展改革委",
                "市科技局",
                "市财政局",
                "市市场监管局",
                "国家钒钛高新区管委会",
                "各县（区）政府",
            ],
        },
        id="tongzhi-4-carried-semicolon-rule",
    ),
    pytest.param(
        "〔责任单位：国家钒钛高新区管委会、各县（区）政府；市委组织部、市委编办、市人力资源社会保障局、市国资委、市政务管理局、〕",
        SEMI,
        {
            "lead": ["国家钒钛高新区管委会", "各县（区）政府"],
            "supporting": [
                "市委组织部",
                "市委编办",
                "市人力资源社会保障局",
                "市国资委",
                "市政务管理局",
            ],
        },
        id="tongzhi-13-stray-separator-before-bracket",
    ),
    pytest.param(
        "〔责任单位：市委人才办、市教育和体育局、市人力资源社会保障局；国家钒钛高新区管委会、各县（区）政府〕",
        SEMI,
        {
            "lead": ["市委人才办", "市教育和体育局", "市人力资源社会保障局"],
            "supporting": ["国家钒钛高新区管委会", "各县（区）政府"],
        },
        id="tongzhi-san-1-three-leads",
    ),
    pytest.param(
        "〔责任单位：市经济和信息化局；市委宣传部、市发展改革委、市政府管理局、国家钒钛高新区管委会、各县（区）政府〕",
        SEMI,
        {
            "lead": ["市经济和信息化局"],
            "supporting": [
                "市委宣传部",
                "市发展改革委",
                "市政府管理局",
                "国家钒钛高新区管委会",
                "各县（区）政府",
            ],
        },
        id="tongzhi-15-typo-kept-as-written",
    ),
    pytest.param(
        "〔责任单位：市经济和信息化局〕",
        SEMI,
        {"lead": ["市经济和信息化局"]},
        id="semicolon-rule-no-semicolon-all-lead",
    ),
    # --- corpus: dongqu-2023-chengzai-fangan (no label, lead before the comma)
    pytest.param(
        "（区经济和信息化局，区发展和改革委员会、区经济合作局、园区经济运行部。逗号前为牵头部门，下同）",
        None,
        {
            "lead": ["区经济和信息化局"],
            "supporting": ["区发展和改革委员会", "区经济合作局", "园区经济运行部"],
        },
        id="dongqu-1-unlabelled-with-note",
    ),
    pytest.param(
        "全力推进循环经济产业园项目建设。（高创投公司、区经济合作局，区发展和改革委员会、市自然资源和规划局东区分局、东区生态\n\n"
        "环境局、区土地储备中心、银江镇)",
        COMMA,
        {
            "lead": ["高创投公司", "区经济合作局"],
            "supporting": [
                "区发展和改革委员会",
                "市自然资源和规划局东区分局",
                "东区生态环境局",
                "区土地储备中心",
                "银江镇",
            ],
        },
        id="dongqu-3-mixed-brackets-page-break",
    ),
    pytest.param(
        "进一步提升园区电力保障能力。(园区规划发展部，区住房和城乡建设局、区农业农村和交通水利局、市自然资源和规划局东区分局、东区税务局)",
        COMMA,
        {
            "lead": ["园区规划发展部"],
            "supporting": [
                "区住房和城乡建设局",
                "区农业农村和交通水利局",
                "市自然资源和规划局东区分局",
                "东区税务局",
            ],
        },
        id="dongqu-4-half-width-brackets",
    ),
    pytest.param(
        "针对企业管理人员提供继续教育引导服务。（园区服务中心，区人力资源和社会保障局）",
        COMMA,
        {"lead": ["园区服务中心"], "supporting": ["区人力资源和社会保障局"]},
        id="dongqu-7",
    ),
    # --- cue words
    pytest.param(
        "（市发展改革委牵头，市财政局、市商务局配合）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局", "市商务局"]},
        id="cue-lead-supporting",
    ),
    pytest.param(
        "（市发展改革委、市经济和信息化局牵头，市财政局及各县区按职责分工负责）",
        None,
        {"lead": ["市发展改革委", "市经济和信息化局"], "supporting": ["市财政局", "各县区"]},
        id="cue-two-leads-duty-and-ji",
    ),
    pytest.param("（市科技局负责）", None, {"unassigned": ["市科技局"]}, id="cue-fuze-no-role"),
    pytest.param("（市应急管理局负总责）", None, {"lead": ["市应急管理局"]}, id="cue-fuzongze"),
    pytest.param(
        "（市卫生健康委牵头，市医保局等有关部门配合）",
        None,
        {"lead": ["市卫生健康委"], "supporting": ["市医保局"]},
        id="cue-deng-youguan-bumen",
    ),
    pytest.param(
        "（由市商务局牵头，市发展改革委、市财政局等部门参与）",
        None,
        {"lead": ["市商务局"], "supporting": ["市发展改革委", "市财政局"]},
        id="cue-you-prefix",
    ),
    pytest.param(
        "（市发展改革委会同市财政局负责）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局"]},
        id="cue-huitong",
    ),
    pytest.param(
        "（责任单位：市公安局（牵头）、市交通运输局、市城管局）",
        None,
        {"lead": ["市公安局"], "supporting": ["市交通运输局", "市城管局"]},
        id="cue-bracketed-qiantou",
    ),
    pytest.param(
        "（市住房城乡建设局，各县（区）人民政府配合）",
        None,
        {"lead": ["市住房城乡建设局"], "supporting": ["各县（区）人民政府"]},
        id="cue-uncued-first-leads",
    ),
    pytest.param(
        # 按职责分工负责 closes the whole list: the comma states no lead (only a 配合 group would)
        "（各县（区）人民政府，市级有关部门按职责分工负责）",
        None,
        {"unassigned": ["各县（区）人民政府", "市级有关部门"]},
        id="cue-duty-after-uncued",
    ),
    pytest.param(
        "（市发展改革委、市经济和信息化局按职责分工负责）",
        None,
        {"unassigned": ["市发展改革委", "市经济和信息化局"]},
        id="cue-duty-only-no-lead",
    ),
    pytest.param(
        "（市发展改革委牵头，市财政局配合）",
        COMMA,
        {"lead": ["市发展改革委"], "supporting": ["市财政局"]},
        id="cue-beats-carried-rule",
    ),
    # --- labels
    pytest.param(
        "加快建设。\n牵头单位：市发展改革委\n配合单位：市财政局、市商务局\n完成时限：2025年底前",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局", "市商务局"]},
        id="label-lines",
    ),
    pytest.param(
        "（牵头单位：市发展改革委；配合单位：市经信局、市财政局；完成时限：2024年底前）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市经信局", "市财政局"]},
        id="label-bracket-with-deadline",
    ),
    pytest.param(
        "牵头单位：市商务局、市发展改革委，配合单位：各县（区）政府。",
        None,
        {"lead": ["市商务局", "市发展改革委"], "supporting": ["各县（区）政府"]},
        id="label-one-line-comma",
    ),
    pytest.param(
        "主责单位：区经济和信息化局；协同部门：区财政局",
        None,
        {"lead": ["区经济和信息化局"], "supporting": ["区财政局"]},
        id="label-zhuze-xietong",
    ),
    pytest.param(
        "〔责任单位：市发展改革委、市财政局〕",
        None,
        {"unassigned": ["市发展改革委", "市财政局"]},
        id="label-neutral-no-rule-unassigned",
    ),
    pytest.param(
        "〔责任单位：市发展改革委等有关部门〕",
        None,
        {"unassigned": ["市发展改革委"]},
        id="sole-unit-deng-not-a-guessed-lead",
    ),
    pytest.param(
        "（責任單位：市發展改革委牽頭，市財政局配合）",
        None,
        {"lead": ["市發展改革委"], "supporting": ["市財政局"]},
        id="traditional-cues",
    ),
    pytest.param(
        "（責任單位：市經濟和信息化局，市財政局、市商務局。逗號前為牽頭單位，下同）",
        None,
        {"lead": ["市經濟和信息化局"], "supporting": ["市財政局", "市商務局"]},
        id="traditional-note",
    ),
    pytest.param(
        "（市發展改革委、各縣（區）按職責分工負責）",
        None,
        {"unassigned": ["市發展改革委", "各縣（區）"]},
        id="traditional-duty",
    ),
    # --- rules passed in
    pytest.param(
        "（市发展改革委、市财政局、市商务局）",
        FIRST,
        {"lead": ["市发展改革委"], "supporting": ["市财政局", "市商务局"]},
        id="first-listed",
    ),
    pytest.param(
        "〔责任单位：市商务局，市发展改革委、市财政局〕",
        None,
        {"unassigned": ["市商务局", "市发展改革委", "市财政局"]},
        id="no-rule-never-guessed",
    ),
    pytest.param(
        "（责任单位：市委宣传部、市文化广电旅游局，各县（区）党委和政府）",
        COMMA,
        {"lead": ["市委宣传部", "市文化广电旅游局"], "supporting": ["各县（区）党委和政府"]},
        id="he-not-split-when-one-side-is-no-body",
    ),
    pytest.param(
        "（市经济和 信息化局，市财政局）",
        COMMA,
        {"lead": ["市经济和信息化局"], "supporting": ["市财政局"]},
        id="space-inside-name-joined",
    ),
    pytest.param(
        "（市商务局牵头，各县（区）配合，2025年6月底前完成）",
        None,
        {"lead": ["市商务局"], "supporting": ["各县（区）"]},
        id="time-limit-inside-bracket-dropped",
    ),
    pytest.param(
        "推进项目建设。\n牵头单位：市发展改革委 市财政局\n配合单位：各区县政府",
        None,
        {"lead": ["市发展改革委", "市财政局"], "supporting": ["各区县政府"]},
        id="space-separated-units",
    ),
    pytest.param(
        "（各县（区）政府负责落实）", None, {"unassigned": ["各县（区）政府"]}, id="fuze-luoshi"
    ),
    pytest.param(
        "（各县（区）政府负责落实，市级有关部门加强指导）",
        None,
        {},
        id="clause-in-bracket-not-a-statement",
    ),
    pytest.param(
        "（工业和信息化部牵头，国家发展改革委、财政部、商务部按职责分工负责）",
        None,
        {"lead": ["工业和信息化部"], "supporting": ["国家发展改革委", "财政部", "商务部"]},
        id="national-ministries-he-inside-name",
    ),
    pytest.param(
        "（省经济和信息化厅、省发展改革委按职责分工负责）",
        None,
        {"unassigned": ["省经济和信息化厅", "省发展改革委"]},
        id="province-duty-only",
    ),
    # --- 负责 states no role by itself (realdocs README: never guess a lead)
    pytest.param(
        "（省工业和信息化厅、省通信管理局分工负责）",
        None,
        {"unassigned": ["省工业和信息化厅", "省通信管理局"]},
        id="fengong-fuze-no-role",
    ),
    pytest.param(
        "（商务部、农业农村部、供销合作总社等和各有关省级人民政府负责）",
        None,
        {"unassigned": ["商务部", "农业农村部", "供销合作总社", "各有关省级人民政府"]},
        id="deng-he-provinces-fuze",
    ),
    pytest.param(
        "（责任单位：区市场监管局、区政务服务中心，2025年6月底前完成）",
        None,
        {"unassigned": ["区市场监管局", "区政务服务中心"]},
        id="label-neutral-with-time-limit",
    ),
    pytest.param(
        "（负责部门：省发展改革委、省财政厅）",
        None,
        {"unassigned": ["省发展改革委", "省财政厅"]},
        id="label-fuze-bumen",
    ),
    pytest.param(
        "（市商务局、市财政局负责，市市场监管局、各区县政府配合）",
        None,
        {"lead": ["市商务局", "市财政局"], "supporting": ["市市场监管局", "各区县政府"]},
        id="fuze-leads-beside-peihe",
    ),
    pytest.param(
        "（省科技厅、省教育厅分工负责，省财政厅参与）",
        None,
        {"lead": ["省科技厅", "省教育厅"], "supporting": ["省财政厅"]},
        id="fengong-fuze-leads-beside-canyu",
    ),
    pytest.param(
        "（省商务厅牵头，省财政厅、省税务局负责）",
        None,
        {"lead": ["省商务厅"], "supporting": ["省财政厅", "省税务局"]},
        id="fuze-supports-beside-qiantou",
    ),
    pytest.param(
        "（国家卫生健康委、国务院办公厅牵头，相关部门及各地区按职责分工负责）",
        None,
        {"lead": ["国家卫生健康委", "国务院办公厅"], "supporting": ["相关部门", "各地区"]},
        id="two-leads-vague-collectives-duty",
    ),
    pytest.param(
        "（应急部、公安部、国家卫生健康委等相关部门及各地区按职责分工负责）",
        None,
        {"unassigned": ["应急部", "公安部", "国家卫生健康委", "各地区"]},
        id="deng-xiangguan-bumen-ji-gediqu",
    ),
    pytest.param(
        "（省教育厅指导，省人力资源社会保障厅、省总工会参与）",
        None,
        {"lead": ["省教育厅"], "supporting": ["省人力资源社会保障厅", "省总工会"]},
        id="zhidao-canyu",
    ),
    pytest.param(
        "（省农业农村厅、省畜牧局按职责分工负责）",
        None,
        {"unassigned": ["省农业农村厅", "省畜牧局"]},
        id="duty-only-province",
    ),
    # --- labels read beside each other
    pytest.param(
        "（牵头单位：市商务局、市财政局，责任单位：市市场监管局）",
        None,
        {"lead": ["市商务局", "市财政局"], "supporting": ["市市场监管局"]},
        id="label-lead-then-neutral-supports",
    ),
    pytest.param(
        "（牵头单位：省交通运输厅；责任单位：省财政厅、省自然资源厅）",
        None,
        {"lead": ["省交通运输厅"], "supporting": ["省财政厅", "省自然资源厅"]},
        id="label-lead-semicolon-neutral-supports",
    ),
    pytest.param(
        "（牵头单位：市发展改革委；协办单位：市财政局；协同单位：各区县政府）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局", "各区县政府"]},
        id="label-xieban-xietong",
    ),
    pytest.param(
        "（责任单位：市工业和信息化局；配合单位：市财政局、市商务局）",
        None,
        {"lead": ["市工业和信息化局"], "supporting": ["市财政局", "市商务局"]},
        id="label-neutral-leads-beside-peihe-label",
    ),
    pytest.param(
        "（1分）（6月底取得阶段性成效并持续推进，牵头考核单位：市商务局）",
        None,
        {"lead": ["市商务局"]},
        id="label-qiantou-kaohe",
    ),
    pytest.param(
        "（牵头单位：省工业和信息化厅、各市工业和信息化局）",
        None,
        {"lead": ["省工业和信息化厅", "各市工业和信息化局"]},
        id="he-inside-collective-name-not-split",
    ),
    pytest.param(
        "（责任单位：市委宣传部，市工业和信息化局、市科技局，各区、市政府）",
        None,
        {"unassigned": ["市委宣传部", "市工业和信息化局", "市科技局", "各区、市政府"]},
        id="tier-series-one-collective",
    ),
    # --- stated conventions govern 负责 brackets
    pytest.param(
        "（省发展改革委、省财政厅、省科技厅负责，列第一位者为牵头部门，下同）",
        None,
        {"lead": ["省发展改革委"], "supporting": ["省财政厅", "省科技厅"]},
        id="first-listed-note-in-first-bracket",
    ),
    pytest.param(
        "（市工业和信息化局、市财政局负责）",
        FIRST,
        {"lead": ["市工业和信息化局"], "supporting": ["市财政局"]},
        id="fuze-under-carried-first-listed",
    ),
    pytest.param(
        "（市工业和信息化局，市财政局、市商务局按职责分工负责）",
        COMMA,
        {"lead": ["市工业和信息化局"], "supporting": ["市财政局", "市商务局"]},
        id="duty-under-carried-comma-rule",
    ),
    pytest.param(
        "（市科技局负责）",
        FIRST,
        {"lead": ["市科技局"]},
        id="single-unit-under-first-listed",
    ),
    # --- not statements
    pytest.param(
        "培育一批龙头企业（攀钢集团、龙佰集团），形成产业集群。",
        None,
        {},
        id="enterprises-mid-sentence",
    ),
    pytest.param(
        "原则上每个园区的主导产业不超过3个（开发区整合化工园区的，开发区和化工园区主导产业各不超过3个）。",
        None,
        {},
        id="explanatory-bracket",
    ),
    pytest.param("关于开展园区提质行动助推高质量发展的通知（代拟稿）", None, {}, id="draft-status"),
    pytest.param(
        "链长牵头对全市工业用地、优惠电量进行统筹调剂。支持链主企业牵头组建创新联合体。",
        None,
        {},
        id="qiantou-in-prose",
    ),
    pytest.param(
        "确保钒钛化工园区2025年安全等级由一般风险等级（C级）升级为较低风险等级（D级）。",
        None,
        {},
        id="grade-bracket-at-sentence-end",
    ),
    pytest.param(
        "（责任单位：市发展改革委〔牵头〕、市财政局）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局"]},
        id="lead-marked-in-a-square-bracket",
    ),
    pytest.param(
        "（区发改局牵头，各街道、镇配合）",
        None,
        {"lead": ["区发改局"], "supporting": ["各街道、镇"]},
        id="every-street-and-town-one-collective",
    ),
    pytest.param(
        "【责任单位】市发展改革委、市财政局",
        None,
        {"unassigned": ["市发展改革委", "市财政局"]},
        id="label-in-lenticular-brackets",
    ),
    pytest.param(
        "【牵头单位】市发展改革委【配合单位】市财政局【完成时限】2024年底",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局"]},
        id="lenticular-labels-in-a-row",
    ),
    # 落实 closing a group charges it like 负责; a group named after the duty groups leads nothing
    pytest.param(
        "（省市场监管局、省发展改革委按职责分工负责，各市、县（市、区）人民政府落实）",
        None,
        {"unassigned": ["省市场监管局", "省发展改革委", "各市、县（市、区）人民政府"]},
        id="duty-then-implementers",
    ),
    pytest.param(
        "（省市场监管局牵头，各市、县（市、区）人民政府落实）",
        None,
        {"lead": ["省市场监管局"], "supporting": ["各市、县（市、区）人民政府"]},
        id="lead-then-implementers",
    ),
    pytest.param(
        "（省市场监管局、省发展改革委按职责分工负责，各县（市、区）人民政府）",
        None,
        {"unassigned": ["省市场监管局", "省发展改革委", "各县（市、区）人民政府"]},
        id="uncued-group-after-duty-is-no-lead",
    ),
    pytest.param(
        "（市发展改革委，市有关部门按职责分工负责）",
        None,
        {"unassigned": ["市发展改革委", "市有关部门"]},
        id="uncued-group-before-duty-is-no-lead",
    ),
    pytest.param(
        "（市发展改革委，市财政局配合）",
        None,
        {"lead": ["市发展改革委"], "supporting": ["市财政局"]},
        id="uncued-group-before-supporting-leads",
    ),
    pytest.param(
        "（牵头部门（单位）：省发展改革委；配合部门（单位）：省财政厅）",
        None,
        {"lead": ["省发展改革委"], "supporting": ["省财政厅"]},
        id="labels-with-a-bracketed-alternative",
    ),
    pytest.param(
        "（支持单位：省财政厅；牵头单位：省发展改革委）",
        None,
        {"lead": ["省发展改革委"], "supporting": ["省财政厅"]},
        id="supporting-label-first",
    ),
    pytest.param(
        "（省发展改革委、省财政厅结合实际推进）",
        None,
        {"unassigned": ["省发展改革委", "省财政厅"]},
        id="any-duty-verb-keeps-the-units",
    ),
    pytest.param(
        "（市大数据局负责，下半年）",
        None,
        {"unassigned": ["市大数据局"]},
        id="a-time-slot-without-a-year-keeps-the-units",
    ),
    pytest.param(
        "（市大数据局、市财政局，逐年推进）",
        None,
        {"unassigned": ["市大数据局", "市财政局"]},
        id="an-ongoing-slot-keeps-the-units",
    ),
    pytest.param(
        "（省发展改革委、省财政厅（牵头）、省科技厅）",
        None,
        {"lead": ["省财政厅"], "supporting": ["省发展改革委", "省科技厅"]},
        id="a-bracketed-mark-is-its-own-units",
    ),
    pytest.param(
        "（省发展改革委为牵头单位，省财政厅、省科技厅为配合单位）",
        None,
        {"lead": ["省发展改革委"], "supporting": ["省财政厅", "省科技厅"]},
        id="wei-peihe-danwei",
    ),
    pytest.param(
        "（省发展改革委牵头，省科技厅等省直部门配合）",
        None,
        {"lead": ["省发展改革委"], "supporting": ["省科技厅"]},
        id="deng-shengzhi-bumen",
    ),
    pytest.param(
        "（科技部、中国科学院等有关部门和单位负责）",
        None,
        {"unassigned": ["科技部", "中国科学院"]},
        id="deng-youguan-bumen-he-danwei",
    ),
    pytest.param(
        "（牵头考核单位：市商务局；协同考核单位：市投资促进事务中心、市工业和信息化局）",
        None,
        {"lead": ["市商务局"], "supporting": ["市投资促进事务中心", "市工业和信息化局"]},
        id="xietong-kaohe-danwei",
    ),
    pytest.param(
        "（牵头单位：市生态环境局；牵头市领导：王立新（副市长））",
        None,
        {"lead": ["市生态环境局"]},
        id="qiantou-shi-lingdao-is-a-person",
    ),
    pytest.param(  # an office's second name in brackets: one body, named by its first name
        "（责任单位：区财政局（区国资办）、区发改局）",
        None,
        {"unassigned": ["区财政局", "区发改局"]},
        id="second-name-in-brackets",
    ),
    pytest.param(
        "（市发改委为主，市财政局参与）",
        None,
        {"lead": ["市发改委"], "supporting": ["市财政局"]},
        id="wei-zhu",
    ),
    pytest.param(  # 各区、县级市: one collective of two tiers
        "（市发改委牵头，各区、县级市配合）",
        None,
        {"lead": ["市发改委"], "supporting": ["各区、县级市"]},
        id="qu-xianjishi",
    ),
    pytest.param(  # a person's label first: the units' label after it still names them
        "（责任领导：张三；责任单位：市政府办公室、市大数据局）",
        None,
        {"unassigned": ["市政府办公室", "市大数据局"]},
        id="person-label-first",
    ),
    pytest.param(
        "（牵头领导：李四，牵头单位：市委宣传部，配合单位：市融媒体中心）",
        None,
        {"lead": ["市委宣传部"], "supporting": ["市融媒体中心"]},
        id="lead-person-label",
    ),
]


@pytest.mark.parametrize(("text", "rule", "expected"), CASES)
def test_roles(text: str, rule: RoleRule | None, expected: dict[str, list[str]]) -> None:
    assert roles(text, rule) == expected


def test_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("text", "_rule", "_expected"), CASES)
def test_spans_point_at_names(text: str, _rule, _expected) -> None:
    parse = parse_responsibility(text, base=7)
    padded = "x" * 7 + text
    for unit in parse.units:
        assert unit.span is not None
        assert "".join(padded[unit.span.start : unit.span.end].split()) == unit.name
    if parse.span is not None:
        assert padded[parse.span.start] in "（(〔【[牵配责主协"


def test_rule_note_is_stated_and_not_a_unit() -> None:
    parse = parse_responsibility("（区经济和信息化局，区经济合作局。逗号前为牵头部门，下同）")
    assert parse.rule_stated is not None
    assert parse.rule_stated.kind == "before_first_comma"
    assert parse.rule_stated.note == "逗号前为牵头部门，下同"
    assert parse.rule_stated.carries
    assert all("牵头" not in u.name and "下同" not in u.name for u in parse.units)
    assert parse.rule_applied == "逗号前为牵头部门"


def test_canonical_and_flags_on_mentions() -> None:
    parse = parse_responsibility(
        "〔责任单位：市经济和信息化局；市政府管理局、各县（区）人民政府〕", rule=SEMI
    )
    by_name = {u.name: u for u in parse.units}
    assert by_name["市政府管理局"].flags == (UnitFlag(kind="possible_typo", value="市政务管理局"),)
    assert by_name["市政府管理局"].canonical == "市政府管理局"
    assert by_name["各县（区）人民政府"].canonical == "各县（区）人民政府"


@pytest.mark.parametrize(
    ("doc_text", "kind", "in_bracket"),
    [
        (
            "一、…〔责任单位：市经济和信息化局，各县（区）（逗号前为牵头单位，下同）〕二、…",
            "before_first_comma",
            True,
        ),
        ("〔责任单位：A；B，分号前为牵头单位,下同〕", "before_first_semicolon", True),
        ("附件\n重点任务分工表\n注：列第一位者为牵头单位。\n", "first_listed", False),
        ("排在第一位的部门为牵头部门。", "first_listed", False),
        ("无规则的文件。〔责任单位：市财政局〕", None, None),
    ],
)
def test_detect_role_rule(doc_text: str, kind: str | None, in_bracket: bool | None) -> None:
    rule = detect_role_rule(doc_text)
    if kind is None:
        assert rule is None
    else:
        assert rule is not None and rule.kind == kind and rule.in_bracket == in_bracket


def test_rule_in_force_forward_only_unless_free_standing() -> None:
    from extractors.roles.statements import find_role_rules

    text = (
        "一、甲。〔责任单位：市财政局，市商务局〕"
        "二、乙。〔责任单位：市科技局，市财政局（逗号前为牵头单位，下同）〕三、丙。"
    )
    rules = find_role_rules(text)
    assert rule_in_force(rules, 5) is None
    assert rule_in_force(rules, len(text) - 2) is rules[0]
    footnote = find_role_rules("表格……\n注：列第一位者为牵头单位。")
    assert rule_in_force(footnote, 0) is footnote[0]


def test_unit_list_for_table_cells() -> None:
    cell = parse_unit_list("市财政局、市商务局", base=10, role="supporting")
    assert [(u.name, u.role, u.span.start) for u in cell.units] == [
        ("市财政局", "supporting", 10),
        ("市商务局", "supporting", 15),
    ]
    assert [u.role for u in parse_unit_list("市发展改革委").units] == ["unassigned"]


def test_body_prose_is_not_a_statement() -> None:
    measure = (
        "二、加强链主企业招引培育。链长牵头对全市工业用地进行统筹调剂，对投资大、带动强的“链\n\n主”企业，"
        "“一事一议”招商攻坚。〔责任单位：市经济合作局，各产业链牵头部门、各县（区）、国家钒钛高新区〕"
    )
    spans = find_statements(measure)
    assert len(spans) == 1
    assert measure[spans[0][0]] == "〔"


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("市局委（）()〔〕、，；。：牵头配合负责单位区县各下同逗号前为 \n甲乙")
        ),
        max_size=60,
    )
)
def test_never_crashes_and_spans_hold(text: str) -> None:
    parse = parse_responsibility(text)
    for unit in parse.units:
        assert unit.span is not None
        assert "".join(text[unit.span.start : unit.span.end].split()) == unit.name
        assert unit.name


@pytest.mark.parametrize("note_id", ["note_before_comma", "note_before_semicolon", "note_first_listed"])
def test_text_a_note_matches_holds_the_word_it_needs(note_id: str) -> None:
    """``needs`` is a prefilter: text generated from the note's own pattern must hold it."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from extractors.roles.conventions import role_lexicon
    from extractors.units.names import simplify

    note = next(n for n in role_lexicon().notes if n.id == note_id)
    assert note.needs

    @given(st.from_regex(note.pattern, fullmatch=False))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def check(text: str) -> None:
        assert note.regex.search(simplify(text)) and note.found_in(simplify(text)), text

    check()


def test_a_long_unlabelled_bracket_is_prose_not_a_unit_list() -> None:
    from extractors.roles.statements import find_statements

    short = "加快推进项目建设。（市发展改革委、市财政局）"
    assert find_statements(short) == [(short.index("（"), len(short))]
    long = "加快推进项目建设。（" + "、".join(["市财政局"] * 200) + "）"
    assert find_statements(long) == []


def test_stray_brackets_cost_work_in_proportion_to_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random brackets nest and close pages later; each one's content used to be cut into
    would-be unit lists whole, quadratic in the text. Counted in characters, not timed: twice
    the text may cost about twice the work, not four times."""
    import random

    from extractors.roles import marked
    import extractors.roles.statements as roles

    pool = "（）〔〕：、，。市县区局委办发展改革财政责任单位牵头配合推进建设加快园区企业"
    examined = [0]
    window = marked.masked_window

    def counting(s: str, a: int, b: int) -> str:
        examined[0] += b - a
        return window(s, a, b)

    monkeypatch.setattr(marked, "masked_window", counting)
    work = {}
    for lines in (400, 800):
        rng = random.Random(7)
        text = "\n".join("".join(rng.choice(pool) for _ in range(rng.randrange(20, 80))) for _ in range(lines))
        examined[0] = 0
        roles.find_statements(text)
        work[lines] = examined[0]
    assert work[800] <= 2.5 * work[400], work


def _document_roles(text: str) -> list[dict[str, list[str]]]:
    """Every statement of a document read as the measures extractor reads it: each with the
    rule in force at its position."""
    from extractors.roles.statements import find_role_rules, parse_statement

    rules = find_role_rules(text)
    out = []
    for start, end in find_statements(text):
        parse = parse_statement(text, start, end, rule=rule_in_force(rules, start))
        got: dict[str, list[str]] = {}
        for unit in parse.units:
            got.setdefault(unit.role, []).append(unit.name)
        out.append(got)
    return out


PREAMBLE_NOTE = (
    "为贯彻落实……，制定如下分工方案（列第一位者为牵头单位）。\n"
    "1.加快建设。（省发展改革委、省财政厅负责）\n"
    "2.强化保障。（省科技厅、省教育厅、省人力资源社会保障厅按职责分工负责）\n"
)
FOOTNOTE = (
    "1.加快建设。（市商务局、市财政局负责）\n"
    "2.强化保障。（市科技局、市教育局）\n"
    "注：排在第一位的部门为牵头部门。\n"
)
FIRST_BRACKET_THEN_NEW_RULE = (
    "1.加快建设。（省发展改革委、省财政厅、省科技厅负责，排名第一的为牵头单位，下同）\n"
    "2.强化保障。（省工业和信息化厅、省商务厅负责）\n"
    "3.完善机制。（省大数据局、省通信管理局；省公安厅，分号前为牵头单位，下同）\n"
    "4.营造氛围。（省委宣传部、省委网信办；省文化和旅游厅）\n"
)
COMMA_NOTE = (
    "1.加快建设。（市工业和信息化局，市财政局、市商务局。逗号前为牵头单位，下同）\n"
    "2.强化保障。（市科技局、市教育局，各区县政府）\n"
)
NO_RULE = "1.加快建设。（市商务局、市财政局负责）\n2.强化保障。（市科技局负责）\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            PREAMBLE_NOTE,
            [
                {"lead": ["省发展改革委"], "supporting": ["省财政厅"]},
                {"lead": ["省科技厅"], "supporting": ["省教育厅", "省人力资源社会保障厅"]},
            ],
            id="preamble-note-governs-all",
        ),
        pytest.param(
            FOOTNOTE,
            [
                {"lead": ["市商务局"], "supporting": ["市财政局"]},
                {"lead": ["市科技局"], "supporting": ["市教育局"]},
            ],
            id="footnote-governs-from-the-start",
        ),
        pytest.param(
            FIRST_BRACKET_THEN_NEW_RULE,
            [
                {"lead": ["省发展改革委"], "supporting": ["省财政厅", "省科技厅"]},
                {"lead": ["省工业和信息化厅"], "supporting": ["省商务厅"]},
                {"lead": ["省大数据局", "省通信管理局"], "supporting": ["省公安厅"]},
                {"lead": ["省委宣传部", "省委网信办"], "supporting": ["省文化和旅游厅"]},
            ],
            id="xiatong-carries-to-the-next-rule",
        ),
        pytest.param(
            COMMA_NOTE,
            [
                {"lead": ["市工业和信息化局"], "supporting": ["市财政局", "市商务局"]},
                {"lead": ["市科技局", "市教育局"], "supporting": ["各区县政府"]},
            ],
            id="comma-note-carried",
        ),
        pytest.param(
            NO_RULE,
            [{"unassigned": ["市商务局", "市财政局"]}, {"unassigned": ["市科技局"]}],
            id="no-rule-no-lead",
        ),
    ],
)
def test_conventions_across_a_document(text: str, expected: list[dict[str, list[str]]]) -> None:
    assert _document_roles(text) == expected


@pytest.mark.parametrize(
    ("cell", "column", "header", "expected"),
    [
        ("市市场监管局", "neutral", {"lead", "neutral"}, ["supporting"]),
        ("市市场监管局、市财政局", "neutral", {"lead", "neutral", "stop"}, ["supporting", "supporting"]),
        ("市市场监管局", "neutral", {"neutral"}, ["unassigned"]),
        ("市商务局", "neutral", {"neutral", "supporting"}, ["lead"]),
        ("市商务局、市财政局", "lead", {"lead", "neutral"}, ["lead", "lead"]),
        ("市财政局", "supporting", {"lead", "supporting"}, ["supporting"]),
        ("市商务局牵头，市财政局配合", "neutral", {"neutral"}, ["lead", "supporting"]),
    ],
)
def test_table_cell_roles_come_from_the_header(
    cell: str, column: str, header: set[str], expected: list[str]
) -> None:
    parse = parse_unit_list(cell, role=column, header=frozenset(header))  # type: ignore[arg-type]
    assert [u.role for u in parse.units] == expected


# --------------------------------------------------------------------------------------------
# Responsibility stated in sentences (国务院 / 部委 documents, 办法, notices without brackets).
# Sentences from the real documents of ../shared/realdocs, shortened.

SENTENCE_CASES = [
    pytest.param(
        "（五）做好督导总结宣传。国家卫生健康委要会同相关部门，按照职责分工加强对各地的指导和监督。",
        [{"lead": ["国家卫生健康委"]}],
        id="huitong-leads-vague-partner-left-out",
    ),
    pytest.param(
        "（二）统一编码和术语集。2019年3月底前，国家卫生健康委推行全国统一的疾病分类编码。"
        "国家中医药局印发全国统一的中医病证分类与代码。2019年8月底前，各地组织三级公立医院完成编码转换。",
        [{"unassigned": ["国家卫生健康委"]}, {"unassigned": ["国家中医药局"]}],
        id="after-a-deadline-subject-verb",
    ),
    pytest.param(
        "（二）省级年度考核。各省份于2019年11月底前完成对辖区内三级公立医院绩效考核工作，并报送国家卫生健康委。",
        [{"unassigned": ["各省份"]}],
        id="subject-yu-date-recipient-not-a-unit",
    ),
    pytest.param(
        "（四）发挥智库作用，助力行业治理。中国信息通信研\n究院、中国互联网协会要牵头设立数字技术适老化专家咨询\n委员会。",
        [{"lead": ["中国信息通信研究院", "中国互联网协会"]}],
        id="yao-qiantou-across-a-pdf-line-break",
    ),
    pytest.param(
        "（一）加强组织领导。加强工作协同。行政监管部门要牵头抓总，统筹推进“两库”建设。"
        "信息化建设部门要做好系统建设、数据支撑。经办机构要用好智能监管子系统开展智能审核。",
        [{"lead": ["行政监管部门"]}, {"supporting": ["信息化建设部门"]}, {"supporting": ["经办机构"]}],
        id="one-leads-the-others-of-its-paragraph-support",
    ),
    pytest.param(  # 会同 leads its partner, not the other sentences of the paragraph
        "（一）加强统筹。各市州要按季报送进展；省发展改革委会同省财政厅于12月底前完成评估。",
        [{"unassigned": ["各市州"]}, {"lead": ["省发展改革委"], "supporting": ["省财政厅"]}],
        id="huitong-leads-its-partner-only",
    ),
    pytest.param(  # a collective with several tiers in its bracket; 于每年…前, 委托…开展 charge their subjects
        "第六条　考核。各乡镇（区、街道）要建立服务专员制度。第七条　评估。县营商办委托第三方机构开展满意度调查。"
        "第十条　自评。各乡镇（区、街道）于每年11月底前完成自查自评。",
        [{"unassigned": ["各乡镇（区、街道）"]}, {"unassigned": ["县营商办"]}, {"unassigned": ["各乡镇（区、街道）"]}],
        id="tiers-in-a-bracket-and-more-predicates",
    ),
    pytest.param(  # a bare heading's title never runs into the subject of the line below it
        "五、工作要求\n区财政局要加强资金保障。",
        [{"unassigned": ["区财政局"]}],
        id="a-heading-title-is-no-subject",
    ),
    pytest.param(
        "5.深化平台应用。由市数据局、市工业和信息化局共同牵头，市通信管理办公室配合。",
        [{"lead": ["市数据局", "市工业和信息化局"], "supporting": ["市通信管理办公室"]}],
        id="gongtong-qiantou-in-a-sentence",
    ),
    pytest.param(
        "（四）科研单位要健全完善内部管理制度。项目管理专业机构不再承担有关事项，"
        "请科技部、工业和信息化部、农业农村部、卫生健康委等部门在2019年2月底前完成。",
        [{"unassigned": ["科技部", "工业和信息化部", "农业农村部", "卫生健康委"]}],
        id="qing-after-a-comma-deng-bumen",
    ),
    pytest.param(
        "（二）建立数据质量反馈机制。北京市经济和信息化局会同专区监管部门、数据提供部门和运营单位建立数据质量反馈机制。",
        # the zone's operator is charged by the text (eval/gold/realdocs 28): it supports like the organs
        [{"lead": ["北京市经济和信息化局"], "supporting": ["专区监管部门", "数据提供部门", "运营单位"]}],
        id="huitong-partners-support-operator-too",
    ),
    pytest.param(
        "（四）做好宣传。工作方案由北京市经济和信息化局负责组织实施。",
        [{"unassigned": ["北京市经济和信息化局"]}],
        id="you-a-fuze",
    ),
    pytest.param(
        "（十四）加强组织领导。各省（区、市）人民政府要高度重视本地区消费扶贫工作，制定配套政策。",
        [{"unassigned": ["各省（区、市）人民政府"]}],
        id="bracket-inside-a-name",
    ),
    pytest.param(
        "第九条　省公共数据主管部门应当会同有关部门，根据国家有关要求，制定公共数据分类分级规则。",
        [{"lead": ["省公共数据主管部门"]}],
        id="article-number-not-in-the-name",
    ),
    pytest.param(
        "（一）全覆盖审核。对直接结算的异地就医实行就医地管理，就医地经办机构负责审核在本辖区发生的异地就医费用。",
        [{"unassigned": ["就医地经办机构"]}],
        id="after-a-comma-before-fuze",
    ),
    pytest.param(
        "（一）组织领导。依托部际联席会议，科技部会同有关部门负责推进重大科技项目实施。",
        [{"lead": ["科技部"]}],
        id="after-a-comma-before-huitong",
    ),
    pytest.param(
        "第六条　州人民政府授权州数据资源主管部门负责统筹全州政务数据资源管理工作。",
        [{"unassigned": ["州数据资源主管部门"]}],
        id="shouquan-the-authorised-body-is-charged",
    ),
    pytest.param(
        "第二十三条　州、县（市）数据资源主管部门具体负责统筹协调数据共享工作。",
        [{"unassigned": ["州数据资源主管部门", "县（市）数据资源主管部门"]}],
        id="adverb-before-fuze",
    ),
    pytest.param(
        "第二十九条　不能形成一致意见的，由本级数据资源主管部门会同有关政务部门协调处理。",
        [{"lead": ["本级数据资源主管部门"], "supporting": ["有关政务部门"]}],
        id="benji-is-a-name",
    ),
    pytest.param(
        "（一）规范运营。运营单位负责专区日常运营和安全管理。",
        [{"unassigned": ["运营单位"]}],
        id="danwei-is-a-body",
    ),
    pytest.param(
        "第三条　省人民政府政务服务数据管理局（以下简称省政务数据局）负责统筹全省公共数据管理工作。",
        [{"unassigned": ["省人民政府政务服务数据管理局"]}],
        id="short-form-bracket-after-the-subject",
    ),
    pytest.param(
        "第六条　省政务数据局是本省公共数据主管部门，负责推进公共数据共享开放。",
        [{"unassigned": ["省政务数据局"]}],
        id="designated-as-the-competent-department",
    ),
    pytest.param(
        "（三）完善价格机制。国家发展改革委负责指导各地完善价格形成机制，市场监管总局配合。",
        [{"lead": ["国家发展改革委"], "supporting": ["市场监管总局"]}],
        id="charged-subject-beside-a-closing-peihe",
    ),
    pytest.param(
        "（四）加强人才培养。教育部、人力资源社会保障部按职责分工负责推进人才培养。",
        [{"unassigned": ["教育部", "人力资源社会保障部"]}],
        id="subject-then-an-zhize-fengong-fuze",
    ),
    pytest.param(
        "二、组织实施\n地方各级人民政府要高度重视养老托育工作。",
        [{"unassigned": ["地方各级人民政府"]}],
        id="local-governments-at-every-level-are-a-body",
    ),
    pytest.param(
        "（二）措施二。由省发展改革委统筹，省财政厅、省科技厅具体实施。",
        [{"unassigned": ["省发展改革委"]}, {"unassigned": ["省财政厅", "省科技厅"]}],
        id="by-a-then-b-c-carry-out",
    ),
    pytest.param(
        "（六）措施六。省卫生健康委牵头建立工作机制，省医保局、省药监局参与。",
        [{"lead": ["省卫生健康委"], "supporting": ["省医保局", "省药监局"]}],
        id="lead-then-a-closing-canyu",
    ),
    pytest.param(
        "（十）措施十。省公安厅依法打击网络犯罪，省法院、省检察院依法惩治。",
        [{"unassigned": ["省公安厅"]}, {"unassigned": ["省法院", "省检察院"]}],
        id="yifa-is-a-duty",
    ),
    pytest.param(
        "（五）措施五。各市人民政府是本行政区域工作的责任主体，要制定具体方案。",
        [{"unassigned": ["各市人民政府"]}],
        id="named-the-responsible-subject",
    ),
    pytest.param(
        "（一）加强事后监管。事后监管由医保行政部门、基金监管专职机构、经办机构等对费用进行核查。",
        [{"unassigned": ["医保行政部门", "基金监管专职机构", "经办机构"]}],
        id="by-a-b-c-deng-dui",
    ),
    pytest.param(
        "（二）加强协调。省发展改革委、省财政厅等要加强协调。",
        [{"unassigned": ["省发展改革委", "省财政厅"]}],
        id="subject-list-closed-by-deng",
    ),
    pytest.param(
        "（一）加强组织领导。北京市大数据工作推进小组负责总体指导，北京市大数据工作推进小组办公室负责组织推进。",
        [{"unassigned": ["北京市大数据工作推进小组"]}, {"unassigned": ["北京市大数据工作推进小组办公室"]}],
        id="a-verb-inside-a-groups-name",
    ),
    pytest.param(
        "（二）明确职责。运营单位作为专区运营主体，负责数据专区的建设运营。",
        [{"unassigned": ["运营单位"]}],
        id="zuowei-apposition-then-duty",
    ),
    pytest.param(
        "（五）加强组织领导。地方各级人民政府要将养老托育服务纳入规划，\n国家发展改革委要加强统筹协调，"
        "民政部、国家卫生健康委等部门按职责分工做好相关\n工作。",
        [{"unassigned": ["地方各级人民政府"]}, {"unassigned": ["国家发展改革委"]},
         {"unassigned": ["民政部", "国家卫生健康委"]}],
        id="after-a-comma-a-body-with-yao-or-by-its-duties",
    ),
    pytest.param(
        "1.推进公转铁。由县公安局牵头，县发改局、县农业农村局配合，各乡镇人民政府、街道办事处抓好落实。",
        [{"lead": ["县公安局"], "supporting": ["县发改局", "县农业农村局"]},
         {"supporting": ["各乡镇人民政府", "街道办事处"]}],
        id="after-a-lead-and-its-supporters-the-bodies-that-carry-it-out-support",
    ),
    pytest.param(
        "11.提升医疗服务。县卫生健康局负责，县医保分局配合，年底前实现县域就诊率达到90%以上。",
        [{"lead": ["县卫生健康局"], "supporting": ["县医保分局"]}],
        id="fuze-then-peihe-then-more-of-the-sentence",
    ),
    pytest.param(
        "3.加强培训。此项工作由县人力社保局负责，各乡镇人民政府、街道办事处做好组织动员。",
        [{"unassigned": ["县人力社保局"]}, {"unassigned": ["各乡镇人民政府", "街道办事处"]}],
        id="after-a-comma-zuohao",
    ),
    pytest.param(
        "（十五）加强协作。国家发展改革委负责指导，加强配合，推动落实。",
        [{"unassigned": ["国家发展改革委"]}],
        id="peihe-without-bodies-before-it-makes-no-lead",
    ),
    pytest.param(
        "（五）完善规则。交通运输部、国家铁路局、中国国家铁路集团有限公司要在2025年底前完善服务规则。",
        [{"unassigned": ["交通运输部", "国家铁路局", "中国国家铁路集团有限公司"]}],
        id="a-named-company-is-a-subject",
    ),
    pytest.param(
        "（十七）加强组织领导。建立由国家发展改革委牵头，交通运输部、商务部等部门参加的部际协调机制。",
        [{"lead": ["国家发展改革委"], "supporting": ["交通运输部", "商务部"]}],
        id="canjia-supports",
    ),
    pytest.param(
        "(二)赋予权限。省级、地市级医保部门要加强规则管理。",
        [{"unassigned": ["省级医保部门", "地市级医保部门"]}],
        id="levels-that-share-one-body-word",
    ),
    pytest.param(
        "三)科学设置指标阈值。各统筹地区医保部门要根据本地实际设置阈值。",
        [{"unassigned": ["各统筹地区医保部门"]}],
        id="tongchou-diqu-is-a-noun",
    ),
    pytest.param(
        "（一）加强组织领导。成立工作领导小组，由分管副市长担任组长。领导小组办公室设在市发展改革委，负责日常协调推进工作。",
        [{"unassigned": ["领导小组办公室"]}],
        id="an-office-seated-in-a-body-is-charged",
    ),
    pytest.param(
        "3.完善配送体系。市交通运输局负责，市邮政管理局、市商务局按职责配合，各县（市）、区交通运输部门抓好落实。",
        [{"lead": ["市交通运输局"], "supporting": ["市邮政管理局", "市商务局"]},
         {"supporting": ["各县（市）、区交通运输部门"]}],
        id="fuze-then-peihe-by-duties-then-the-bodies-that-carry-it-out",
    ),
    pytest.param(
        "（十三）推进智慧消防。区城市运行管理中心负责平台建设，区消防救援支队配合做好数据应用。",
        [{"lead": ["区城市运行管理中心"], "supporting": ["区消防救援支队"]}],
        id="a-centre-and-a-detachment-are-bodies",
    ),
    pytest.param(
        "（十二）深化改革。由省供销社负责组织实施，省财政厅、省农业农村厅给予支持，2024年底前完成。",
        [{"lead": ["省供销社"], "supporting": ["省财政厅", "省农业农村厅"]}],
        id="geiyu-zhichi-supports",
    ),
    pytest.param(
        "14.推进冷链下乡。省供销社、省邮政管理局要发挥系统网络优势。",
        [{"unassigned": ["省供销社", "省邮政管理局"]}],
        id="a-supply-cooperative-is-a-body",
    ),
    pytest.param(
        "五、组织保障。区政务服务局要会同区委督查室、区政府督查室建立工作台账。",
        [{"lead": ["区政务服务局"], "supporting": ["区委督查室", "区政府督查室"]}],
        id="inspection-offices-are-bodies",
    ),
    pytest.param(
        "三、强化支撑。一是省级科技管理部门要组织科研院所开放实验室；二是各省级科协要开展科普活动。",
        [{"unassigned": ["省级科技管理部门"]}, {"unassigned": ["各省级科协"]}],
        id="yishi-ershi-before-the-subject",
    ),
    pytest.param(
        "（九）推进改造。各区人民政府是居家适老化改造的责任主体，市民政局、市住房城乡建设委加强统筹指导。",
        [{"unassigned": ["各区人民政府"]}, {"unassigned": ["市民政局", "市住房城乡建设委"]}],
        id="the-body-responsible-and-bodies-that-guide-after-a-comma",
    ),
    pytest.param(
        "（九）开展示范。示范县的遴选工作由商务部（流通发展司）牵头，财政部（经济建设司）、农业农村部（市场与信息化司）配合。",
        [{"lead": ["商务部（流通发展司）"], "supporting": ["财政部（经济建设司）", "农业农村部（市场与信息化司）"]}],
        id="a-ministry-with-its-department-in-brackets",
    ),
    pytest.param(
        "（四）强化督促考核。将建设情况纳入绩效考核内容，市民政局每年3月底前对上一年度工作情况进行评估。",
        [{"unassigned": ["市民政局"]}],
        id="after-a-comma-a-body-with-a-yearly-date",
    ),
    pytest.param(
        "（五）做好宣传推广。各地要及时总结推广典型经验，商务部将择优编印典型案例集。",
        [{"unassigned": ["商务部"]}],
        id="after-a-comma-a-body-that-jiang",
    ),
    pytest.param(
        "（一）市发展改革委：负责统筹协调。\n（二）市经信局：负责牵头推进化工产业转型升级工作。\n"
        "（三）市财政局：负责统筹安排产业引导资金，会同相关部门制定资金管理办法。",
        [{"unassigned": ["市发展改革委"]}, {"lead": ["市经信局"]}, {"lead": ["市财政局"]}],
        id="a-duty-list-item-that-leads-and-the-line-before-it-that-does-not",
    ),
    pytest.param(
        "六、加强监管\n省水利厅要加强监管。\n七、强化资金保障\n省财政厅要会同省水利厅统筹水利发展资金。",
        [{"unassigned": ["省水利厅"]}, {"lead": ["省财政厅"], "supporting": ["省水利厅"]}],
        id="a-bare-heading-after-a-full-stop-never-joins-the-subject-below",
    ),
    pytest.param(
        "（十三）推进园区改造。到2027年，省级以上化工园区全部完成减污降碳协同改造评估。",
        [],
        id="quanbu-ends-no-body",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_sentence_statements(text: str, expected: list[dict[str, list[str]]]) -> None:
    assert [r for r in _document_roles(text) if r] == expected


MENTIONED_ONLY = [
    pytest.param("（一）加快发展。支持市科技局建设创新平台，鼓励各市开展试点。", id="zhichi-guli"),
    pytest.param("（二）强化支撑。充分发挥省委科技委员会作用，联合有关协会开展评选。", id="fahui-lianhe"),
    pytest.param("（三）规范管理。经市人民政府批准后实施，有关情况向国务院报告。", id="jing-xiang"),
    pytest.param("（四）推广标准。市市场监管局发布的标准要加快推广。", id="attributive-de"),
    pytest.param("（五）扩大应用。企业要加强数据管理，龙头企业要发挥带动作用，各高校要开设课程。", id="supported-actors"),
    pytest.param("（六）形成合力。各地、各有关部门要把考核作为重要抓手。", id="vague-collectives"),
    pytest.param("（七）推进上云。本标准适用于机构开展智能制造的研究和实施。", id="clause-not-a-name"),
    pytest.param("（八）数据共享。由于市场变化，由此产生的费用自理。", id="youyu-youci"),
    pytest.param("（九）配套建设。各省 区、市）\n工业和信息化主管部门、通信管理局要依托联席会议机制。", id="garbled-bracket"),
    pytest.param("（十）推广应用。加快推进工业互联网平台建设，支持\n市科技局建设公共服务平台。", id="pdf-line-start-is-no-clause"),
    pytest.param("（十一）加快建设。完善平台功能，市科技局建设公共服务平台。", id="after-a-comma-no-duty-word"),
    pytest.param("（十四）加强宣传。通过多种渠道宣传，引导企业要求提升服务。", id="after-a-comma-yaoqiu-is-no-duty"),
    pytest.param("二、分区施策。东北地区要推广秸秆还田，粮食主产区要提高利用率。", id="regions-are-no-bodies"),
    pytest.param("（二）建设平台。加快建设市大数据中心，数据中心要加强安全防护。", id="a-data-centre-is-a-thing"),
    pytest.param("（六）加大支持。对认定的企业给予奖励，每区县每年支持不超过3家。", id="each-district-is-no-subject"),
    pytest.param("（四）完善设施。老旧小区要补齐托育设施，城乡社区要提供场地，托育服务机构要规范管理。",
                 id="housing-estates-communities-and-service-providers-are-no-bodies"),
    pytest.param("（十二）统筹维护。主题数据库按照主题分类，确定牵头部门负责统筹维护。", id="placeholder-not-a-body"),
    pytest.param("（十三）培育生态。同时，专区应积极吸纳多元合作方。数据专区应建立备案制度。", id="a-zone-is-no-place"),
]


@pytest.mark.parametrize("text", MENTIONED_ONLY)
def test_units_merely_mentioned_are_not_assigned(text: str) -> None:
    assert [r for r in _document_roles(text) if r] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "一、发展现状\n（一）发展基础。近年来，省工业和信息化厅组织开展试点示范。\n二、重点任务\n"
            "（一）推进试点。省工业和信息化厅要组织开展试点示范。\n",
            [{"unassigned": ["省工业和信息化厅"]}],
            id="not-in-a-situation-section",
        ),
        pytest.param(
            "四、考核程序\n2020年起，每年2月底前各省份完成考核工作。\n（一）医院自查。各三级公立医院对照指标完成自评。\n"
            "（二）省级考核。各省份于2019年11月底前完成考核工作。\n",
            [{"unassigned": ["各三级公立医院"]}, {"unassigned": ["各省份"]}],
            id="not-in-the-introduction-of-a-grouping-heading",
        ),
        pytest.param(
            "三十、实行“免督查”。（国务院办公厅负责）\n各有关部门要认真组织实施。国务院办公厅将会同有关方面统筹组织开展督查激励工作。\n",
            [{"unassigned": ["国务院办公厅"]}],
            id="not-in-the-closing-after-a-bracket",
        ),
        pytest.param(
            "二、重点任务\n1.推进上云。（责任单位：市经济和信息化局）\n2.加强人才。（责任单位：市人力资源社会保障局）\n"
            "三、保障措施\n（一）加强组织领导。各县（区）政府要落实属地责任。\n",
            [{"unassigned": ["市经济和信息化局"]}, {"unassigned": ["市人力资源社会保障局"]}],
            id="not-a-guarantee-item-of-a-bracketed-document",
        ),
        pytest.param(
            "二、重点任务\n1.推进上云。（责任单位：市经济和信息化局）\n2.加强人才。（责任单位：市人力资源社会保障局）\n"
            "三、组织实施\n（一）加强统筹。市商务局要会同市财政局建立协调机制。\n"
            "（二）压实责任。各县（区）政府要制定实施方案，于2024年12月底前报市商务局备案。\n",
            [{"unassigned": ["市经济和信息化局"]}, {"unassigned": ["市人力资源社会保障局"]},
             {"lead": ["市商务局"], "supporting": ["市财政局"]}, {"unassigned": ["各县（区）政府"]}],
            id="a-guarantee-item-that-leads-or-sets-a-date-is-a-measure",
        ),
        pytest.param(
            "二、重点任务\n1.推进上云。（责任单位：市经济和信息化局）\n2.加强人才。（责任单位：市人力资源社会保障局）\n"
            "三、保障措施\n17.加强统筹协调。省商务厅要会同各有关部门建立协调机制；各市县人民政府要落实属地责任。"
            "省财政厅要统筹用好专项资金。\n",
            [{"unassigned": ["市经济和信息化局"]}, {"unassigned": ["市人力资源社会保障局"]},
             {"lead": ["省商务厅"]}, {"unassigned": ["各市县人民政府"]}, {"unassigned": ["省财政厅"]}],
            id="a-guarantee-item-charged-in-earnest-keeps-all-its-sentences",
        ),
        pytest.param(
            "二、重点任务\n1.推动先行。各省、自治区、直辖市及计划单列市、新疆生产建设兵团中小企业主管部门要指导试点城市制定方案。\n"
            "2.加大金融支持。国家发展改革委、工业和信息化部按职责分工，推动项目纳入支持范围。\n",
            [{"unassigned": ["各省、自治区、直辖市及计划单列市、新疆生产建设兵团中小企业主管部门"]},
             {"unassigned": ["国家发展改革委", "工业和信息化部"]}],
            id="the-provinces-as-one-collective-and-a-duty-by-division",
        ),
        pytest.param(
            "二、重点任务\n1.推进上云。（责任单位：市经济和信息化局）\n2.加强人才。各县（区）政府要落实属地责任。（责任单位：市人力资源社会保障局）\n",
            [{"unassigned": ["市经济和信息化局"]}, {"unassigned": ["各县（区）政府"]}, {"unassigned": ["市人力资源社会保障局"]}],
            id="beside-a-bracket-in-a-task-section",
        ),
        pytest.param(
            "附件\n典型经验做法\n1.北京市西城区推进紧密型医联体建设。\n",
            [],
            id="not-in-an-attachment-of-examples",
        ),
    ],
)
def test_where_sentences_assign_measures(text: str, expected: list[dict[str, list[str]]]) -> None:
    assert [r for r in _document_roles(text) if r] == expected


def test_a_sentence_statement_never_bounds_its_measure() -> None:
    """Units keep their spans; the statement has none, so a measure is not cut at its sentence."""
    text = "（一）加强统筹。国家医保局将定期调度各地情况。\n每年选取30-50个统筹地区作为示范。"
    (span,) = find_statements(text)
    parse = parse_responsibility(text)
    assert span[0] == text.index("国家医保局") and parse.span is None
    (unit,) = parse.units
    assert unit.span is not None and text[unit.span.start : unit.span.end] == "国家医保局"


@pytest.mark.parametrize(("written", "units"), [
    ("州、县（市）人民政府", ["州人民政府", "县（市）人民政府"]),
    ("省、市、县人民政府", ["省人民政府", "市人民政府", "县人民政府"]),
    ("市、区两级财政部门", ["市财政部门", "区财政部门"]),
    ("市发展改革委、市财政局", ["市发展改革委", "市财政局"]),
    ("各区、市政府", ["各区、市政府"]),  # one collective, not two tiers
    ("济南、青岛、烟台市政府", ["济南市政府", "青岛市政府", "烟台市政府"]),  # places sharing one
    ("省商务厅、青岛市政府", ["省商务厅", "青岛市政府"]),
])
def test_tiers_that_share_one_body_word_are_each_a_unit(written: str, units: list[str]) -> None:
    from extractors.roles.assign import parse_unit_list

    parse = parse_unit_list(written, base=10)
    assert [u.name for u in parse.units] == units
    for u in parse.units:  # provenance: where the unit's own tier is written
        assert written[u.span.start - 10 : u.span.end - 10] in u.name
