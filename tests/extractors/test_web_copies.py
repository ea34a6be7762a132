"""A 重点工作 分解 notice as a government site's page copies it: the site's furniture (an unclosed
【字体 button), every line indented and followed by a blank line, each item's 牵头负责领导 /
牵头责任单位 / 协同责任单位 / 完成时限 on lines of their own, and a 分解表 copied one cell per line."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.run import extract_document
from pipeline.run import parse_file

_PAGE = """【重点工作】某市人民政府关于2024年市政府重点工作及责任分解的通知

    发布时间:2024-02-06 09:30
    【字体:打印

    各县、区人民政府,市政府各部门、各直属机构:

    市政府研究确定了2024年重点工作,同时明确各项工作的牵头负责领导、牵头责任单位和协同责任单位。

    一、确保完成全年主要预期目标

    1. 地区生产总值增长7%左右。

    牵头负责领导:王明。

    牵头责任单位:市发展改革委。

    协同责任单位:市经信局、市商务局等,各县、区政府。

    完成时限:2024年12月31日

    2. 一般公共预算收入增长6%。

    牵头负责领导:李强。

    牵头责任单位:市财政局。

    协同责任单位:市税务局、市人行等。

    3. 城镇新增就业2.5万人。

    牵头负责领导:王明。

    牵头责任单位:市人社局。

    协同责任单位:市政府各部门。
"""

_TABLE = """某市2024年政府工作报告重点工作责任分解

一、今年主要工作任务

序号

主 要 工 作 任 务

责任单位

1

规上工业增加值增长8%。

市经信局

2

新增高新技术企业200家。

市科技局

3

完成造林绿化1.2万亩。

市林业局
"""


# a 任务清单 page copied onto one line, its cells apart by runs of spaces; {lead}: what the first
# group title says after its name
_ONE_LINE = ("某市2025年度优化营商环境工作任务清单   序号   2025年度工作任务   责任单位   "
             "一、对标先进提升专项行动   (一)市场准入{lead}   1   推行经营主体登记全程电子化,提升登记便利度。   市市场监管局   "
             "2   深化企业开办一件事改革,压缩开办时间。   市市场监管局、市税务局   "
             "(二)获取经营场所   3   推行工业用地标准地出让,降低企业用地成本。   市规划自然资源局\n")


def _extraction(tmp_path: Path, text: str):
    path = tmp_path / "fenjie.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(parse_file(path))


def _tasks(tmp_path: Path, text: str):
    return _extraction(tmp_path, text).tasks


def test_labelled_lines_of_a_copied_page_give_each_item_its_roles_and_time(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _PAGE)
    assert [t.task_id.split(":")[1] for t in tasks] == ["一.1", "一.2", "一.3"]
    first, second, third = tasks
    assert [u.name for u in first.lead] == ["市发展改革委"]
    assert [u.name for u in first.supporting] == ["市经信局", "市商务局", "各县、区政府"]
    assert [d.text for d in first.deadlines] == ["2024年12月31日"]
    assert [u.name for u in second.lead] == ["市财政局"]
    assert [u.name for u in second.supporting] == ["市税务局", "市人行"]
    assert [u.name for u in third.lead] == ["市人社局"] and not third.unassigned_units
    assert not any("王明" in u.name or "李强" in u.name for t in tasks for u in (*t.lead, *t.supporting, *t.unassigned_units))


def test_a_table_copied_one_cell_per_line_with_blank_lines_between_gives_its_rows(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _TABLE)
    assert [t.title for t in tasks] == ["规上工业增加值增长8%", "新增高新技术企业200家", "完成造林绿化1.2万亩"]
    # a 责任单位 column with no 牵头 column states no lead
    assert [[u.name for u in t.unassigned_units] for t in tasks] == [["市经信局"], ["市科技局"], ["市林业局"]]
    assert not any(t.lead for t in tasks)


@pytest.mark.parametrize("task_header", ["2024年预期目标", "主要工作"])
def test_a_table_of_a_years_goals_with_a_unit_column_gives_one_measure_a_row(tmp_path: Path, task_header: str) -> None:
    table = _TABLE.replace("主 要 工 作 任 务", task_header)
    tasks = _tasks(tmp_path, table)
    assert [[u.name for u in t.unassigned_units] for t in tasks] == [["市经信局"], ["市科技局"], ["市林业局"]]


def test_a_table_copied_onto_one_line_gives_its_rows_under_their_group_titles(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _ONE_LINE.format(lead=""))
    assert [t.task_id.split(":")[1] for t in tasks] == ["一.（一）.1", "一.（一）.2", "一.（二）.3"]
    assert [[u.name for u in t.unassigned_units] for t in tasks] == [
        ["市市场监管局"], ["市市场监管局", "市税务局"], ["市规划自然资源局"]]


def test_a_headings_item_count_is_no_target_and_an_items_number_is_no_part_of_its_indicator(tmp_path: Path) -> None:
    text = ("某区规划纲要任务分工方案\n\n第一部分 区政府主责任务(312项)\n\n一、主要指标(30项)\n\n(一)约束性指标(15项)\n\n"
            "1.森林覆盖率达到36.5%。\n\n牵头单位:区园林绿化局\n\n2.生活垃圾回收利用率大于37.5%。\n\n牵头单位:区城市管理委\n")
    targets = _extraction(tmp_path, text).targets
    assert [(t.indicator, str(t.value), t.unit) for t in targets] == [("森林覆盖率", "36.5", "%"), ("生活垃圾回收利用率", "37.5", "%")]


_RECORD = """  • 索 引 号:XM00102-13-00-2024-001
  • 备注/文号:某营商办〔2024〕3号
  • 发布机构:某市发展和改革委员会
  • 成文日期:2024-03-20
某市优化营商环境工作推进小组办公室关于印发行动方案任务分解表的通知
发布时间:2024-03-26

序号

章节

方案内容

牵头部门

1

1.便利市场准入退出

全面落实市场准入负面清单制度，破除隐性壁垒。

市发改委

2

推行经营主体登记全程网办,便利企业开办。

▲市市场监管局

3

2.优化政务服务

深化“一件事一次办”改革，扩大跨域通办范围。

市政务服务中心

4

推进政务服务事项标准化，编制办事指南。

市政务服务中心
"""


def test_a_sites_record_is_no_measure_and_a_column_merged_over_rows_groups_them(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, _RECORD)
    assert [t.task_id.split(":")[1] for t in tasks] == ["1.1", "1.2", "2.3", "2.4"]
    assert tasks[1].title == "推行经营主体登记全程网办"  # a web copy's ASCII comma ends the title too
    # a mark before a name (▲) is no part of it; the 牵头部门 column leads
    assert [[u.name for u in t.lead] for t in tasks] == [["市发改委"], ["市市场监管局"], ["市政务服务中心"], ["市政务服务中心"]]


def test_a_work_plans_items_after_the_sites_furniture_are_measures(tmp_path: Path) -> None:
    page = ("当前位置 > 首页 > 某开发区 > 重点工作\n\n某开发区2024年9月主要工作安排\n\n"
            "来源:某开发区发布时间:2024-09-04 15:03:58访问量:字体\n\n"
            "1.聚焦关键指标强化调度分析，推动主要经济指标加快提升。全力抓好产业招商重点工作。\n\n"
            "2.深入谋划推进三大转型战略空间，加快高端装备产业园规划落地。\n\n"
            "3.持续推进空气质量攻坚，全力打造“无废园区”。\n")
    assert [t.task_id.split(":")[1] for t in _tasks(tmp_path, page)] == ["1", "2", "3"]


def test_a_group_title_that_names_its_lead_gives_its_rows_that_lead(tmp_path: Path) -> None:
    first, second, third = _tasks(tmp_path, _ONE_LINE.format(lead="(牵头单位:市市场监管局)"))
    assert [u.name for u in first.lead] == ["市市场监管局"] and not first.unassigned_units
    assert [u.name for u in second.lead] == ["市市场监管局"] and [u.name for u in second.supporting] == ["市税务局"]
    # the next group names no lead: its row's unit keeps no role
    assert not third.lead and [u.name for u in third.unassigned_units] == ["市规划自然资源局"]


def test_a_table_filtered_to_one_bureaus_rows_keeps_its_empty_groups_out_of_the_way(tmp_path: Path) -> None:
    # a 局's page of the 分解表: only its own rows, under every group title of the whole table
    table = ("某区教育局2025年政府工作报告重点工作任务分解表\n\n序号\n\n重点工作任务\n\n主要责任单位\n\n协同配合单位\n\n"
             "一、主要预期目标\n\n3\n\n固定资产投资增长7.5%左右。\n\n区发改委\n\n区教育局\n\n"
             "二、全力以赴扩投资\n\n三、全力以赴延链条\n\n四、全力以赴增动能\n\n五、全力以赴促融合\n\n六、全力以赴惠民生\n\n"
             "68\n\n持续推进学前教育普及普惠。\n\n区教育局\n\n各乡镇\n\n"
             "69\n\n积极引进优质教育资源。\n\n区教育局\n\n区财政局\n")
    tasks = _tasks(tmp_path, table)
    assert [t.task_id.split(":")[1] for t in tasks] == ["一.3", "六.68", "六.69"]
    assert [[u.name for u in t.lead] for t in tasks] == [["区发改委"], ["区教育局"], ["区教育局"]]
    assert [[u.name for u in t.supporting] for t in tasks] == [["区教育局"], ["各乡镇"], ["区财政局"]]


def test_the_rows_of_a_documents_one_table_under_no_heading_are_cited_by_their_number(tmp_path: Path) -> None:
    # cells one per line, each closed by its column's "|"
    table = ("重点任务分工及进度安排表\n序号 |\n工作任务 |\n责任单位 |\n时间进度 |\n"
             "1 |\n完善旅游议事制度，每半年召开一次会议。 |\n市旅游局 |\n持续实施 |\n"
             "2 |\n加强对区县旅游工作的组织领导。 |\n各区县人民政府 |\n持续实施 |\n"
             "3 |\n完善旅游应急管理体系，制订应急预案。 |\n市旅游局、各区县人民政府 |\n2016年6月底前取得阶段性成果 |\n")
    tasks = _tasks(tmp_path, table)
    assert [t.task_id.split(":")[1] for t in tasks] == ["1", "2", "3"]
    assert [d.text for d in tasks[2].deadlines] == ["2016年6月底前取得阶段性成果"]  # the 时间进度 cell as written


def test_a_bureaus_share_of_a_list_keeps_its_items_whatever_their_numbers(tmp_path: Path) -> None:
    # one bureau's items of the city's 分工 (28. 34. 35.), after an article line that ends in two spaces
    page = ("2020年某市政府工作报告责任分工-市交通运输局\n\n2020-07-08   作者: 点击数:  \n\n"
            "28.加快农村公路提档升级，完成道路硬化任务。\n\n牵头单位:市交通运输局\n\n配合单位:市农业农村局、市财政局等。\n\n"
            "34.开工建设机场航站楼改扩建工程。\n\n牵头单位:市交通运输局\n\n实施单位:某国际机场集团\n\n"
            "35.规划建设高铁网，推动高铁二通道开工建设。\n\n牵头单位:市交通运输局\n")
    tasks = _tasks(tmp_path, page)
    assert [t.number for t in tasks] == ["28.", "34.", "35."]
    assert [u.name for u in tasks[0].supporting] == ["市农业农村局", "市财政局"]


def test_a_column_of_a_years_goals_gives_its_rows_targets_that_year(tmp_path: Path) -> None:
    targets = _extraction(tmp_path, _TABLE.replace("主 要 工 作 任 务", "2024年预期目标")).targets
    assert [(t.indicator, str(t.value), t.year) for t in targets][:2] == [
        ("规上工业增加值", "8", 2024), ("新增高新技术企业", "200", 2024)]


def test_a_bureaus_own_table_charges_its_offices(tmp_path: Path) -> None:
    table = _TABLE.replace("责任单位", "责任处室").replace("市经信局", "规划处").replace("市科技局", "财务处")
    tasks = _tasks(tmp_path, table)
    assert [[u.name for u in t.unassigned_units] for t in tasks][:2] == [["规划处"], ["财务处"]]


def test_a_progress_table_copied_one_cell_per_line_keeps_its_empty_cells(tmp_path: Path) -> None:
    # a 督查室's 进展情况 table: a blank line after each cell, and an empty 配合部门 cell written as
    # a line holding one space
    cells = ["序号", "工作任务", "牵头部门", "配合部门", "上半年推进情况",
             "一、经济社会发展主要预期目标分解(3项)",
             "1", "地区生产总值增长7%~7.5%", "市发改委", " ", "上半年地区生产总值增长7%",
             "2", "一般公共预算收入增长8%左右", "市财政局", "市国税局,市地税局", "上半年一般公共预算收入990亿元",
             "3", "实际使用外资60亿美元左右", "市商务局", " ", "年度统计"]
    tasks = _tasks(tmp_path, "某市2017年上半年政府工作任务进展情况汇总表\n\n" + "\n\n".join(cells) + "\n")
    assert [t.title for t in tasks] == ["地区生产总值增长7%~7.5%", "一般公共预算收入增长8%左右", "实际使用外资60亿美元左右"]
    assert [[u.name for u in t.lead] for t in tasks] == [["市发改委"], ["市财政局"], ["市商务局"]]
    assert [[u.name for u in t.supporting] for t in tasks] == [[], ["市国税局", "市地税局"], []]


def test_a_row_copied_one_cell_per_line_without_its_last_cell_ends_at_the_next_rows_number(tmp_path: Path) -> None:
    # 责任领导 named for some rows only: the rows without one are a cell short
    cells = ["序号", "主要工作举措", "牵头单位", "配合单位", "责任领导", "一、做大做强主导产业",
             "1", "加快构建现代化产业体系。", "区农业农村局", "区发展改革局、区工业和信息化局",
             "2", "加快在建项目的建设进度。", "经济区管委会", "自然资源分局、区发展改革局", "冯冬昌",
             "3", "推动一批项目签约落地。", "经济区管委会", "生态环境分局", "冯冬昌"]
    tasks = _tasks(tmp_path, "某区2024年政府工作报告主要工作任务分解表\n\n" + "\n\n".join(cells) + "\n")
    assert [[u.name for u in t.lead] for t in tasks] == [["区农业农村局"], ["经济区管委会"], ["经济区管委会"]]
    assert [[u.name for u in t.supporting] for t in tasks][0] == ["区发展改革局", "区工业和信息化局"]


def test_a_page_flattened_to_one_line_with_items_apart_by_spaces_gives_its_items(tmp_path: Path) -> None:
    page = ("某县人民政府办公室关于印发政府工作报告2022年重点工作责任分解的通知 各镇人民政府(街道办事处),县政府各部门:"
            "《政府工作报告2022年重点工作责任分解》已经县政府讨论确定,现印发给你们,请认真贯彻执行。各级各部门要高度重视,"
            "加强组织领导,明确具体任务,细化工作方案,确保按时完成既定的目标任务。 某县人民政府办公室 2022年4月18日 "
            "政府工作报告2022年重点工作责任分解 一、县长牵头重点工作 1.全县生产总值增长7.5%左右;一般公共预算收入增长8.5%。"
            " 责任单位:县发改局(首位单位为牵头单位,下同)、县财政局、县税务局 2.落实党政机关过紧日子的要求,节俭办一切事业,"
            "全县非刚性、非重点项目支出预算只减不增。 责任单位:县财政局 3.深化数字化改革,推进政务服务事项全程网办,"
            "提升群众和企业办事便利度。 责任单位:县大数据局、县政务服务中心 二、副县长牵头重点工作 1.坚持县政府常务会议集体学法,"
            "加强重大行政决策合法性审查。 责任单位:县司法局、县政府办\n")
    tasks = _tasks(tmp_path, page)
    assert [t.task_id.split(":")[1] for t in tasks] == ["一.1", "一.2", "一.3", "二.1"]
    assert [[u.name for u in t.lead] for t in tasks] == [["县发改局"], ["县财政局"], ["县大数据局"], ["县司法局"]]
    assert [u.name for u in tasks[0].supporting] == ["县财政局", "县税务局"]


def test_a_request_that_names_application_papers_is_a_measure_not_a_section_on_them(tmp_path: Path) -> None:
    text = ("工业和信息化部办公厅关于组织申报2017年工业稳增长和转型升级成效明显市的通知\n各省工业和信息化主管部门:\n"
            "有关事项通知如下:\n一、请各省工业和信息化主管部门按照实施办法,积极组织评选推荐。\n"
            "二、请各省工业和信息化主管部门于2018年2月24日前将申报材料报工业和信息化部。\n特此通知。\n")
    tasks = _tasks(tmp_path, text)
    assert [t.task_id.split(":")[1] for t in tasks] == ["一", "二"]
    assert [u.name for u in tasks[1].unassigned_units] == ["各省工业和信息化主管部门"]
    assert [d.text for d in tasks[1].deadlines] == ["于2018年2月24日前"]


def test_a_notices_own_requests_above_the_document_it_issues_under_its_title_are_no_measures(tmp_path: Path) -> None:
    text = ("区人民政府办公室关于印发2023年区《政府工作报告》确定的主要目标任务责任分解方案的通知\n"
            "各街道办事处,区人民政府各部门:\n现印发给你们,并就有关事项通知如下:\n"
            "一、各责任单位要高度重视,制订工作方案,并于2023年1月15日前将工作方案报区人民政府办公室。\n"
            "二、区绩效考评机构要将重要目标任务纳入绩效管理考核范围,确保各项工作落到实处。\n"
            "区人民政府办公室\n2023年1月3日\n2023年区《政府工作报告》确定的主要目标任务责任分解方案\n"
            "一、主要预期目标\n(一)地区生产总值增长7%以上\n责任单位:区发展和改革局\n"
            "(二)规上工业增加值增长12%以上\n责任单位:区科技和经信局\n")
    tasks = _tasks(tmp_path, text)
    assert [[u.name for u in t.unassigned_units] for t in tasks] == [["区发展和改革局"], ["区科技和经信局"]]
