"""Conventions real offices write that the first rules missed: a 保障措施 item that charges a named
body in running text, deadlines stated once for a whole section, and similar. Each case is a small
document written for the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from extractors.run import extract_document
from pipeline.run import parse_file


def _tasks(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(parse_file(path)).tasks


_BRACKETED = ("某市2024年民生实事项目实施方案\n一、重点项目\n（一）新建幼儿园3所。（主办单位：市教育局；协办单位：市财政局）\n"
              "（二）改造老旧小区20个。（主办单位：市住建局；协办单位：市自然资源局）\n二、保障措施\n")


def test_a_guarantee_item_charging_a_named_body_is_a_measure(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _BRACKETED + "（一）强化宣传引导。市融媒体中心要开设专栏，跟踪报道项目进展。\n"
                                          "（二）加强统筹协调。各县（区）政府要高度重视，抓好落实。\n"
                                          "（三）压实工作责任。县（区）政府要落实属地责任，园区管委会要细化任务。\n")
    by_title = {t.title: t for t in tasks}
    assert [u.name for u in by_title["强化宣传引导"].unassigned_units] == ["市融媒体中心"]
    assert not by_title["强化宣传引导"].lead  # no role stated: never promoted to lead
    assert "加强统筹协调" not in by_title  # a call on every county is a general requirement
    assert "压实工作责任" not in by_title  # so is one on a kind of body (县（区）政府, 园区管委会)


def test_a_deadline_stated_once_for_a_part_dates_each_of_its_measures(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某市2024年数字政府建设工作要点\n一、重点任务\n（一）夯实基础支撑\n本部分任务于2024年底前完成。\n"
                             "1.升级政务云平台。（牵头单位：市数据局）\n2.完善电子政务外网。2024年6月底前完成改造。（牵头单位：市数据局）\n"
                             "（二）优化政务服务\n3.推进一网通办。（牵头单位：市政务办）\n4.深化一件事改革。（牵头单位：市政务办）\n"
                             "本部分任务均于2025年6月底前完成。\n（三）强化数据治理\n5.完善数据目录。（牵头单位：市数据局）\n")
    due = {t.title: [d.text for d in t.deadlines] for t in tasks}
    assert due["升级政务云平台"] == ["2024年底前"]
    assert due["完善电子政务外网"] == ["2024年6月底前", "2024年底前"]  # its own date first, the part's kept
    assert due["推进一网通办"] == due["深化一件事改革"] == ["2025年6月底前"]  # the note after the part's last item
    assert due["完善数据目录"] == []


def test_an_item_without_a_bracket_among_bracketed_ones_is_still_a_measure(tmp_path: Path) -> None:
    # a 政府工作报告 分工: most items name their units, a few do not; each is a measure to track
    tasks = _tasks(tmp_path, "某省政府工作报告重点工作责任分工\n一、加快构建现代化产业体系\n"
                             "（一）深入实施项目带动战略。全年安排省大中型项目3000个以上。（牵头单位：省发展改革委；责任单位：省财政厅）\n"
                             "（二）推动现代服务业提质增效。大力发展现代物流、工业设计等生产性服务业。\n"
                             "二、深化改革开放\n（三）深化财税体制改革。推进省以下财政体制改革，严控一般性支出。\n"
                             "（四）扩大高水平对外开放。全年开行中欧班列600列以上。（省商务厅牵头，省交通运输厅按职责分工负责）\n")
    assert [t.title for t in tasks] == ["深入实施项目带动战略", "推动现代服务业提质增效", "深化财税体制改革", "扩大高水平对外开放"]
    assert not tasks[1].lead and not tasks[1].unassigned_units  # no unit named: none guessed


def test_a_campaign_until_a_date_and_a_duty_from_a_month_on(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某区城中村消防安全专项行动方案\n一、重点任务\n"
                             "（一）开展隐患排查。即日起至2024年8月31日，全面排查城中村消防隐患。（区应急管理局牵头，各街道配合）\n"
                             "（二）加强日常巡查。2024年3月起，每月开展一次联合巡查。（区消防救援大队牵头，各街道配合）\n")
    first, second = ([(d.text, d.kind, d.due) for d in t.deadlines] for t in tasks)
    assert first == [("即日起至2024年8月31日", "by_date", dt.date(2024, 8, 31))]
    assert [text for text, _, _ in second] == ["2024年3月起", "每月"]


def test_running_text_roles_offices_write_without_a_牵头_word(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某县乡村振兴实施方案\n一、重点任务\n"
                             "1.严格耕地保护。坚决遏制耕地“非农化”。县自然资源和规划局为第一责任单位，县农业农村局、县林业局配合。\n"
                             "2.加强产业帮扶。扶持带动脱贫人口增收的经营主体。具体工作由县乡村振兴局承担，县财政局配合。\n"
                             "3.培育新型经营主体。实施家庭农场提升行动。县农业农村局负总责，县市场监管局、县供销社参与。\n"
                             "4.压实属地责任。各乡镇人民政府对本辖区耕地保护负总责。\n")
    roles = [([u.name for u in t.lead], [u.name for u in t.supporting], [u.name for u in t.unassigned_units]) for t in tasks]
    assert roles == [
        (["县自然资源和规划局"], ["县农业农村局", "县林业局"], []),
        (["县乡村振兴局"], ["县财政局"], []),
        (["县农业农村局"], ["县市场监管局", "县供销社"], []),
        ([], [], ["各乡镇人民政府"]),  # 负总责 alone names no lead over anyone: unsplit
    ]


def test_a_note_after_a_group_states_roles_and_time_for_its_items(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某区消防安全专项行动方案\n一、重点任务\n（一）强化宣传发动\n"
                             "1.开展入户宣传。逐户发放消防安全告知书。区应急管理局负责提供宣传资料。\n"
                             "2.组织培训演练。每季度组织一次疏散演练。\n"
                             "以上工作由区委宣传部牵头，区应急管理局、各街道办事处配合，2024年3月起组织实施。\n"
                             "（二）压实主体责任\n3.推行业主承诺制。此项工作由区住房建设局主责，各街道办事处协同推进。\n")
    first, second, third = tasks
    assert [u.name for u in first.lead] == ["区委宣传部"]
    assert [u.name for u in first.supporting] == ["区应急管理局", "各街道办事处"]  # the note's role, not unsplit
    assert not first.unassigned_units
    assert [d.text for d in second.deadlines] == ["每季度", "2024年3月起"]
    assert ([u.name for u in third.lead], [u.name for u in third.supporting]) == (["区住房建设局"], ["各街道办事处"])


def _due(text: str, issued: dt.date):
    """(deadline text, due date) of ``text`` in a document issued on ``issued``."""
    from extractors.deadlines.find import extract_deadlines

    return [(d.text, d.due) for d in extract_deadlines(text, issued, current_year=issued.year)]


def test_this_year_and_next_year_months_fall_in_the_year_the_document_speaks_in() -> None:
    issued = dt.date(2024, 3, 1)
    assert _due("今年6月底前完成改造。", issued) == [("今年6月底前", dt.date(2024, 6, 30))]
    assert _due("明年6月底前全面建成。", issued) == [("明年6月底前", dt.date(2025, 6, 30))]
    assert _due("次年3月底前报送上年度情况。", issued)[0][1] is None  # every year's report: recurring, no one date


def test_a_year_opening_a_clause_that_commits_to_a_figure_is_the_measures_due_year() -> None:
    assert _due("扩大政策性贷款投放，2022年全省外贸企业新增贷款100亿元以上。", dt.date(2022, 5, 20)) == [
        ("2022年", dt.date(2022, 12, 31))]
    assert _due("巩固成效，2022年进口、出口整体通关时间分别控制在35小时、1.5小时以内。", dt.date(2022, 5, 20))
    assert _due("持续发力，2020年全省外贸企业新增贷款100亿元。", dt.date(2022, 5, 20)) == []  # history
    assert _due("推动增长，2022年基础上增长10%。", dt.date(2021, 5, 20)) == []  # a base, not a due year
    # a later year's total still to reach (累计) is due then; an earlier year's total is history
    assert [t for t, _ in _due("2020年推动3000家企业上云，2022年累计达到1万家。", dt.date(2020, 3, 1))] == ["2020年", "2022年"]
    assert _due("2019年累计达到1万家。", dt.date(2020, 3, 1)) == []


def test_a_this_item_note_after_a_groups_last_item_charges_the_items_naming_no_unit(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某市促进消费行动方案\n一、重点任务\n（一）培育消费新场景\n"
                             "1.打造夜间消费集聚区。到2025年建成10个。\n2.发展首发经济。支持品牌首店落地。\n"
                             "此项工作由市商务局牵头，市文旅局、市财政局配合。\n（二）提升消费环境\n"
                             "3.开展放心消费行动。此项工作由市市场监管局牵头。\n4.畅通维权渠道。完善投诉处理机制。\n"
                             "此项工作由市消费者协会负责。\n")
    roles = {t.title: ([u.name for u in t.lead], [u.name for u in t.supporting], [u.name for u in t.unassigned_units])
             for t in tasks}
    assert roles["打造夜间消费集聚区"] == roles["发展首发经济"] == (["市商务局"], ["市文旅局", "市财政局"], [])
    assert roles["开展放心消费行动"] == (["市市场监管局"], [], [])  # its own note: the next one is not its
    assert roles["畅通维权渠道"] == ([], [], ["市消费者协会"])


def test_a_call_for_applications_lists_its_conditions_and_contacts_not_as_measures(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "工业和信息化部办公厅关于开展2022年特色产业集群申报工作的通知\n一、工作目标\n到2025年，培育200个左右集群。\n"
                             "二、申报条件\n（一）主导产业聚焦。集群主导产业占比不低于50%。\n（二）中小企业集聚。集群内中小企业不少于30家。\n"
                             "三、申报程序\n（一）自愿申报。符合条件的县级人民政府自愿申报。\n"
                             "（二）审核推荐。省级中小企业主管部门负责审核，于2022年8月31日前推荐。\n"
                             "四、联系方式\n（一）联系人：张某某，电话：010-12345678。\n")
    assert [t.title for t in tasks] == ["自愿申报", "审核推荐"]


def test_the_bodies_a_dated_phase_charges_are_its_units(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某县燃气安全专项整治方案\n一、整治内容\n（一）开展燃气企业整治。（县城管局牵头，县应急管理局配合）\n"
                             "二、实施步骤\n（一）动员部署阶段（2023年6月20日前）。各乡（镇）要制定具体实施方案。\n"
                             "（二）集中攻坚阶段（2023年10月—12月）。县城管局会同县应急管理局组织开展联合执法检查。\n")
    phase = next(t for t in tasks if t.title.startswith("集中攻坚阶段"))
    assert ([u.name for u in phase.lead], [u.name for u in phase.supporting]) == (["县城管局"], ["县应急管理局"])
    assert [d.text for d in phase.deadlines][0] == "2023年10月—12月"


def test_research_directions_describe_fields_and_are_not_measures(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某省科技创新赋能产业链实施方案\n一、总体要求\n坚持创新驱动。\n二、产业链科技攻关方向\n"
                             "（一）电子信息产业链。聚焦新型显示等领域，重点突破Micro LED芯片等关键技术。\n"
                             "（二）装备制造产业链。聚焦航空等领域，重点突破大型无人机飞控系统等关键技术。\n"
                             "三、重点任务\n（一）强化关键核心技术攻关\n1．实施重大科技研发专项。每年组织实施重大科技项目50项。（省科技厅牵头，省财政厅配合）\n"
                             "2．深化揭榜挂帅机制。面向全国张榜。（省科技厅牵头，省工业和信息化厅配合）\n")
    assert [t.title for t in tasks] == ["实施重大科技研发专项", "深化揭榜挂帅机制"]


def test_a_pilot_notices_contents_and_application_rules_are_not_measures(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "工业和信息化部办公厅关于开展2022年两化融合试点示范工作的通知\n一、工作目标\n遴选一批试点示范项目。\n"
                             "二、试点内容\n（一）数字化转型促进中心。建设一批促进中心，提供诊断服务。\n（二）数据管理能力提升。推动企业贯标。\n"
                             "三、申报要求\n（一）每个项目只能申报一个方向。\n（二）联合申报的，牵头单位不超过1家。\n"
                             "四、工作程序\n（一）各省级工业和信息化主管部门于2022年8月31日前推荐项目。\n（二）我部组织专家评审。\n")
    assert [t.title[:8] for t in tasks] == ["各省级工业和信息", "我部组织专家评审"]


def test_beside_charged_measures_a_boxs_projects_are_not_measures_unless_a_line_is_charged(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某省制造业数字化转型行动方案\n一、重点任务\n（一）推进智能化改造。每年实施技改项目1000个。（省工业和信息化厅负责）\n"
                             "专栏1　智能制造工程\n1．智能工厂建设工程。到2025年，建设智能工厂200个。\n"
                             "2．数字化车间建设工程。建设数字化车间1000个。（责任单位：省工业和信息化厅）\n"
                             "（二）培育工业互联网平台。（省工业和信息化厅牵头，省通信管理局配合）\n")
    assert [t.title for t in tasks] == ["推进智能化改造", "数字化车间建设工程", "培育工业互联网平台"]


def test_a_stated_first_listed_rule_holds_across_a_comma_and_a_customs_office_is_a_unit(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某自治区促进平台经济规范健康发展若干措施\n一、重点任务\n"
                             "（一）优化准入。做好工作。（自治区市场监管局、自治区商务厅按职责分工负责，列第一位者为牵头单位，下同）\n"
                             "（二）发展跨境平台。做好工作。（自治区商务厅、南宁海关，南宁市人民政府按职责分工负责）\n")
    second = tasks[1]
    assert [u.name for u in second.lead] == ["自治区商务厅"]
    assert [u.name for u in second.supporting] == ["南宁海关", "南宁市人民政府"]


def test_a_body_of_no_known_shape_beside_units_is_kept_as_unknown_not_dropped(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "某省稳外贸若干措施\n一、重点任务\n（一）加大出口信用保险支持。扩大承保规模。"
                             "（省商务厅、中国出口信用保险公司江西营业部负责）\n（二）加快退税。做好工作。（省税务局负责，2024年底前完成）\n")
    first, second = tasks
    assert [(u.name, u.known) for u in first.unassigned_units] == [("省商务厅", True), ("中国出口信用保险公司江西营业部", False)]
    assert [u.name for u in second.unassigned_units] == ["省税务局"]  # the time is no unit


def test_bodies_organising_work_by_their_duties_are_charged_in_running_text(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "关于加快构建全国一体化大数据中心协同创新体系的指导意见\n一、重点任务\n"
                             "（一）开展绿色数据中心创建。每年遴选一批绿色数据中心。工业和信息化部、国家能源局按职责分工组织开展绿色数据中心评价。\n"
                             "（二）加强统筹。国家发展改革委负责建立工作机制。\n")
    assert [u.name for u in tasks[0].unassigned_units] == ["工业和信息化部", "国家能源局"]


_MARKED = ("某市人民政府办公室关于印发重点工作责任清单的通知\n各镇乡人民政府：\n现将清单印发给你们，请认真抓好落实。\n\n附件\n\n"
           "重点工作责任清单\n\n{note}序号\t主要工作\t责任单位\n"
           "1\t生产总值增长7.5%左右。\t▲发改局，统计局，各镇乡（街道）\n"
           "2\t一般公共预算收入增长7.5%。\t▲税务局，财政局\n"
           "3\t完成上级下达的能源指标。\t经信局，生态环境分局\n")


def test_a_stated_mark_for_the_lead_makes_the_marked_units_lead(tmp_path: Path) -> None:
    first, second, third = _tasks(tmp_path, _MARKED.format(note="（标▲的为牵头单位）\n\n"))
    assert [u.name for u in first.lead] == ["发改局"] and [u.name for u in first.supporting] == ["统计局", "各镇乡（街道）"]
    assert [u.name for u in second.lead] == ["税务局"] and [u.name for u in second.supporting] == ["财政局"]
    # a row with no mark states no lead under the rule: its units stay unsplit
    assert not third.lead and [u.name for u in third.unassigned_units] == ["经信局", "生态环境分局"]


def test_a_mark_no_legend_explains_states_no_role(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _MARKED.format(note=""))
    assert not any(t.lead or t.supporting for t in tasks)
    assert [u.name for u in tasks[0].unassigned_units] == ["发改局", "统计局", "各镇乡（街道）"]  # the mark is no part of a name


def test_a_heading_that_names_its_lead_charges_its_items(tmp_path: Path) -> None:
    text = ("2025年县政府工作报告任务清单\n一、县示范区管委会牵头工作(2项)\n1.打造食用菌酵素生产基地。\n"
            "2.建设劳动密集型产业园。（县工信局牵头）\n二、县发展和改革局牵头工作(1项)\n3.推进重大项目前期工作。\n"
            "三、加强组织保障\n4.各单位要明确专人负责。\n")
    first, second, third, fourth = _tasks(tmp_path, text)
    assert [u.name for u in first.lead] == ["县示范区管委会"]
    # an item that names its own lead keeps it: the heading's unit supports there
    assert [u.name for u in second.lead] == ["县工信局"] and [u.name for u in second.supporting] == ["县示范区管委会"]
    assert [u.name for u in third.lead] == ["县发展和改革局"]
    assert not fourth.lead


def test_a_body_every_measure_involves_is_named_once_and_a_data_provider_is_no_owner(tmp_path: Path) -> None:
    text = ("某省现代流通体系建设实施方案\n一、重点任务\n"
            "（一）完善流通网络。建设区域物流枢纽。〔责任单位：省发展改革委、省商务厅按职责分工负责。"
            "具体任务均涉及各市（州）人民政府，不再做分工，下同。〕\n"
            "（二）发展现代物流。推进冷链物流设施建设。〔责任单位：省商务厅〕\n"
            "（三）扩大消费规模。社会消费品零售总额增长8%。（牵头单位：省商务厅；数据提供单位：省统计局）\n")
    first, second, third = _tasks(tmp_path, text)
    names = lambda t: [u.name for u in (*t.lead, *t.supporting, *t.unassigned_units)]  # noqa: E731
    assert names(first) == ["省发展改革委", "省商务厅", "各市（州）人民政府"]
    assert names(second) == ["省商务厅", "各市（州）人民政府"]
    assert [u.name for u in third.lead] == ["省商务厅"] and "省统计局" not in names(third)


def test_a_note_in_the_first_bracket_charging_every_later_measure_is_no_unit_of_its_own(tmp_path: Path) -> None:
    text = ("某市纾困实施细则\n一、加大财税支持\n1.设立工业强市专项引导资金。(责任单位:市工信局、市财政局,各县区人民政府。"
            "以下政策措施均需各县区人民政府、园区管委会落实,不再单独列出)\n2.每年培育星级上云企业50家。(责任单位:市工信局)\n")
    first, second = _tasks(tmp_path, text)
    assert [u.name for u in first.unassigned_units] == ["市工信局", "市财政局", "各县区人民政府"]
    assert [u.name for u in second.unassigned_units] == ["市工信局", "各县区人民政府", "园区管委会"]


def test_the_bodies_a_collective_includes_are_units_of_its_role(tmp_path: Path) -> None:
    text = ("某市重点工作责任分解\n一、重点工作\n1.推进工作落实。（牵头单位：市发展改革委；责任单位：市财政局，"
            "各区县政府（含南太湖新区、长合区管委会））\n2.推进工作二。（责任单位：市商务局、各县（市、区）人民政府（含高新区管委会））\n")
    first, second = _tasks(tmp_path, text)
    assert [u.name for u in first.supporting] == ["市财政局", "各区县政府", "南太湖新区", "长合区管委会"]
    assert [u.name for u in second.unassigned_units] == ["市商务局", "各县（市、区）人民政府", "高新区管委会"]


def test_a_collective_with_its_included_bodies_before_a_convention_and_offices_et_cetera(tmp_path: Path) -> None:
    text = ("某市政府工作报告重点工作责任分解\n一、重点工作\n1.推进工作落实。\n责任单位:市政府办公室、各区县政府"
            "(含南太湖新区、长合区管委会)(列第一位的为工作牵头单位,下同)\n"
            "2.推进政务公开。\n责任单位:市政府办公室、就业指导中心等有关处室(单位)\n")
    first, second = _tasks(tmp_path, text)
    assert [u.name for u in first.supporting] == ["各区县政府", "南太湖新区", "长合区管委会"]
    assert [u.name for u in second.supporting] == ["就业指导中心"]


def test_the_unit_that_hosts_leads_and_the_units_that_assist_support(tmp_path: Path) -> None:
    text = ("某省政府工作报告重点工作分工\n一、主要目标\n（一）地区生产总值增长8%左右。（省发改委负责）\n"
            "（二）公共财政收入增长9%左右。（省财政厅主办，省税务局、省统计局协办）\n")
    first, second = _tasks(tmp_path, text)
    assert not first.lead and [u.name for u in first.unassigned_units] == ["省发改委"]
    assert [u.name for u in second.lead] == ["省财政厅"] and [u.name for u in second.supporting] == ["省税务局", "省统计局"]


def test_a_responsibility_breakdown_grouped_by_lead_units_under_each_leader(tmp_path: Path) -> None:
    # 省人民政府工作目标责任分解: each leader's part holds (一)X牵头的工作 groups; a group with no items
    # is its own measure, and a 协同单位 line after a group's last item is that item's
    text = ("某省人民政府关于印发2008年省人民政府工作目标责任分解的通知\n一、省长负责的工作\n"
            "(一)省监察厅牵头的工作\n加强行政监察工作。\n(二)省编办牵头的工作\n1.深化行政管理体制改革。\n"
            "2.积极稳妥地推进乡镇机构改革。\n协同单位:省财政厅、省农业厅等省直有关部门和各市人民政府。\n")
    first, second, third = _tasks(tmp_path, text)
    assert [t.task_id.split(":")[1] for t in (first, second, third)] == ["一.（一）", "一.（二）.1", "一.（二）.2"]
    assert [[u.name for u in t.lead] for t in (first, second, third)] == [["省监察厅"], ["省编办"], ["省编办"]]
    assert not second.supporting
    assert [u.name for u in third.supporting] == ["省财政厅", "省农业厅", "各市人民政府"]


def test_a_series_of_tiers_with_their_alternate_names_in_brackets_is_one_collective(tmp_path: Path) -> None:
    # a province's 若干政策措施 copied from a PDF: spaces around the brackets
    text = ("某省推动工业振兴若干政策措施\n一、推动传统产业改造升级\n1.支持企业技术改造。对项目给予贴息。"
            "〔省工信厅、省财政厅, 各市 (地) 、县 (市) 政府 (行署) 〕\n"
            "2.支持企业绿色化改造。给予奖励。（省工信厅，县（市）政府（行署））\n")
    first, second = _tasks(tmp_path, text)
    assert [u.name for u in first.unassigned_units] == ["省工信厅", "省财政厅", "各市(地)、县(市)政府(行署)"]
    assert [u.name for u in second.unassigned_units] == ["省工信厅", "县（市）政府（行署）"]


def test_a_role_word_after_especially_names_no_body(tmp_path: Path) -> None:
    text = ("某市2024年政府工作报告重点工作责任分解\n一、要抓紧部署实施。各责任单位要系统谋划所承办的各项任务，"
            "特别是牵头单位要统筹相关单位科学制定具体工作方案。\n二、重点工作\n1.推进工作落实。（责任单位：市发展改革委）\n")
    names = [u.name for t in _tasks(tmp_path, text) for u in (*t.lead, *t.supporting, *t.unassigned_units)]
    assert names == ["市发展改革委"]
