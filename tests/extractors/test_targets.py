"""Targets as typed claims: table tests on real sentences (the corpus and similar documents)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.targets.claims import ClauseContext, read_paragraph, split_subject
from extractors.targets.lexicon import compact

PLAN = ClauseContext(doc_date=dt.date(2022, 4, 21), doc_year=2022)  # a 2021—2025 plan
NOTICE = ClauseContext(doc_year=2025)  # undated 通知 of early 2025
TARGETS = ClauseContext(doc_date=dt.date(2022, 4, 21), doc_year=2022, target_section=True)
NONE = ClauseContext()  # a measure of an undated action plan: no year, no 目标 section

N = None


def row(quote, comparator, value, unit, year, indicator=None, value_max=None):
    return (quote, comparator, None if value is None else Decimal(value), None if value_max is None else Decimal(value_max),
            unit, year, indicator)


# (text, context, expected rows: quote, comparator, value, unit, year, indicator, value_max)
CASES = [
    # pzh-2025-yuanqu-tizhi-tongzhi, 第一阶段
    ("到2025年底，完成全市园区优化整合。新增省级开发区3个，形成千亿级园区2个、200亿级园区3个、100亿级园区1个。", NOTICE, [
        row("新增省级开发区3个", "eq", "3", "个", 2025, "新增省级开发区"),
        row("形成千亿级园区2个", "eq", "2", "个", 2025, "千亿级园区"),
        row("200亿级园区3个", "eq", "3", "个", 2025, "200亿级园区"),
        row("100亿级园区1个", "eq", "1", "个", 2025, "100亿级园区"),
    ]),
    ("到2025年底，园区“四上企业”达到650户以上，高新技术企业达到80家，园区亩均营业收入增长7.5%，进出口实绩企业达到40户以上，跨境电商实现零突破。", NOTICE, [
        row("园区“四上企业”达到650户以上", "ge", "650", "户", 2025, "“四上企业”"),
        row("高新技术企业达到80家", "eq", "80", "家", 2025, "高新技术企业"),
        row("园区亩均营业收入增长7.5%", "increase_by", "7.5", "%", 2025, "亩均营业收入"),
        row("进出口实绩企业达到40户以上", "ge", "40", "户", 2025, "进出口实绩企业"),
        row("跨境电商实现零突破", "qualitative", None, None, 2025, "跨境电商"),
    ]),
    ("到2025年底，形成产业布局。省级化工园区安全风险等级升级为较低风险等级。", NOTICE, [
        row("省级化工园区安全风险等级升级为较低风险等级", "qualitative", None, None, 2025, "安全风险等级"),
    ]),
    ("到2027年，园区“四上企业”达到750户，高新技术企业达到95家以上，园区亩均营业收入年均增长8%以上，进出口实绩企业达到60户以上。", NOTICE, [
        row("园区“四上企业”达到750户", "eq", "750", "户", 2027),
        row("高新技术企业达到95家以上", "ge", "95", "家", 2027),
        row("园区亩均营业收入年均增长8%以上", "increase_by", "8", "%", 2027),
        row("进出口实绩企业达到60户以上", "ge", "60", "户", 2027),
    ]),
    ("到2029年，建成2000亿级园区1个、1500亿级园区1个，“四上企业”达到900户。", NOTICE, [
        row("建成2000亿级园区1个", "eq", "1", "个", 2029, "2000亿级园区"),
        row("1500亿级园区1个", "eq", "1", "个", 2029, "1500亿级园区"),
        row("“四上企业”达到900户", "eq", "900", "户", 2029, "“四上企业”"),
    ]),
    ("原则上每个园区的主导产业不超过3个（开发区整合化工园区的，开发区和化工园区主导产业各不超过3个）。", NOTICE, [
        row("每个园区的主导产业不超过3个", "le", "3", "个", N, "主导产业"),
        row("开发区和化工园区主导产业各不超过3个", "le", "3", "个", N, "主导产业"),
    ]),
    ("确保钒钛化工园区、格里坪化工园区2025年安全等级由一般风险等级（C级）升级为较低风险等级（D级）。", NOTICE, [
        row("钒钛化工园区、格里坪化工园区2025年安全等级由一般风险等级（C级）升级为较低风险等级", "qualitative", None, None, 2025, "安全等级"),
    ]),
    # dongqu-2023-chengzai-fangan, 发展目标
    ("力争到 2025 年，园区工业总产值达到 1200 亿元，规上工业企业突破 90 户。", PLAN, [
        row("园区工业总产值达到 1200 亿元", "eq", "1200", "亿元", 2025, "工业总产值"),
        row("规上工业企业突破 90 户", "ge", "90", "户", 2025, "规上工业企业"),
    ]),
    ("力争到 2025 年，园区工业总产值达到 1200 亿元。高新技术产业快速发展，力争国家高新技术企业有效数量达 28 家，高新技术产业主营业务收入达到 285 亿元，科技型中小企业认定入库 45 家。", PLAN, [
        row("园区工业总产值达到 1200 亿元", "eq", "1200", "亿元", 2025),
        row("国家高新技术企业有效数量达 28 家", "eq", "28", "家", 2025, "国家高新技术企业有效数量"),
        row("高新技术产业主营业务收入达到 285 亿元", "eq", "285", "亿元", 2025),
        row("科技型中小企业认定入库 45 家", "eq", "45", "家", 2025, "科技型中小企业认定入库"),
    ]),
    ("到 2025 年，园区基础设施建设基本实现“七通一平”，园区规上亩均营业收入年均增长 5%，规上亩均投资强度逐年增长，规上亩均税收持续提升，工业固废处置率达到 70%。", PLAN, [
        row("园区基础设施建设基本实现“七通一平”", "qualitative", None, None, 2025, "基础设施建设"),
        row("园区规上亩均营业收入年均增长 5%", "increase_by", "5", "%", 2025, "规上亩均营业收入"),
        row("规上亩均投资强度逐年增长", "qualitative", None, None, 2025, "规上亩均投资强度"),
        row("规上亩均税收持续提升", "qualitative", None, None, 2025, "规上亩均税收"),
        row("工业固废处置率达到 70%", "eq", "70", "%", 2025, "工业固废处置率"),
    ]),
    ("检维修施工方面，保持整洁。争取到 2025 年园区规上工业企业文明形象全部达标。", PLAN, [
        row("园区规上工业企业文明形象全部达标", "qualitative", None, None, 2025, "规上工业企业文明形象"),
    ]),
    ("加强与国内高校院所开展产学研合作，力争达成产学研合作项目 2 个。", PLAN, [
        row("达成产学研合作项目 2 个", "eq", "2", "个", N, "产学研合作项目"),
    ]),
    # pzh-2022-yuanqu-guihua (PDF text: hard line breaks inside words and figures)
    ("到 2025年，攀枝花东区高新技术产业园区工\n\n业产值达到 900亿元。", PLAN, [
        row("攀枝花东区高新技术产业园区工\n\n业产值达到 900亿元", "eq", "900", "亿元", 2025, "工业产值"),
    ]),
    ("全市工业园区规上工业总产值达到 2500亿元以上，工\n 业园区规上亩均营业收入年均增长 4%，规上亩均投资强度年均增\n长 5—10%，规上亩均税收持续提升。", TARGETS, [
        row("全市工业园区规上工业总产值达到 2500亿元以上", "ge", "2500", "亿元", N, "规上工业总产值"),
        row("工\n 业园区规上亩均营业收入年均增长 4%", "increase_by", "4", "%", N, "规上亩均营业收入"),
        row("规上亩均投资强度年均增\n长 5—10%", "increase_by", "5", "%", N, "规上亩均投资强度", "10"),
        row("规上亩均税收持续提升", "qualitative", None, None, N, "规上亩均税收"),
    ]),
    ("力争到 2025年，全市园区年产铁精矿 3000万吨、钛精矿 600万吨、硫钴精矿 7\n万吨。", PLAN, [
        row("全市园区年产铁精矿 3000万吨", "eq", "3000", "万吨", 2025, "年产铁精矿"),
        row("钛精矿 600万吨", "eq", "600", "万吨", 2025, "钛精矿"),
        row("硫钴精矿 7\n万吨", "eq", "7", "万吨", 2025, "硫钴精矿"),
    ]),
    ("力争到 2025年，园区实现钢铁冶炼 840万吨，钛渣冶炼产能 115万吨。", PLAN, [
        row("园区实现钢铁冶炼 840万吨", "eq", "840", "万吨", 2025, "钢铁冶炼"),
        row("钛渣冶炼产能 115万吨", "eq", "115", "万吨", 2025, "钛渣冶炼产能"),
    ]),
    ("力争到 2025年，园区钢材产量提升至 640万吨。", PLAN, [row("园区钢材产量提升至 640万吨", "eq", "640", "万吨", 2025, "钢材产量")]),
    ("力争到 2025年，园区钒制品产能达到（折合 V2O5）7万吨，钒合金产能达到 4万吨；海绵钛及钛锭产能 20万吨，钛粉及钛材 2万吨。", PLAN, [
        row("园区钒制品产能达到（折合 V2O5）7万吨", "eq", "7", "万吨", 2025, "钒制品产能"),
        row("钒合金产能达到 4万吨", "eq", "4", "万吨", 2025, "钒合金产能"),
        row("海绵钛及钛锭产能 20万吨", "eq", "20", "万吨", 2025, "海绵钛及钛锭产能"),
        row("钛粉及钛材 2万吨", "eq", "2", "万吨", 2025, "钛粉及钛材"),
    ]),
    ("力争到 2025年，园区焦炭产量提升至 600万吨，焦炉煤气达到 20亿 m3。", PLAN, [
        row("园区焦炭产量提升至 600万吨", "eq", "600", "万吨", 2025),
        row("焦炉煤气达到 20亿 m3", "eq", "20", "亿m3", 2025, "焦炉煤气"),
    ]),
    ("到 2025年，园区特色优势产业产值达到 1100亿元，其中，新能源产业、机械制造产业、绿色化工及建材产业产值分别达到 100亿元、300亿元、700亿元。", PLAN, [
        row("园区特色优势产业产值达到 1100亿元", "eq", "1100", "亿元", 2025, "特色优势产业产值"),
        row("新能源产业、机械制造产业、绿色化工及建材产业产值分别达到 100亿元", "eq", "100", "亿元", 2025, "新能源产业产值"),
        row("300亿元", "eq", "300", "亿元", 2025, "机械制造产业产值"),
        row("700亿元", "eq", "700", "亿元", 2025, "绿色化工及建材产业产值"),
    ]),
    ("到 2025年，攀枝花钒钛高新技术产业开发区（本部）工业产值达 600亿元。", PLAN, [
        row("攀枝花钒钛高新技术产业开发区（本部）工业产值达 600亿元", "eq", "600", "亿元", 2025, "工业产值"),
    ]),
    ("到 2025年，在现有高炉生铁产量稳定情况下，新增非高炉冶炼或短流程炼钢产能 200万吨。", PLAN, [
        row("新增非高炉冶炼或短流程炼钢产能 200万吨", "eq", "200", "万吨", 2025, "新增非高炉冶炼或短流程炼钢产能"),
    ]),
    ("原则上每个工业园区的主导产业不超过 4个，主导产业集中度超过 80%，各产业之间要注重产业协同。", PLAN, [
        row("每个工业园区的主导产业不超过 4个", "le", "4", "个", N, "主导产业"),
        row("主导产业集中度超过 80%", "ge", "80", "%", N, "主导产业集中度"),
    ]),
    ("原则上各园区新建工业项目平均投资强度不低于 200万元/亩，规上亩均产值不低于 150万元，规上亩均税收不低于 8万元。", PLAN, [
        row("各园区新建工业项目平均投资强度不低于 200万元/亩", "ge", "200", "万元/亩", N),
        row("规上亩均产值不低于 150万元", "ge", "150", "万元", N),
        row("规上亩均税收不低于 8万元", "ge", "8", "万元", N),
    ]),
    ("“十四五”期间，全市工业园区“1+3+3”产业规上工业总产值达到 2500亿元以上。", PLAN, [
        row("全市工业园区“1+3+3”产业规上工业总产值达到 2500亿元以上", "ge", "2500", "亿元", 2025),
    ]),
    # xiqu-2021-chengyu-guihua
    ("“十四五”期间，工业增加值年均增速不低于7.5%。持续推进服务业转型升级。加快农商文旅体融合发展，农业增加值年均增速不低于3.5%。", PLAN, [
        row("工业增加值年均增速不低于7.5%", "ge", "7.5", "%", 2025, "工业增加值年均增速"),
        row("农业增加值年均增速不低于3.5%", "ge", "3.5", "%", 2025, "农业增加值年均增速"),
    ]),
    ("二是建立创新创业孵化基地。引进培育康复器具核心部件生产及整装企业3-5家，医疗器械生产企业2-3家，研发、信息技术服务企业3家，康复器具产业园总产值达到50亿元以上。", PLAN, [
        row("引进培育康复器具核心部件生产及整装企业3-5家", "eq", "3", "家", N, "康复器具核心部件生产及整装企业", "5"),
        row("医疗器械生产企业2-3家", "eq", "2", "家", N, "医疗器械生产企业", "3"),
        row("研发、信息技术服务企业3家", "eq", "3", "家", N, "研发、信息技术服务企业"),
        row("康复器具产业园总产值达到50亿元以上", "ge", "50", "亿元", N, "总产值"),
    ]),
    # realistic sentences of other plans
    ("到2025年，全市规模以上工业增加值年均增长8%左右，单位GDP能耗下降13.5%。", PLAN, [
        row("全市规模以上工业增加值年均增长8%左右", "increase_by", "8", "%", 2025, "规模以上工业增加值"),
        row("单位GDP能耗下降13.5%", "decrease_by", "13.5", "%", 2025, "单位GDP能耗"),
    ]),
    ("到2025年，新增专精特新企业10家以上。", PLAN, [row("新增专精特新企业10家以上", "ge", "10", "家", 2025, "新增专精特新企业")]),
    ("到2025年，城镇调查失业率控制在5.5%以内。", PLAN, [row("城镇调查失业率控制在5.5%以内", "le", "5.5", "%", 2025, "城镇调查失业率")]),
    ("到2025年，全市工业总产值达到4500亿元，力争突破5000亿元。", PLAN, [
        row("全市工业总产值达到4500亿元", "eq", "4500", "亿元", 2025, "工业总产值"),
        row("突破5000亿元", "ge", "5000", "亿元", 2025, "工业总产值"),
    ]),
    ("到2026年，全省数字经济核心产业增加值占地区生产总值比重达到12%左右。", PLAN, [
        row("全省数字经济核心产业增加值占地区生产总值比重达到12%左右", "approx", "12", "%", 2026),
    ]),
    ("到2025年，培育省级以上“专精特新”企业8—10个，研发经费投入强度提高0.5个百分点。", PLAN, [
        row("培育省级以上“专精特新”企业8—10个", "eq", "8", "个", 2025, "省级以上“专精特新”企业", "10"),
        row("研发经费投入强度提高0.5个百分点", "increase_by", "0.5", "个百分点", 2025, "研发经费投入强度"),
    ]),
    ("力争到2025年，全市工业总产值达到五千亿元，培育十六个重点产业链。", PLAN, [
        row("全市工业总产值达到五千亿元", "eq", "5000", "亿元", 2025, "工业总产值"),
        row("培育十六个重点产业链", "eq", "16", "个", 2025, "重点产业链"),
    ]),
    ("到2025年，地方一般公共预算收入达到16.4亿元。", PLAN, [row("地方一般公共预算收入达到16.4亿元", "eq", "16.4", "亿元", 2025)]),
    ("到2025年，单位地区生产总值二氧化碳排放降低率完成省下达目标。", PLAN, [
        row("单位地区生产总值二氧化碳排放降低率完成省下达目标", "qualitative", None, None, 2025, "单位地区生产总值二氧化碳排放降低率"),
    ]),
    ("单位GDP能耗和主要污染物减排完成省、市下达的考核指标。", TARGETS, [
        row("单位GDP能耗和主要污染物减排完成省、市下达的考核指标", "qualitative", None, None, N,
            "单位GDP能耗和主要污染物减排"),
    ]),
    ("单位地区生产总值能耗降幅达到市级要求。", TARGETS, [
        row("单位地区生产总值能耗降幅达到市级要求", "qualitative", None, None, N, "单位地区生产总值能耗降幅"),
    ]),
    ("到2025年底前，全市累计新增高新技术企业100家。", PLAN, [
        row("全市累计新增高新技术企业100家", "eq", "100", "家", 2025, "累计新增高新技术企业"),
    ]),
    ("到2030年，森林覆盖率稳定在62%以上。", PLAN, [row("森林覆盖率稳定在62%以上", "ge", "62", "%", 2030, "森林覆盖率")]),
    ("到2025年，PM2.5平均浓度控制在30微克/立方米以内，空气质量优良天数比率达到95%以上。", PLAN, [
        row("PM2.5平均浓度控制在30微克/立方米以内", "le", "30", "微克/立方米", 2025, "PM2.5平均浓度"),
        row("空气质量优良天数比率达到95%以上", "ge", "95", "%", 2025, "空气质量优良天数比率"),
    ]),
    ("到2025年，人均预期寿命达到78岁，每千人口拥有执业（助理）医师数达到3.2人。", PLAN, [
        row("人均预期寿命达到78岁", "eq", "78", "岁", 2025, "人均预期寿命"),
        row("每千人口拥有执业（助理）医师数达到3.2人", "eq", "3.2", "人", 2025),
    ]),
    # dongqu-2023-chengzai-fangan 二.（四）.8: a share of supply, a target without a year lead-in
    ("推行工业用地“标准地”出让体系，实行差别化供地。园区未来“标准地”100%按《攀枝花东区高新技术产业园区工业投资项目“标准地”指标体系》供应；"
     "加强工业用地全周期管理，保障园区土地集约节约使用。", PLAN, [
        row("园区未来“标准地”100%按《攀枝花东区高新技术产业园区工业投资项目“标准地”指标体系》供应", "eq", "100", "%", N,
            "“标准地”按指标体系供应比例"),
    ]),
    ("到2025年，园区规上工业企业100%纳入在线监测。", PLAN, [
        row("园区规上工业企业100%纳入在线监测", "eq", "100", "%", 2025, "规上工业企业纳入在线监测比例"),
    ]),
    ("到2025年，污水排放全面达到《污水综合排放标准》。", PLAN, [
        row("污水排放全面达到《污水综合排放标准》", "qualitative", None, None, 2025, "污水排放"),
    ]),
    # counts committed in the measures of action plans, without a year (18_shandong, 19_shandong, 11_miit)
    ("推出50项典型案例，打造30个品牌，培育形成3个百亿级产业集群。", NONE, [
        row("推出50项典型案例", "eq", "50", "项", N, "典型案例"),
        row("打造30个品牌", "eq", "30", "个", N, "品牌"),
        row("培育形成3个百亿级产业集群", "eq", "3", "个", N, "百亿级产业集群"),
    ]),
    ("打造100个左右工业互联网典型应用场景。", NONE, [row("打造100个左右工业互联网典型应用场景", "approx", "100", "个", N)]),
    ("依托信息消费大赛遴选 10 个以上适老化信息消费应用场景。", NONE, [
        row("遴选 10 个以上适老化信息消费应用场景", "ge", "10", "个", N, "适老化信息消费应用场景"),
    ]),
    ("推动超过 50 项适老化技术实现共建共享。", NONE, [row("超过 50 项适老化技术实现共建共享", "ge", "50", "项", N)]),
    ("在化工装置等领域选择不少于1000家企业，实施专项行动。", NONE, [row("选择不少于1000家企业", "ge", "1000", "家", N, "企业")]),
    ("建设100家智慧农业应用基地、16家以上智能牧场。", NONE, [
        row("建设100家智慧农业应用基地", "eq", "100", "家", N, "智慧农业应用基地"),
        row("16家以上智能牧场", "ge", "16", "家", N, "智能牧场"),
    ]),
    ("每年培育20家以上智能制造标杆企业，100家以上智能工厂（数字化车间、智能制造场景）。", NONE, [
        row("每年培育20家以上智能制造标杆企业", "ge", "20", "家", N),
        row("100家以上智能工厂（数字化车间、智能制造场景）", "ge", "100", "家", N, "智能工厂（数字化车间、智能制造场景）"),
    ]),
    ("每年培育600家科技小巨人企业和200家科技领军企业。", NONE, [
        row("每年培育600家科技小巨人企业", "eq", "600", "家", N, "科技小巨人企业"),
        row("200家科技领军企业", "eq", "200", "家", N, "科技领军企业"),
    ]),
    ("打造10个左右特色鲜明、创新力强的未来产业集群。", NONE, [
        row("打造10个左右特色鲜明、创新力强的未来产业集群", "approx", "10", "个", N),
    ]),
    ("推动全省100家企业实施工业互联网网络安全分类分级管理。", NONE, [
        row("全省100家企业实施工业互联网网络安全分类分级管理", "eq", "100", "家", N),
    ]),
    ("建设2—3家省实验室。", NONE, [row("建设2—3家省实验室", "eq", "2", "家", N, "省实验室", "3")]),
    ("面向3万名专业技术人才开展培训，每年推广应用工业机器人8000台以上。", NONE, [
        row("面向3万名专业技术人才开展培训", "eq", "3", "万名", N),  # 26_anhui gold: the people trained
        row("每年推广应用工业机器人8000台以上", "ge", "8000", "台", N),
    ]),
    ("力争100家企业达到3级（稳健级）以上标准。", NONE, [
        row("100家企业达到3级（稳健级）以上标准", "eq", "100", "家", N),
    ]),
    # shares of things that reach a state, shares in words and fractions
    ("90%的市和70%的县（市、区）达到省级三星级以上。", NONE, [
        row("90%的市", "eq", "90", "%", N),
        row("70%的县（市、区）达到省级三星级以上", "eq", "70", "%", N),
    ]),
    ("到2025年，政务服务事项网上可办率达到百分之八十。", PLAN, [
        row("政务服务事项网上可办率达到百分之八十", "eq", "80", "%", 2025, "政务服务事项网上可办率"),
    ]),
    ("到2025年，三分之二以上的企业实现上云，学生每天校内体育活动时间不少于2小时。", PLAN, [
        row("三分之二以上的企业实现上云", "ge", "66.67", "%", 2025),
        row("学生每天校内体育活动时间不少于2小时", "ge", "2", "小时", 2025),
    ]),
    ("到2025年，三类企业分别占比达40%、25%和15%。", PLAN, [
        row("三类企业分别占比达40%", "eq", "40", "%", 2025),
        row("25%", "eq", "25", "%", 2025),
        row("15%", "eq", "15", "%", 2025),
    ]),
    ("到2025年，单位GDP能耗年均下降3%。", PLAN, [row("单位GDP能耗年均下降3%", "decrease_by", "3", "%", 2025, "单位GDP能耗")]),
    ("到2026年，算力总规模达到12EFLOPS，存储总量达到10EB。", PLAN, [
        row("算力总规模达到12EFLOPS", "eq", "12", "EFLOPS", 2026),
        row("存储总量达到10EB", "eq", "10", "EB", 2026),
    ]),
    # a yearly figure after a lead-in year of the paragraph is due every year, not by that year
    ("力争到2027年研发机构覆盖率达到70%左右。每年培育600家科技小巨人企业。", PLAN, [
        row("研发机构覆盖率达到70%左右", "approx", "70", "%", 2027),
        row("每年培育600家科技小巨人企业", "eq", "600", "家", N),
    ]),
    # advice on a pilot's own make-up and a cap on what a province may put forward are rules of
    # the procedure, not figures committed to (12_samr)
    ("一个“标准群”中标准数量不宜少于5项，不宜超过20项。", NONE, []),
    ("各省、自治区、直辖市推荐项目不超过10个。", NONE, []),
    ("到2025年，产品研制周期缩短20%，办理时间压缩至3个工作日。", PLAN, [
        row("产品研制周期缩短20%", "decrease_by", "20", "%", 2025, "产品研制周期"),
        row("办理时间压缩至3个工作日", "le", "3", "个工作日", 2025, "办理时间"),
    ]),
    ("按省实施方案要求全区规上工业企业达到1000家。", NONE, [
        row("全区规上工业企业达到1000家", "eq", "1000", "家", N, "规上工业企业"),
    ]),
    # definite end states: targets in a measure without a year too (18_shandong, 21_shandong, 10_nhsa)
    ("加快部署物联网终端，实现NB-IoT网络县级以上主城区全覆盖、重点区域深度覆盖。", NONE, [
        row("实现NB-IoT网络县级以上主城区全覆盖", "qualitative", None, None, N, "NB-IoT网络县级以上主城区"),
    ]),
    ("推动74项“跨省通办”事项全面落地，高频政务服务事项基本实现“全省通办”。", NONE, [
        row("74项“跨省通办”事项全面落地", "eq", "74", "项", N),
        row("高频政务服务事项基本实现“全省通办”", "qualitative", None, None, N, "高频政务服务事项"),
    ]),
    ("力争到2027年全省规上工业企业无研发活动实现清零。", PLAN, [
        row("全省规上工业企业无研发活动实现清零", "qualitative", None, None, 2027, "规上工业企业无研发活动"),
    ]),
    ("到2023年底前全部统筹地区上线智能监管子系统，智能审核和监控覆盖面进一步扩大。", PLAN, [
        row("全部统筹地区上线智能监管子系统", "qualitative", None, None, 2023, "统筹地区上线智能监管子系统"),
    ]),
    ("到2022年，全省高质量工业数据集实现泽（Z）级突破。", PLAN, [
        row("全省高质量工业数据集实现泽（Z）级突破", "qualitative", None, None, 2022, "高质量工业数据集"),
    ]),
    ("完善全覆盖、全天候的通信网络，为课程全覆盖提供计算能力支撑。", NONE, []),
    # 成熟一条应用一条: each as soon as it is ready, no count
    ("到2025年，合理确定上线规则数量，做到成熟一条应用一条。", PLAN, []),
    # 完成投资 commits to an amount; a project's 投资 describes it
    ("到2025年，重点项目累计完成投资1000亿元以上。", PLAN, [
        row("重点项目累计完成投资1000亿元以上", "ge", "1000", "亿元", 2025),
    ]),
    ("到2025年，建设数据中心项目，项目投资5亿元。", PLAN, []),
    # an index or a ratio reaches a figure with no unit, where targets are stated
    ("到2025年，两化融合发展水平指数达到115，新建数据中心PUE值降至1.3以下。", PLAN, [
        row("两化融合发展水平指数达到115", "eq", "115", None, 2025, "两化融合发展水平指数"),
        row("新建数据中心PUE值降至1.3以下", "le", "1.3", None, 2025, "新建数据中心PUE值"),
    ]),
    ("两化融合发展水平指数达到115。", NONE, []),
    # the thing covered written as the subject of 实现全覆盖
    ("规模以上工业企业数字化改造实现全覆盖。", NONE, [
        row("规模以上工业企业数字化改造实现全覆盖", "qualitative", None, None, N, "规模以上工业企业数字化改造"),
    ]),
    # counts without a year: a commitment word, 面向 N 名, 在 N 个…, a bounded capacity (18_shandong, 26_anhui)
    ("力争建成并开通5G基站10万个。", NONE, [row("建成并开通5G基站10万个", "eq", "10", "万个", N)]),
    ("新建标准体育场1座。", NONE, []),
    ("每年组织开展面向1万名专业技术人才和企业高级管理人员的工业互联网素质提升培训。", NONE, [
        row("面向1万名专业技术人才和企业高级管理人员的工业互联网素质提升培训", "eq", "1", "万名", N),
    ]),
    ("完成政府部门业务主责结构化数据物理汇聚，在10个以上领域实现实时汇聚。", NONE, [
        row("在10个以上领域实现实时汇聚", "ge", "10", "个", N, "领域实现实时汇聚"),
    ]),
    ("实现省市视频监控、全息感知两个平面的试点建设，带宽可用性5000M以上。建设省级公共互连接入区，接入能力10000M以上。", NONE, [
        row("带宽可用性5000M以上", "ge", "5000", "M", N, "带宽可用性"),
        row("接入能力10000M以上", "ge", "10000", "M", N, "接入能力"),
    ]),
    ("实施“宽带乡村”工程，基本实现20人以上的自然村4G网络覆盖。", NONE, [
        row("实现20人以上的自然村4G网络覆盖", "qualitative", None, None, N),
    ]),
    # regions listed between the verb and the count are the scope (18_shandong)
    ("推动城市群突破发展，实现省会、鲁南、胶东经济圈100项左右智慧应用打通。", NONE, [
        row("实现省会、鲁南、胶东经济圈100项左右智慧应用打通", "approx", "100", "项", N, "智慧应用打通"),
    ]),
    ("加快产业升级，高新技术企业实现零突破。", NONE, [
        row("高新技术企业实现零突破", "qualitative", None, None, N, "高新技术企业"),
    ]),
    # one figure for each object named before 分别 (18_shandong)
    ("深化数据服务，面向自然人和法人组织，分别形成1000个以上的“数字标签”。", NONE, [
        row("面向自然人和法人组织，分别形成1000个以上的“数字标签”", "ge", "1000", "个", N, "自然人“数字标签”"),
        row("面向自然人和法人组织，分别形成1000个以上的“数字标签”", "ge", "1000", "个", N, "法人组织“数字标签”"),
    ]),
    ("面向大型企业，分别形成10个方案。", NONE, [row("形成10个方案", "eq", "10", "个", N, "方案")]),
    # a system built, every node built, under a governing year; a degree makes it an aspiration (26_anhui, 19_shandong)
    ("到2023年，基本建成全省工业互联网安全保障体系，各节点全面建成并提供服务。", PLAN, [
        row("建成全省工业互联网安全保障体系", "qualitative", None, None, 2023, "工业互联网安全保障体系"),
        row("各节点全面建成", "qualitative", None, None, 2023, "各节点"),
    ]),
    ("到2025年，基本建成较为完备可靠的多层次工业互联网平台体系。", PLAN, []),
    ("基本建成全省工业互联网安全保障体系。", NONE, []),
    # a long subject after 、 starts after it: the words before close another claim (21_shandong)
    ("力争到2027年全省标志性产业链领域营业收入5000万元以上的规上工业企业无研发活动实现清零、1亿元以上规上工业企业研发机构覆盖率达到70%左右。", PLAN, [
        row("全省标志性产业链领域营业收入5000万元以上的规上工业企业无研发活动实现清零", "qualitative", None, None, 2027),
        row("1亿元以上规上工业企业研发机构覆盖率达到70%左右", "approx", "70", "%", 2027, "1亿元以上规上工业企业研发机构覆盖率"),
    ]),
    ("到2026年，数据要素供给数量质量显著提升，安全保障水平明显提升。", PLAN, []),
    # not targets: baselines, shares, names, document numbers, projects, incentives
    ("形成一批特色鲜明的产业集群，打造一批“晨星工厂”，支持千家企业产学研协同创新。", NONE, []),
    ("升级打造两个国家级运动基地，建设四个户外营地。", PLAN, []),
    ("加快构建一小时、两小时交通圈。", PLAN, []),
    ("日间手术是指患者按照诊疗计划在1日（24小时）内入、出院，住院时间不超过48小时。", NONE, []),
    ("经认定新入驻园区的企业，租赁场地面积超过300平方米（含）的，给予最长五年的房租补贴，其中前两年100%、后三年50%。", NONE, []),
    ("到2025年，对年营业收入首次突破1亿元的企业，给予一次性奖励50万元。", PLAN, []),
    ("每认定1家高新技术企业，给予20万元奖励。", NONE, []),
    ("围绕西区“十四五”期间山水相融现代时尚宜居区建设目标定位，协同助推成渝地区双城经济圈建设，是全面落实“两山”要求，"
     "推进西区公园城市建设，走出一条绿色发展之路。", PLAN, []),
    ("加入《区域全面经济伙伴关系协定》(RCEP)，形成覆盖全球30%GDP的自由贸易区。", PLAN, []),
    ("对年营业收入首次突破1亿元的企业，给予一次性奖励50万元。", PLAN, []),
    ("对新认定的国家级专精特新“小巨人”企业，补助金额最高不超过100万元。", PLAN, []),
    ("截至 2020年，全市共有规上工业企业 349户，实现主营业务收入 1922.27 亿元，占全市地区生产总值的 46.03%。", PLAN, []),
    ("2020年全市产业园区规上亩均营业收入 155.6万元，仅达到成都的 42%。", PLAN, []),
    ("钒钛产业占全市工业比重从“十二五”末的 6%提高到“十三五”末的 16.5%。", PLAN, []),
    ("2020年，西区地区生产总值达到了82.91亿元，全区地区生产总值五年年平均增长率为4.9%。", PLAN, []),
    ("聚焦工业领域钒钛钢铁新材料、清洁能源等5个重点产业生态圈和13条重点产业链，建立协同推进机制。", NOTICE, []),
    ("根据川办发〔2018〕45号文件，对营收超千亿企业给予支持。", PLAN, []),
    ("将雨水排放口和 5 个污水排放口在线监测数据接入园区平台。", PLAN, []),
    ("项目计划总投资1.5亿元，占地约32亩。项目建成后，将实现年产能1500吨，产值4亿元。", PLAN, []),
    ("新建台湾热带水果园300亩，完善园内旅游步道5000米。", PLAN, []),
    ("道路总长约4.1千米，宽24米，项目总投资约13.9亿元。", PLAN, []),
    # a qualitative target needs a year lead-in or a target section
    ("园区基础设施建设基本实现“七通一平”，构建“5+1”现代工业体系。", PLAN, []),
    # shapes of action plans from elsewhere, written for these tests
    ("全年新增市场主体1万户。", NONE, [row("新增市场主体1万户", "eq", "1", "万户", N, "新增市场主体")]),
    ("城镇新增就业5万人。", NONE, [row("城镇新增就业5万人", "eq", "5", "万人", N, "城镇新增就业")]),
    ("新增数据中心标准机架2万架。", NONE, [row("新增数据中心标准机架2万架", "eq", "2", "万架", N)]),
    ("企业开办时间压减至1个工作日内。", NONE, [row("企业开办时间压减至1个工作日内", "le", "1", "个工作日", N, "企业开办时间")]),
    ("新建5G工厂50家，改造老旧小区500个，开放公共数据集500个。", NONE, [
        row("新建5G工厂50家", "eq", "50", "家", N, "新建5G工厂"),
        row("改造老旧小区500个", "eq", "500", "个", N, "老旧小区"),
        row("开放公共数据集500个", "eq", "500", "个", N, "公共数据集"),
    ]),
    ("新改扩建公办幼儿园45所。", NONE, [row("新改扩建公办幼儿园45所", "eq", "45", "所", N, "公办幼儿园")]),
    ("打通中心城区“断头路”20条。", NONE, [row("打通中心城区“断头路”20条", "eq", "20", "条", N, "中心城区“断头路”")]),
    ("上云企业数量翻一番。", NONE, [row("上云企业数量翻一番", "increase_by", "100", "%", N, "上云企业数量")]),
    ("到2025年，规上工业增加值比2020年翻两番。", PLAN, [
        row("规上工业增加值比2020年翻两番", "increase_by", "300", "%", 2025, "规上工业增加值")]),
    ("推进老旧设备翻新改造。", NONE, []),
    ("新建渠道1条。", NONE, []),  # one thing built: a project, not a count committed to
    # the time phrase before 实现…全覆盖 is the year, never the indicator
    ("2024年6月底前实现综合窗口全覆盖。", NONE, [
        row("6月底前实现综合窗口全覆盖", "qualitative", None, None, 2024, "综合窗口")]),
    ("到2025年上半年，全市5G网络实现全覆盖。", NONE, [
        row("全市5G网络实现全覆盖", "qualitative", None, None, 2025, "5G网络")]),
    ("完成系统改造，到“十四五”末实现全覆盖。", NONE, []),  # covered what? the sentence does not say
    # each year of a list takes its own figure
    ("到2026年，完成老旧小区改造86个，其中2024年、2025年、2026年分别完成改造30个、30个、26个。", NONE, [
        row("完成老旧小区改造86个", "eq", "86", "个", 2026, "老旧小区改造"),
        row("分别完成改造30个", "eq", "30", "个", 2024, "完成改造"),
        row("30个", "eq", "30", "个", 2025, "完成改造"),
        row("26个", "eq", "26", "个", 2026, "完成改造"),
    ]),
    # a floor before the verb; 部 counts elevators
    ("2025年6月底前每个街道至少建成1个普惠托育点。", NONE, [row("建成1个普惠托育点", "ge", "1", "个", 2025, "普惠托育点")]),
    ("到2026年，力争完成既有住宅加装电梯100部以上。", NONE, [
        row("完成既有住宅加装电梯100部以上", "ge", "100", "部", 2026, "既有住宅加装电梯")]),
    ("联合3部门印发文件。", NONE, []),
    ("整治违规群租房300处，开通夜间公交线路10条。", NONE, [
        row("整治违规群租房300处", "eq", "300", "处", N, "违规群租房"), row("开通夜间公交线路10条", "eq", "10", "条", N, "夜间公交线路")]),
    ("治理河道1条。", NONE, []),  # one thing done describes a project
    ("到2026年，年飞行架次达到10万架次。", NONE, [row("年飞行架次达到10万架次", "eq", "10", "万架次", 2026, "年飞行架次")]),
    # a ratio without a unit, written with its abbreviation in brackets or with 全部 before the cue
    ("到2025年，数据中心平均电能利用效率（PUE）降至1.2以下。", PLAN, [
        row("数据中心平均电能利用效率（PUE）降至1.2以下", "le", "1.2", None, 2025)]),
    ("到2025年，全省新建大型数据中心PUE全部降至1.25以下。", PLAN, [
        row("全省新建大型数据中心PUE全部降至1.25以下", "le", "1.25", None, 2025)]),
    # a count verb, the things counted, then a bounded figure: a count committed to without a year
    ("推出“高效办成一件事”主题服务30项以上。", NONE, [
        row("推出“高效办成一件事”主题服务30项以上", "ge", "30", "项", N, "“高效办成一件事”主题服务")]),
    ("建成区级物联感知平台，接入各类感知设备10万个以上。", NONE, [
        row("接入各类感知设备10万个以上", "ge", "10", "万个", N, "各类感知设备")]),
    ("区内现有感知设备10万个以上。", NONE, []),  # what exists, no verb of doing
    # a verb of doing, then the things (or the land) done and how many: a commitment
    ("盘活存量土地800亩，新引进品牌首店10家。", NONE, [
        row("盘活存量土地800亩", "eq", "800", "亩", N, "存量土地"),
        row("新引进品牌首店10家", "eq", "10", "家", N, "新引进品牌首店")]),
    ("启动城中村改造项目3个，组织企业参加境外展会50场次。", NONE, [
        row("启动城中村改造项目3个", "eq", "3", "个", N, "城中村改造项目"),
        row("组织企业参加境外展会50场次", "eq", "50", "场次", N, "企业参加境外展会")]),
    ("全年供应建设用地3000亩以上。", NONE, [row("供应建设用地3000亩以上", "ge", "3000", "亩", N, "建设用地")]),
    ("每年培养无人机操控等技能人才1000人以上。", NONE, [
        row("每年培养无人机操控等技能人才1000人以上", "ge", "1000", "人", N, "无人机操控等技能人才")]),
    ("汛期前完成易积水点治理25处。", NONE, [row("汛期前完成易积水点治理25处", "eq", "25", "处", N, "易积水点治理")]),
    ("新建渠道1条。", NONE, []),  # one project described
    ("新建台湾热带水果园300亩。", NONE, []),  # the size of one project, not an amount done
    ("编制推广目录，每年更新一次。", NONE, []),  # how often a routine step is done
    ("2024年内新开工保障性租赁住房1200套。", NONE, [
        row("新开工保障性租赁住房1200套", "eq", "1200", "套", 2024, "新开工保障性租赁住房")]),
    ("中欧班列年开行量稳定在600列以上。", NONE, [row("中欧班列年开行量稳定在600列以上", "ge", "600", "列", N)]),
    # a 考核 scheme's criteria, a grade quota and a cap on support are no goals
    ("到2024年底，企业开办时间1个工作日以内得满分，每超过0.5个工作日扣2分。", PLAN, []),
    ("优秀等次比例原则上不超过30%。", PLAN, []),
    ("到2025年，单个县支持金额原则上不超过1000万元。", PLAN, []),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_targets_in_real_sentences(text, ctx, expected):
    got = read_paragraph(text, ctx)
    rows = [(text[c.start : c.end], c.comparator, c.value, c.value_max, c.unit, c.year,
             c.indicator if e[6] is not None else None) for c, e in zip(got, expected)]
    assert rows == expected[: len(rows)]
    assert len(got) == len(expected), [text[c.start : c.end] for c in got]


def test_enough_sentence_cases():
    assert sum(len(e) for _, _, e in CASES) >= 40 and len(CASES) >= 40


SCOPES = [
    ("全市工业园区规上工业总产值", ("全市工业园区", "规上工业总产值")),
    ("攀枝花东区高新技术产业园区工业产值", ("攀枝花东区高新技术产业园区", "工业产值")),
    ("园区“四上企业”", ("园区", "“四上企业”")),
    ("力争国家高新技术企业有效数量", (None, "国家高新技术企业有效数量")),
    ("原则上每个工业园区的主导产业", ("每个工业园区", "主导产业")),
    ("钒钛化工园区、格里坪化工园区2025年安全等级", ("钒钛化工园区、格里坪化工园区", "安全等级")),
    ("康复器具产业园总产值", ("康复器具产业园", "总产值")),
    ("全市规模以上工业增加值", ("全市", "规模以上工业增加值")),
    ("2024年6月底前综合窗口", (None, "综合窗口")),
    ("到“十四五”末5G网络", (None, "5G网络")),
]


@pytest.mark.parametrize(("subject", "expected"), SCOPES)
def test_split_subject(subject, expected):
    assert split_subject(subject) == expected


def test_scope_falls_back_to_the_section_or_document_subject():
    ctx = ClauseContext(doc_year=2022, scope="四川攀枝花格里坪特色产业园区")
    [c] = read_paragraph("到 2025年，园区工业产值达到 250亿元。", ctx)
    assert (c.scope, c.indicator, c.value) == ("四川攀枝花格里坪特色产业园区", "工业产值", Decimal("250"))
    [c] = read_paragraph("到 2025年，全市工业园区规上工业总产值达到 2500亿元以上。", ctx)
    assert c.scope == "全市工业园区"


def test_baseline_section_states_no_targets():
    ctx = ClauseContext(doc_year=2022, baseline_section=True)
    assert read_paragraph("到2025年，园区工业产值达到 900亿元。", ctx) == []


def test_compact_maps_back_to_source():
    text = "工\n\n业产值达到 900亿元，EB 炉 985.5 51.3"
    view = compact(text)
    assert view.text == "工业产值达到900亿元，EB炉985.5 51.3"
    for i, ch in enumerate(view.text):
        assert ch == " " or text[view.orig[i]] == ch


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["到2025年", "，", "。", "园区", "工业产值", "达到", "不超过", "900", "亿元", "以上", "\n",
                                 "“四上企业”", "、", "3个", "增长", "7.5%", "截至", "2020年", "新增", "持续提升", " "]),
                max_size=25).map("".join))
def test_quotes_are_slices_of_the_text(text):
    for c in read_paragraph(text, PLAN):
        assert 0 <= c.start < c.end <= len(text)
        assert c.value is None or isinstance(c.value, Decimal)



@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="20年度至19—-–(（〔[到在底月", max_size=16))
def test_bare_year_pattern_equals_its_plain_form(text):
    """_BARE_YEAR puts its lookbehind after the literal "20" for speed; it must find exactly what
    the plain form (lookbehind first) finds."""
    import re

    from extractors.targets.claims import _BARE_YEAR

    plain = re.compile(r"(?<![0-9〔\[（(—–\-])(20\d{2})年(?![0-9]|度|—|–|-|至)")
    assert [(m.span(), m.group(1)) for m in _BARE_YEAR.finditer(text)] == [
        (m.span(), m.group(1)) for m in plain.finditer(text)
    ]

# ------------------------------------------------------------------------------------------
# The bundled corpus: key facts, provenance, golden files

import json  # noqa: E402

from extractors.targets.extract import extract_targets  # noqa: E402

CORPUS_IDS = [
    "pzh-2022-yuanqu-guihua",
    "dongqu-2023-chengzai-fangan",
    "pzh-2025-yuanqu-tizhi-tongzhi",
    "pzh-2024-jianquan-qianglian-16tiao",
    "xiqu-2021-chengyu-guihua",
]


@pytest.fixture(scope="module")
def corpus_targets(corpus_documents):
    return {doc_id: extract_targets(doc) for doc_id, doc in corpus_documents.items()}


def _find(targets, **want):
    return [t for t in targets if all(getattr(t, k) == v for k, v in want.items())]


def test_dongqu_park_output_2025_in_the_plan_is_900(corpus_targets, corpus_documents):
    doc = corpus_documents["pzh-2022-yuanqu-guihua"]
    [t] = _find(corpus_targets[doc.doc_id], indicator="工业产值", value=Decimal("900"))
    assert (t.scope, t.unit, t.comparator, t.year) == ("攀枝花东区高新技术产业园区", "亿元", "eq", 2025)
    # the raw PDF text splits the word across lines: "工\n\n业产值达到 900亿元"
    raw = doc.offsets.raw_span(t.span).slice(doc.raw_text)
    assert "\n" in raw and "".join(raw.split()) == "".join(t.quote.split())


def test_dongqu_action_plan_states_1200(corpus_targets):
    [t] = _find(corpus_targets["dongqu-2023-chengzai-fangan"], indicator="工业总产值")
    assert (t.value, t.unit, t.comparator, t.year) == (Decimal("1200"), "亿元", "eq", 2025)
    assert t.scope == "攀枝花东区高新技术产业园区"


@pytest.mark.parametrize(("doc_id", "limit"), [("pzh-2022-yuanqu-guihua", 4), ("pzh-2025-yuanqu-tizhi-tongzhi", 3)])
def test_leading_industries_are_capped(corpus_targets, doc_id, limit):
    found = _find(corpus_targets[doc_id], indicator="主导产业", comparator="le")
    assert found and found[0].value == Decimal(limit) and found[0].unit == "个"


def test_target_table_rows(corpus_targets):
    rows = [t for t in corpus_targets["pzh-2022-yuanqu-guihua"] if t.binding]
    assert len(rows) == 14  # 表 2—2
    assert all(t.year == 2025 for t in rows)
    [sme] = [t for t in rows if t.cumulative]
    assert (sme.value, sme.unit, sme.indicator) == (Decimal("30"), "户", "新增省级及以上“专精特新”企业")
    assert [t.comparator for t in rows if t.binding == "约束性"] == ["qualitative", "qualitative"]
    [rate] = _find(rows, indicator="规上亩均投资强度年均增长率")
    assert (rate.value, rate.value_max, rate.unit, rate.comparator) == (Decimal(5), Decimal(10), "%", "increase_by")


def test_baselines_are_not_targets(corpus_targets):
    values = {t.value for t in corpus_targets["pzh-2022-yuanqu-guihua"]}
    assert not values & {Decimal("985.5"), Decimal("1922.27"), Decimal("349"), Decimal("1633"), Decimal("155.6")}
    assert not {t.value for t in corpus_targets["xiqu-2021-chengyu-guihua"]} & {Decimal("82.91"), Decimal("4.9")}
    assert corpus_targets["pzh-2024-jianquan-qianglian-16tiao"] == []  # measures without figures


def test_stage_years(corpus_targets):
    years = {t.indicator: set() for t in corpus_targets["pzh-2025-yuanqu-tizhi-tongzhi"]}
    for t in corpus_targets["pzh-2025-yuanqu-tizhi-tongzhi"]:
        years[t.indicator].add(t.year)
    assert years["“四上企业”"] == {2025, 2027, 2029}
    assert years["千亿级园区"] == {2025}


@pytest.mark.parametrize("doc_id", CORPUS_IDS)
def test_provenance(corpus_targets, corpus_documents, doc_id):
    doc = corpus_documents[doc_id]
    ids = set()
    for t in corpus_targets[doc_id]:
        assert doc.text[t.span.start : t.span.end] == t.quote
        assert t.quote.strip() and t.quote in t.text
        assert (t.source.char_start, t.source.char_end, t.source.doc_id) == (t.span.start, t.span.end, doc_id)
        assert t.target_id not in ids and t.target_id.startswith(f"{doc_id}:t")
        ids.add(t.target_id)


def _golden_rows(targets):
    return [
        {
            "quote": t.quote, "indicator": t.indicator, "scope": t.scope,
            "value": None if t.value is None else str(t.value),
            "value_max": None if t.value_max is None else str(t.value_max),
            "unit": t.unit, "comparator": t.comparator, "year": t.year, "binding": t.binding, "cumulative": t.cumulative,
        }
        for t in targets
    ]


@pytest.mark.parametrize("doc_id", CORPUS_IDS)
def test_golden_targets(corpus_targets, golden_dir, update_golden, doc_id):
    path = golden_dir / f"{doc_id}.targets.json"
    rows = _golden_rows(corpus_targets[doc_id])
    if update_golden:
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest --update-golden and review the diff"
    assert rows == json.loads(path.read_text(encoding="utf-8"))


def test_tasks_link_targets(corpus_documents):
    from pipeline.model import SourceRef, Task

    doc = corpus_documents["dongqu-2023-chengzai-fangan"]
    start = doc.text.index("力争达成产学研合作项目")
    span = {"start": start - 50, "end": start + 30}
    task = Task(task_id="t-6", doc_id=doc.doc_id, title="建立完善园区科技公共服务平台", text="", span=span,
                source=SourceRef(doc_id=doc.doc_id, char_start=span["start"], char_end=span["end"]))
    [linked] = [t for t in extract_targets(doc, [task]) if t.task_id]
    assert linked.indicator == "产学研合作项目" and linked.task_id == "t-6"


# ------------------------------------------------------------------------------------------
# Documents the corpus does not have: a plan as plain text and as DOCX with a real table

PLAN_TXT = """某某市“十四五”数字经济发展规划

第一章 发展基础

“十三五”时期，全市数字经济规模达到1200亿元，年均增长12%。2020年，全市5G基站达到3000个。

第二章 发展目标

到2025年，全市数字经济规模突破2000亿元，年均增长11%左右。单位GDP能耗比2020年下降13.5%。新建5G基站5000个，培育省级以上数字化转型示范企业20家。

表1 “十四五”数字经济发展主要指标

序号 指标 单位 2020年 2025年 属性
1 数字经济规模 亿元 1200 2000 预期性
2 规上工业企业数字化研发设计工具普及率 % 70 ≥85 预期性
3 单位地区生产总值能耗降低 % — 〔13.5〕 约束性

第三章 重点任务

一、加快数字基础设施建设。每年新建5G基站1000个以上。
"""


def _claims(doc):
    return [(t.quote, t.indicator, t.comparator, t.value, t.unit, t.year, t.binding, t.cumulative) for t in extract_targets(doc)]


def test_plain_text_plan_with_a_flattened_table(tmp_path):
    from pipeline.model import DocumentMeta
    from pipeline.run import parse_file

    path = tmp_path / "plan.txt"
    path.write_text(PLAN_TXT, encoding="utf-8")
    doc = parse_file(path, meta=DocumentMeta(doc_id="plan", title="某某市“十四五”数字经济发展规划", date=dt.date(2021, 12, 1)))
    D = Decimal
    assert _claims(doc) == [
        ("全市数字经济规模突破2000亿元", "数字经济规模", "ge", D(2000), "亿元", 2025, None, False),
        ("年均增长11%左右", "数字经济规模", "increase_by", D(11), "%", 2025, None, False),
        ("单位GDP能耗比2020年下降13.5%", "单位GDP能耗", "decrease_by", D("13.5"), "%", 2025, None, False),
        ("新建5G基站5000个", "新建5G基站", "eq", D(5000), "个", 2025, None, False),
        ("培育省级以上数字化转型示范企业20家", "省级以上数字化转型示范企业", "eq", D(20), "家", 2025, None, False),
        ("1 数字经济规模 亿元 1200 2000 预期性", "数字经济规模", "eq", D(2000), "亿元", 2025, "预期性", False),
        ("2 规上工业企业数字化研发设计工具普及率 % 70 ≥85 预期性", "规上工业企业数字化研发设计工具普及率", "ge", D(85), "%",
         2025, "预期性", False),
        ("3 单位地区生产总值能耗降低 % — 〔13.5〕 约束性", "单位地区生产总值能耗降低", "decrease_by", D("13.5"), "%", 2025,
         "约束性", True),
        ("每年新建5G基站1000个以上", "每年新建5G基站", "ge", D(1000), "个", None, None, False),
    ]


def test_docx_plan_with_a_table(tmp_path):
    from docx import Document as Docx

    from pipeline.model import DocumentMeta
    from pipeline.run import parse_file

    d = Docx()
    for text in ("某某区“十四五”工业发展规划", "第一章 发展目标", "到2025年，全区规上工业总产值达到500亿元。", "表1 主要指标"):
        d.add_paragraph(text)
    cells = [["类别", "指标", "2020年", "2025年目标", "属性"], ["产业规模", "规上工业总产值（亿元）", "320", "500", "预期性"],
             ["", "规上工业企业（户）", "90", "≥120", "预期性"], ["绿色发展", "单位工业增加值能耗下降（%）", "—", "完成市下达目标", "约束性"]]
    table = d.add_table(rows=len(cells), cols=5)
    for i, r in enumerate(cells):
        for j, c in enumerate(r):
            table.cell(i, j).text = c
    d.add_paragraph("第二章 重点任务")
    path = tmp_path / "plan.docx"
    d.save(path)
    doc = parse_file(path, meta=DocumentMeta(doc_id="docx", title="某某区“十四五”工业发展规划", date=dt.date(2021, 6, 1)))
    got = [(t.indicator, t.comparator, t.value, t.unit, t.year, t.binding, t.scope) for t in extract_targets(doc)]
    assert got == [
        ("规上工业总产值", "eq", Decimal(500), "亿元", 2025, None, "全区"),
        ("规上工业总产值", "eq", Decimal(500), "亿元", 2025, "预期性", "某某区"),
        ("规上工业企业", "ge", Decimal(120), "户", 2025, "预期性", "某某区"),
        ("单位工业增加值能耗下降", "qualitative", None, None, 2025, "约束性", "某某区"),
    ]


def test_dash_items_inherit_the_target_section_lead_in_year(tmp_path):
    from pipeline.model import DocumentMeta
    from pipeline.run import parse_file

    path = tmp_path / "county.txt"
    path.write_text(
        "某某县“十四五”工业发展规划\n\n一、发展目标\n\n到2025年，全县工业发展的主要目标是：\n\n"
        "——产业规模持续壮大。规上工业增加值年均增长8%，规上工业企业达到150户。\n\n"
        "——创新能力明显提升。高新技术企业达到30家。\n\n二、重点任务\n\n（一）壮大主导产业。新增规上工业企业10户。\n",
        encoding="utf-8",
    )
    doc = parse_file(path, meta=DocumentMeta(doc_id="county", title="某某县“十四五”工业发展规划",
                                             date=dt.date(2021, 12, 1)))
    got = [(t.indicator, t.value, t.year, t.scope) for t in extract_targets(doc)]
    assert got == [
        ("规上工业增加值", Decimal(8), 2025, "某某县"),
        ("规上工业企业", Decimal(150), 2025, "某某县"),
        ("高新技术企业", Decimal(30), 2025, "某某县"),
        ("新增规上工业企业", Decimal(10), None, "某某县"),  # a task, outside the 目标 section
    ]


@pytest.mark.parametrize(("text", "expected"), [
    # 36_qingdao: the —— goals under 一、总体要求, governed by its 到2026年 sentence
    ("某市人工智能行动计划\n\n一、总体要求\n\n以习近平新时代中国特色社会主义思想为指导。到2026年，我市人工智能产业总体水平处于全国前列。\n\n"
     "——创新能力。打造2—3个国家级开放创新平台，揭榜国家人工智能创新任务15项以上。\n\n"
     "——技术体系。算力总规模达到12EFLOPS。\n\n二、重点任务\n\n（一）强基行动\n\n1.统筹布局智算中心。建设10个智算中心。\n",
     [("打造2—3个国家级开放创新平台", 2026), ("揭榜国家人工智能创新任务15项以上", 2026), ("算力总规模达到12EFLOPS", 2026),
      ("建设10个智算中心", None)]),
    # 13_guofa: each step's list takes its own step's year; 26_anhui: a headline word (成效) is no 现状
    ("某某发展规划\n\n（三）战略目标。\n\n第一步，到2020年人工智能产业成为新的增长点。\n\n"
     "——人工智能核心产业规模超过1500亿元。\n\n第二步，到2025年部分技术达到世界领先水平。\n\n"
     "——赋能中小企业成效明显。人工智能核心产业规模超过4000亿元。\n",
     [("人工智能核心产业规模超过1500亿元", 2020), ("人工智能核心产业规模超过4000亿元", 2025)]),
])
def test_dash_goals_take_the_year_of_their_governing_sentence(tmp_path, text, expected):
    from pipeline.model import DocumentMeta
    from pipeline.run import parse_file

    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path, meta=DocumentMeta(doc_id="plan", title=text.split("\n", 1)[0]))
    assert [(t.quote, t.year) for t in extract_targets(doc)] == expected


@pytest.mark.parametrize(("head", "expected"), [
    ("国务院办公厅关于对国务院第五次大督查\n发现的典型经验做法给予表扬的通报\n国办发〔2018〕108号\n各省、自治区、直辖市人民政府：\n"
     "（一）江西省推出3个“信贷通”，到2020年力争达到100亿元。", True),
    ("国务院办公厅关于对真抓实干成效明显地方进一步加大激励支持力度的通知\n国办发〔2018〕117号\n各省、自治区、直辖市人民政府：\n"
     "（一）推出3个“信贷通”，到2020年力争达到100亿元。", False),
])
def test_a_notice_of_praise_states_no_targets(tmp_path, head, expected):
    from extractors.targets.extract import extract_targets, is_notice
    from pipeline.run import parse_file

    path = tmp_path / "notice.txt"
    path.write_text(head, encoding="utf-8")
    doc = parse_file(path)
    assert is_notice(doc) is expected
    assert (extract_targets(doc) == []) is expected


def test_targets_of_traditional_text_are_read_on_their_simplified_shadow():
    from tests.pipeline.test_segment import parse_text

    doc = parse_text("一、發展目標\n到2025年，全市培育專精特新企業達到100個以上，規模以上工業增加值年均增長8%。")
    targets = extract_targets(doc)
    assert [(t.value, t.unit, t.comparator, t.year) for t in targets] == [
        (100, "个", "ge", 2025), (8, "%", "increase_by", 2025)]
    assert targets[0].quote in doc.text  # spans point into the text as written


def test_a_scoring_table_states_no_targets(tmp_path):
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "kaohe.txt"
    path.write_text(
        "某省营商环境考核办法\n第一条 考核对象为各市州。\n附件：考核评分表\n"
        "序号\t考核指标\t分值\t评分标准\n1\t市场准入\t10\t企业开办时间1个工作日以内得满分\n"
        "2\t纳税缴费\t5\t年纳税时间80小时以内得满分\n", encoding="utf-8")
    assert not extract_document(parse_file(path)).targets


def test_a_task_lists_rows_state_targets_due_in_their_time_limit(tmp_path):
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "yaodian.txt"
    path.write_text(
        "某区2024年数字政府建设工作要点\n一、夯实基础\n附件\n重点任务清单\n序号\n重点任务\n具体措施\n牵头单位\n配合单位\n完成时限\n"
        "1\n推进5G建设\n新建5G基站800个。\n区工业和信息化局\n区住房建设局\n2024年12月底前\n"
        "2\n开放公共数据\n新增开放公共数据集100个以上。\n区政数局\n区财政局\n年底前\n", encoding="utf-8")
    ex = extract_document(parse_file(path))
    got = {(t.value, t.unit, t.comparator, t.year, t.task_id.rsplit(":", 1)[1] if t.task_id else None)
           for t in ex.targets}
    assert got == {(Decimal("800"), "个", "eq", 2024, "附件.1"), (Decimal("100"), "个", "ge", None, "附件.2")}


@pytest.mark.parametrize(("cell", "expected"), [
    ("50以上", ("ge", Decimal("50"))), ("1.2以下", ("le", Decimal("1.2"))), ("80", ("eq", Decimal("80"))),
    ("≥90", ("ge", Decimal("90"))),
])
def test_a_bare_figure_in_a_target_table_keeps_its_bound(cell, expected):
    from extractors.targets.tables import read_value

    comparator, quantity = read_value("算力总规模", cell)
    assert (comparator, quantity.value, quantity.unit) == (*expected, None)


def test_a_task_lists_cells_state_targets_cell_by_cell(tmp_path):
    """A 分工 table in markdown: its 目标要求 cells hold the targets, one claim each; the table is
    not an indicator table whose rows are indicator, value."""
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "qingdan.md"
    path.write_text(
        "某区2024年重点工作任务清单\n\n| 序号 | 重点任务 | 目标要求 | 责任单位 | 完成时限 |\n| --- | --- | --- | --- | --- |\n"
        "| 1 | 完善城市交通路网 | 新（续）建市政道路12条，打通断头路5条 | 区住建交局 | 12月底前 |\n"
        "| 2 | 推动经济运行稳中有进 | 地区生产总值增长6%左右 | 区发改局 | 全年 |\n",
        encoding="utf-8")
    ex = extract_document(parse_file(path))
    quotes = sorted(t.quote for t in ex.targets)
    assert quotes == ["地区生产总值增长6%左右", "打通断头路5条", "新（续）建市政道路12条"], quotes
    assert {t.task_id for t in ex.targets} == {t.task_id for t in ex.tasks}  # each linked to its row


def test_a_target_table_with_a_column_per_target_year_states_one_target_a_year(tmp_path):
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "yanglao.md"
    path.write_text(
        "某市养老服务发展实施意见\n\n附件\n\n主要指标\n\n| 序号 | 指标名称 | 2023年现状值 | 2025年目标值 | 2027年目标值 | 指标属性 |\n"
        "| --- | --- | --- | --- | --- | --- |\n| 1 | 社区养老服务驿站数量（个） | 1429 | ≥1600 | ≥1800 | 预期性 |\n",
        encoding="utf-8")
    got = sorted((t.year, t.comparator, t.value, t.unit) for t in extract_document(parse_file(path)).targets)
    assert got == [(2025, "ge", Decimal(1600), "个"), (2027, "ge", Decimal(1800), "个")]
