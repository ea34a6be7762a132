"""分工 tables copied as text into a notice's 附件: their rows are the measures, whatever else the
lines between them look like."""

from __future__ import annotations

from pathlib import Path

from extractors.run import extract_document
from pipeline.run import parse_file

_NOTICE = "某市人民政府办公室关于印发规划重点任务分解方案的通知\n各县市区人民政府：\n现将分解表印发给你们，请认真抓好落实。\n\n附件\n\n重点任务分解表\n\n"


def _tasks(tmp_path: Path, table: str):
    path = tmp_path / "fenjie.txt"
    path.write_text(_NOTICE + table, encoding="utf-8")
    return extract_document(parse_file(path)).tasks


def test_group_titles_between_tab_separated_rows_keep_the_table_whole(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "序号\t规划任务\t牵头单位\t配合单位\t完成时限\n"
                             "一、打造先进制造业高地（共2项）\n"
                             "1\t做强轨道交通装备产业。到2025年，产业产值突破1500亿元。\t市工信局\t市发展改革委、市科技局、各县市区人民政府\t2025年底前\n"
                             "2\t壮大航空产业。推动研发制造协同发展。\t市工信局、芦淞区人民政府\t市发展改革委、各县市区人民政府\t每年\n"
                             "二、建设创新型城市（共1项）\n"
                             "3\t建设科技创新平台。争创国家级创新平台。\t市科技局\t市财政局\t2023年12月\n")
    assert [t.title for t in tasks] == ["做强轨道交通装备产业", "壮大航空产业", "建设科技创新平台"]
    first, second, third = tasks
    assert [u.name for u in first.lead] == ["市工信局"]
    assert [u.name for u in first.supporting] == ["市发展改革委", "市科技局", "各县市区人民政府"]
    assert [u.name for u in second.lead] == ["市工信局", "芦淞区人民政府"]  # two leads in one cell, as written
    assert [u.name for u in third.supporting] == ["市财政局"] and not third.unassigned_units
    # the task cell's own time stands beside the 完成时限 column's
    assert sorted(d.text for d in first.deadlines) == ["2025年底前", "到2025年"]



def test_a_scoring_table_that_charges_each_duty_to_a_unit_gives_measures(tmp_path: Path) -> None:
    duties = ("序号\t考核指标\t考核内容\t分值\t牵头考核单位\t配合考核单位\n"
              "1\t开办企业\t推行企业开办“一网通办”，企业开办时间压缩至1个工作日以内。\t5分\t市市场监管局\t市公安局、市税务局\n"
              "2\t获得电力\t推行电力接入工程审批“一窗受理、并联审批”。\t5分\t市经济和信息化局\t国网供电公司\n")
    tasks = _tasks(tmp_path, duties)
    assert [t.title for t in tasks] == ["开办企业", "获得电力"]
    assert [u.name for u in tasks[0].lead] == ["市市场监管局"]
    assert [u.name for u in tasks[0].supporting] == ["市公安局", "市税务局"]
    # indicators and points alone: scoring criteria, not measures
    points = ("序号\t考核指标\t单位\t2024年目标\t分值\t牵头考核单位\n"
              "1\t数字经济增加值\t亿元\t1500\t10\t市发展改革委\n2\t软件业务收入\t亿元\t300\t8\t市工信局\n")
    assert not _tasks(tmp_path, points)


def test_a_leaders_column_names_persons_and_group_titles_qualify_row_ids(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "序号\t工作任务\t牵头区领导\t牵头单位\t责任单位\t完成时限\n"
                             "一、主要预期目标\n"
                             "1\t全区地区生产总值增长6%左右。\t王振宇（区委副书记、区长）\t区发改局\t区统计局、各街道\t2024年12月底\n"
                             "二、做强产业\n"
                             "2\t新建5G基站600个。\t周立群（副区长）\t区工信局\t区住建局\t2024年9月底前\n")
    assert [t.task_id.split(":", 1)[1] for t in tasks] == ["附件.一.1", "附件.二.2"]  # under the notice's 附件
    assert [[u.name for u in t.lead] for t in tasks] == [["区发改局"], ["区工信局"]]  # never the 区长
    assert [u.name for u in tasks[0].supporting] == ["区统计局", "各街道"]


def test_a_three_column_table_copied_with_single_spaces_gives_its_rows(tmp_path: Path) -> None:
    # a law database's copy: 序号 | 工作任务 | 牵头负责部门, each row on one line, cells apart by one space
    tasks = _tasks(tmp_path, "序号 工 作 任 务 牵头负责部门\n1 居民消费价格涨幅3%左右 发展改革委\n"
                             "2 城镇新增就业1100万人以上 人力资源社会保障部\n3 推进5万个行政村通光纤 工业和信息化部\n")
    assert [t.title for t in tasks] == ["居民消费价格涨幅3%左右", "城镇新增就业1100万人以上", "推进5万个行政村通光纤"]
    assert [[u.name for u in t.lead] for t in tasks] == [["发展改革委"], ["人力资源社会保障部"], ["工业和信息化部"]]


def test_a_piped_table_whose_merged_cells_leave_rows_short_gives_a_measure_a_row(tmp_path: Path) -> None:
    # 工作任务 merged down its 具体要求 rows: the rows under the first carry one cell less
    tasks = _tasks(tmp_path, "工作任务 | 具体要求 | 责任部门 |\n"
                             "一、做好财政信息公开。 | 1.积极推进本中心预算、决算公开。 | 财务科 |\n"
                             "二、做好网站专栏信息公开。 | 2.及时更新网站频道的概况信息。 | 办公室 |\n"
                             "3.及时反馈网民对调查征集信息的意见。 | 信息科 | |\n"
                             "4.及时更新微信公众号信息。 | 办公室牵头,各科室配合 | |\n")
    assert [t.task_id.split(":")[1] for t in tasks] == ["附件.一.1", "附件.二.2", "附件.二.3", "附件.二.4"]
    assert [[u.name for u in t.unassigned_units] for t in tasks][:3] == [["财务科"], ["办公室"], ["信息科"]]
    assert [u.name for u in tasks[3].lead] == ["办公室"]


def test_rows_that_reach_the_time_column_are_read_by_columns_and_every_dated_clause_is_due(tmp_path: Path) -> None:
    # a 台账 with a 细化分工 column some rows leave out (merged into 工作任务) and an empty 备注
    # column; published in March after its February step was due
    path = tmp_path / "taizhang.txt"
    path.write_text(
        "发文日期: 2021年03月16日\n2021年政务公开工作重点任务台账 |\n"
        "序号 | 工作任务 | 细化分工 | 责任处室 | 完成时限 | 备注 |\n"
        "1 | 做好疫情防控信息发布 | 重点围绕隔离管控、流调溯源等发布权威信息 | 应急处、疾控处等按职责分工落实 | 长期推进 |\n|\n"
        "2 | 做好疫苗接种信息公开 | 疾控处 | 长期推进 |\n|\n"
        "3 | 推进预算、决算公开 | 财务处 | 2021年2月公布预算信息,2021年8月公布上年度决算信息 |\n|\n",
        encoding="utf-8")
    tasks = extract_document(parse_file(path)).tasks
    assert [[u.name for u in t.unassigned_units] for t in tasks] == [["应急处", "疾控处"], ["疾控处"], ["财务处"]]
    assert [[d.text for d in t.deadlines] for t in tasks] == [["长期推进"], ["长期推进"], ["2021年2月", "2021年8月"]]


def test_a_table_copied_with_a_bar_after_each_cell_gives_its_rows_their_columns_and_groups(tmp_path: Path) -> None:
    # a city's 重点工作及责任分解: "|" closes every cell (empty ones too), a space after 、 in a cell,
    # group rows with empty cells, and a numbered row with no unit that titles the rows below it
    path = tmp_path / "fenjie.txt"
    path.write_text(
        "某市人民政府关于2025年重点工作及责任分解的通知\n一、市政府重点工作任务\n"
        "序号 | 目标与任务 | 牵头责任单位 | 责任单位 |\n一、主要预期目标 | |||\n"
        "(1) | 地区生产总值增长6%以上。 | 市发展改革委 | 各县市区政府、 开发区管委会 |\n"
        "(2) | 居民人均可支配收入与经济增长相匹配。 | 市人力资源社会保障局 市农业农村局 | 各县市区政府 |\n"
        "二、重点做好以下九个方面工作 | |||\n(一)加强经济运行调节。 | |||\n1 | 大力提振消费。 | ||\n"
        "(3) | 统筹衔接消费券发放与消费品以旧换新行动。 | 市商务局 | 市财政局 市工业和信息化局 |\n",
        encoding="utf-8")
    tasks = extract_document(parse_file(path)).tasks
    assert [t.task_id.split(":")[1] for t in tasks] == ["一.一.（1）", "一.一.（2）", "一.二.（一）.1.（3）"]
    assert [[u.name for u in t.lead] for t in tasks] == [
        ["市发展改革委"], ["市人力资源社会保障局", "市农业农村局"], ["市商务局"]]
    assert [[u.name for u in t.supporting] for t in tasks] == [
        ["各县市区政府", "开发区管委会"], ["各县市区政府"], ["市财政局", "市工业和信息化局"]]


def test_a_bar_after_each_cell_without_a_number_column_is_no_table_of_its_own(tmp_path: Path) -> None:
    # cells merged across rows shift the rows below: without a 序号 column they cannot be read by column
    tasks = _tasks(tmp_path, "工作任务 | 具体要求 | 责任单位 | 时限要求 | ||\n"
                             "一、助力发展。 | (一)加强信息公开。 | 1 | 切实公开涉企政策文件。 | 市政府各有关部门负责落实 | 持续推进 |\n"
                             "2 | 开设行业帮扶政策公开专题。 | 市政府各有关部门负责落实 | 持续推进 | ||\n")
    assert "一、助力发展" not in [t.title for t in tasks]


def test_a_ministrys_key_indicators_with_a_month_and_a_lead_bureau_are_measures(tmp_path: Path) -> None:
    # 关键业绩指标 copied one cell per line, each closed by " |", the 备注 cell empty
    cells = ["序号", "指标名称", "预期效果", "完成时限", "指标 属性", "牵头负责司局", "备注",
             "1", "创建国家级示范区", "确定首批示范区创建名单", "6月", "预期性", "规划司", "",
             "2", "遴选公共服务示范平台数量", "各80个", "12月", "约束性", "中小企业局", "",
             "3", "推进数据要素市场建设", "形成试点经验", "按国家部署推进", "预期性", "信息化司", ""]
    path = tmp_path / "kpi.txt"
    path.write_text("工业和信息化部办公厅关于公开2018年关键业绩指标的通知\n" + "".join(f"{c} |\n" for c in cells)
                    + "注:约束性指标是指按照年度工作计划确定的重点任务。\n", encoding="utf-8")
    tasks = extract_document(parse_file(path)).tasks
    assert [[u.name for u in t.lead] for t in tasks] == [["规划司"], ["中小企业局"], ["信息化司"]]
    assert [[(d.text, str(d.due)) for d in t.deadlines] for t in tasks] == [
        [("6月", "2018-06-30")], [("12月", "2018-12-31")], [("按国家部署推进", "None")]]


def test_a_table_of_indicators_with_their_units_but_no_time_column_is_no_list_of_measures(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path, "序号\t指标名称\t2025年目标\t责任单位\n1\t社会消费品零售总额\t1200亿元\t区商务局\n"
                             "2\t离境退税商店\t100家\t区商务局\n")
    assert not tasks
