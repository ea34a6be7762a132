"""The cleaner: rule tables, line joining, furniture removal, and the offset map back to raw."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import CleanText, RawDocument
from pipeline.normalize import clean
from pipeline.rules import PatternRule, all_rules, heading_rules


def raw_doc(text: str, page_starts: tuple[int, ...] | None = None, fmt: str = "txt") -> RawDocument:
    if page_starts is None:
        page_starts = (0,) + tuple(i + 1 for i, ch in enumerate(text) if ch == "\f")
    return RawDocument(
        path="t.txt", format=fmt, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), page_starts=page_starts
    )


def cleaned(text: str, **kw) -> str:
    return clean(raw_doc(text, **kw)).text


def assert_copied_exactly(result: CleanText, raw_text: str) -> None:
    """Every copied run of the cleaned text is the raw text at the mapped offsets."""
    o = result.offsets
    for cs, rs, n in zip(o.clean_starts, o.raw_starts, o.lengths):
        assert result.text[cs : cs + n] == raw_text[rs : rs + n]
    # what is not covered by a run was inserted by the cleaner: only newlines and spaces
    covered = bytearray(len(result.text))
    for cs, n in zip(o.clean_starts, o.lengths):
        covered[cs : cs + n] = b"\x01" * n
    assert all(result.text[i] in "\n " for i in range(len(result.text)) if not covered[i])


# --------------------------------------------------------------------------------------------
# Every rule of every rule file against its own examples


@pytest.mark.parametrize("name,rule", all_rules(), ids=lambda v: v.id if isinstance(v, PatternRule) else v)
def test_rule_examples(name: str, rule: PatternRule):
    assert rule.examples, f"{name}:{rule.id} has no examples"
    for example in rule.examples:
        assert rule.regex.search(example), f"{name}:{rule.id} should match {example!r}"
    for counter in rule.counter_examples:
        assert not rule.regex.search(counter), f"{name}:{rule.id} should not match {counter!r}"


def test_every_heading_example_passes_the_start_filter():
    rules = heading_rules()
    for rule in rules.all:
        for example in rule.examples:
            assert rules.start_regex.match(example), (rule.id, example)


# --------------------------------------------------------------------------------------------
# Joining lines broken by layout


JOINS = [
    # a page break inside a word, with blank lines around it (pzh-2022-yuanqu-guihua)
    ("到 2025年，攀枝花东区高新技术产业园区工\n\n业产值达到 900亿元。", "到2025年，攀枝花东区高新技术产业园区工业产值达到900亿元。"),
    # a unit name split across pages inside a responsibility bracket (pzh-2024 16 条)
    (
        "八、探索资源循环产业机制。创新推进园区绿色循环改造。〔责任单位：市发展改革委、市自然资源和规\n\n划局，市生态环境局〕",
        "八、探索资源循环产业机制。创新推进园区绿色循环改造。〔责任单位：市发展改革委、市自然资源和规划局，市生态环境局〕",
    ),
    (
        "3.建设示范基地。全力推进。（高创投公司，区发展和改革委员会、东区生态\n\n环境局、区土地储备中心、银江镇)",
        "3.建设示范基地。全力推进。（高创投公司，区发展和改革委员会、东区生态环境局、区土地储备中心、银江镇)",
    ),
    # an open quote at the end of a line
    ("二、加强链主企业招引培育。对投资大、带动强的“链\n\n主”企业，“一事一议”招商攻坚。", "二、加强链主企业招引培育。对投资大、带动强的“链主”企业，“一事一议”招商攻坚。"),
    # a number split from its unit
    (
        "推进中汇特钢地块风险管控与修复，加快推进兴中矿业、豪润矿业等 6\n\n个循环改造重点项目按期完工投产。",
        "推进中汇特钢地块风险管控与修复，加快推进兴中矿业、豪润矿业等6个循环改造重点项目按期完工投产。",
    ),
    # a Markdown hard break (two spaces) inside a bold title
    ("**关于印发《某某行动方案》的  \n通知**\n\n各单位：", "关于印发《某某行动方案》的通知\n各单位："),
    # a title that wraps onto a second line, near the top
    ("关于开展园区提质行动助推高质量发展\n的通知（代拟稿）\n各县（区）：", "关于开展园区提质行动助推高质量发展的通知（代拟稿）\n各县（区）："),
    # two Latin words across a line break keep a space between them
    ("围绕装备联网、业务系统云化等方向重点突破，建设 smart\npark 示范工程，推动发展。",
     "围绕装备联网、业务系统云化等方向重点突破，建设 smart park 示范工程，推动发展。"),
]


def test_a_list_cut_off_after_a_comma_goes_on_onto_an_indented_line():
    text = ("　　1.打造商圈。推进商圈改造，引导卖场转型，推动步行街智慧化。\n"
            "　　配合单位：区发展改革局、区住房建设局、\n　　福田街道办事处、莲花街道办事处\n"
            "　　2.发展夜间经济。推动夜市建设，延长营业时间，丰富消费业态。")
    assert "配合单位：区发展改革局、区住房建设局、福田街道办事处、莲花街道办事处\n2." in cleaned(text)


@pytest.mark.parametrize("text,expected", JOINS)
def test_lines_broken_by_layout_are_joined(text, expected):
    assert cleaned(text) == expected


KEEPS = [
    # a line ending a sentence is a paragraph end, even when the next one is short
    ("推动园区高质量发展。\n到2025年，完成目标。", "推动园区高质量发展。\n到2025年，完成目标。"),
    ("主导产业：\n——先进钒钛材料产业。以钛金属为重点。", "主导产业：\n——先进钒钛材料产业。以钛金属为重点。"),
    # headings and list items are never joined to what follows
    ("第二节 攀枝花东区高新技术产业园区\n\n发展定位：以省级高新技术园区为依托。", "第二节 攀枝花东区高新技术产业园区\n发展定位：以省级高新技术园区为依托。"),
    ("一、协同助推成渝地区双城经济圈建设助力西区凝心聚力再赴国家战略\n成渝地区双城经济圈建设是战略。",
     "一、协同助推成渝地区双城经济圈建设助力西区凝心聚力再赴国家战略\n成渝地区双城经济圈建设是战略。"),
    # a closing bracket that ends a sentence ends the paragraph
    ("1.编制规划。〔责任单位：市发展改革委〕\n2.优化布局。", "1.编制规划。〔责任单位：市发展改革委〕\n2.优化布局。"),
    # captions, dates, document numbers, status lines stand alone
    ("攀东府办〔2023〕4号\n攀枝花市东区人民政府办公室\n2023年1月19日", "攀东府办〔2023〕4号\n攀枝花市东区人民政府办公室\n2023年1月19日"),
    ("聚焦产业建圈强链促进工业经济高质量发展 十六条措施\n（征求意见稿）", "聚焦产业建圈强链促进工业经济高质量发展 十六条措施\n（征求意见稿）"),
    ("图 2—1 攀枝花市工业园区产业布局图\n表 2—1 园区主导产业布局架构", "图 2—1 攀枝花市工业园区产业布局图\n表 2—1 园区主导产业布局架构"),
    # table rows after a caption stay one per line, cells and their spaces untouched
    (
        "表 1—1 各区工业发展情况\n东 区 66 985.5 51.3\n西 区 62 178.9 9.3\n注：①仁和区含原钒钛新城。\n截至 2020年，全市共有企业 349户。",
        "表 1—1 各区工业发展情况\n东 区 66 985.5 51.3\n西 区 62 178.9 9.3\n注：①仁和区含原钒钛新城。\n截至2020年，全市共有企业349户。",
    ),
]


KEEPS += [
    # a space between the sentence end and the bracket (济南 2019, full-width numbers)
    ("１．支持骨干企业。给予奖励。 （责任单位：市财政局）\n２．支持中小企业。", "１．支持骨干企业。给予奖励。（责任单位：市财政局）\n２．支持中小企业。"),
    # “…" (a web page closes “ with an ASCII quote): the quote is closed, the item ends (济南 2024)
    ("1.提升算力。融入“东数西算\"工程。（责任单位：市工业和信息化局）\n2.提升数据供给。",
     "1.提升算力。融入“东数西算\"工程。（责任单位：市工业和信息化局）\n2.提升数据供给。"),
    # two items on one line: the second starts right after the first one's bracket (济南 2019)
    ("９．支持研发机构。给予扶持。（责任单位：市科技局）１０．培育平台经济。给予补助。",
     "９．支持研发机构。给予扶持。（责任单位：市科技局）\n１０．培育平台经济。给予补助。"),
    ("1.编制规划。〔责任单位：市发展改革委〕（二）强化要素保障。", "1.编制规划。〔责任单位：市发展改革委〕\n（二）强化要素保障。"),
    # a stray “ in a PDF's text does not hold the next item after a sentence end (工信部 2023)
    ("1.完善标准规范体系。推动《规范》“《通用设计\n规范》等标准出台。\n2.健全评测评价体系。修订\n《评测体系》。",
     "1.完善标准规范体系。推动《规范》“《通用设计规范》等标准出台。\n2.健全评测评价体系。修订《评测体系》。"),
]
KEEPS += [
    # a space between two bodies' names separates them; a conversion space in prose goes
    ("1.建设数据中心。（责任单位：市发展改革委 市财政局 市自然资源局）", "1.建设数据中心。（责任单位：市发展改革委 市财政局 市自然资源局）"),
    ("1.建设数据中心。由市财政局 负责，推进建设。", "1.建设数据中心。由市财政局负责，推进建设。"),
]
KEEPS += [
    # a label line with no stop ends its item when the next line continues the item numbers
    ("1.建设数据中心。推进建设。\n责任单位：市发展改革委、市财政局\n2.完善机制。推进完善。",
     "1.建设数据中心。推进建设。\n责任单位：市发展改革委、市财政局\n2.完善机制。推进完善。"),
    ("1.建设数据中心。推进建设。【牵头单位】市发展改革委【配合单位】市财政局\n2.完善机制。推进完善。",
     "1.建设数据中心。推进建设。【牵头单位】市发展改革委【配合单位】市财政局\n2.完善机制。推进完善。"),
]
KEEPS += [
    # items run together by a web copy: split where the number continues its own sequence
    ("(一)加强建设。规则库要管理好。(二)赋予权限。本地化应用。三)设置阈值。",
     "(一)加强建设。规则库要管理好。\n(二)赋予权限。本地化应用。\n三)设置阈值。"),
    ("四、推动审核\n(一)全覆盖审核。经办机构要审核。(二)完善流程。给予政策。五、拓展场景",
     "四、推动审核\n(一)全覆盖审核。经办机构要审核。\n(二)完善流程。给予政策。\n五、拓展场景"),
]
NOT_SPLIT = [
    # a number that does not continue its sequence, or an inline list, keeps the line whole
    "(一)加强建设。规则库要管理好。(三)赋予权限。",
    "(一)加强建设。主要包括：（一）规则库；（二）知识库。",
    "本办法所称数据，包括以下内容。二、三产业数据。",
    # a bracket inside a sentence, or a number that is no item, keeps the line whole
    "1.编制规划。（见表1）1、2号线建成通车。",
    "建设各县（区）1.5亿元的项目。",
    "推进“东数西算\"工程，“数据\"要素。",
]


@pytest.mark.parametrize("text", NOT_SPLIT)
def test_a_line_is_split_only_before_an_item(text):
    assert cleaned(text) == text


@pytest.mark.parametrize("text,expected", KEEPS)
def test_real_paragraph_ends_are_kept(text, expected):
    assert cleaned(text) == expected


# --------------------------------------------------------------------------------------------
# Artifacts, page furniture and spaces


ARTIFACTS = [
    ("[bookmark: OLE_LINK4][bookmark: _Hlk193051884]第一阶段：一年转形象。", "第一阶段：一年转形象。"),
    ("**1.优化园区产业布局。**采取“园中园”模式。", "1.优化园区产业布局。采取“园中园”模式。"),
    ("## 一、总体要求\n\n#### （四）实施集约发展提升行动", "一、总体要求\n（四）实施集约发展提升行动"),
    ("园区\x00建设\u200b推进。\ufeff", "园区建设推进。"),
    ("正文第一段。\n— 3 —\n正文第二段。", "正文第一段。\n正文第二段。"),
    ("正文第一段。\n－１７－\n正文第二段。", "正文第一段。\n正文第二段。"),
    ("正文第一段。\n第 3 页 共 20 页\n正文第二段。", "正文第一段。\n正文第二段。"),
    (" 前 言\n本规划期限为 2021年—2025年。", "前言\n本规划期限为2021年—2025年。"),
    ("\t专栏1：重点项目\n\n\t钛产业园：建设厂房。", "专栏1：重点项目\n钛产业园：建设厂房。"),
    ("\r\n园区建设。\r\n推进发展。\r\n", "园区建设。\n推进发展。"),
]


@pytest.mark.parametrize("text,expected", ARTIFACTS)
def test_artifacts_and_page_numbers_are_removed(text, expected):
    assert cleaned(text) == expected


SPACES = [
    ("到 2025 年，全市 6 个工业园区总规划面积 214.35km2。", "到2025年，全市6个工业园区总规划面积214.35km2。"),
    ("承载能力提升 三年行动方案，已经同意。", "承载能力提升三年行动方案，已经同意。"),
    ("天然气储气调峰、制 LNG及化工产业落实创造条件。", "天然气储气调峰、制 LNG及化工产业落实创造条件。"),
    # no sentence punctuation: spaces separate issuers, headings, cells
    ("中共攀枝花市委办公室 攀枝花市人民政府办公室", "中共攀枝花市委办公室 攀枝花市人民政府办公室"),
    ("第一节 发展成效", "第一节 发展成效"),
    # the space after a heading number stays even in prose
    ("第一条　为规范园区管理，制定本办法。", "第一条　为规范园区管理，制定本办法。"),
]


@pytest.mark.parametrize("text,expected", SPACES)
def test_conversion_spaces_inside_prose(text, expected):
    assert cleaned(text) == expected


def test_running_headers_and_page_numbers_of_paged_text_are_dropped():
    pages = [
        f"攀枝花市人民政府办公室文件\n第{n}页的正文，推动园区高质量发展。\n— {n} —" for n in range(1, 5)
    ]
    text = "\f".join(pages)
    assert cleaned(text) == "\n".join(f"第{n}页的正文，推动园区高质量发展。" for n in range(1, 5))


def test_a_running_header_after_the_page_numbers_of_a_copied_pdf_is_dropped():
    """Text copied from a PDF keeps its page numbers (— 3 —) and the running title under each,
    with no page breaks of its own: the title is furniture, the sentence it cut runs on."""
    pages = [f"第{n}页的正文，推动园区高\n\n— {n} —\n\n湖北省人民政府公报\n质量发展。" for n in range(1, 5)]
    out = cleaned("\n".join(pages))
    assert "公报" not in out
    assert out.replace("\n", "") == "".join(f"第{n}页的正文，推动园区高质量发展。" for n in range(1, 5))


def test_bare_numbers_are_page_numbers_only_at_page_edges():
    text = "第一页正文。\n3\f表 1 指标\n序号 指标 单位\n3 产值 亿元\n3\n900 1200\n合计\f第三页正文。"
    out = cleaned(text).split("\n")
    assert "3" in out  # the cell in the middle of page 2
    assert out.count("3") == 1  # the page number at the bottom of page 1 is gone


def test_a_cell_opening_the_page_after_a_dashed_page_number_is_kept():
    """A PDF copy told into pages by its dashed numbers (— 4 —): the bare number after one is the
    next cell of a table flattened one cell per line, not a second page number."""
    text = "指标\n2020年\n2025年\n属性\n网上零售额（亿元）\n\n— 4 —\n\n1170\n2000\n预期性\n正文。\n\n— 5 —\n\n正文。"
    assert "1170" in cleaned(text).split("\n")


def test_an_indicator_table_copied_one_cell_per_line_reads_across_a_page_break():
    from pipeline.text_tables import text_tables

    text = ("表1　主要指标\n指标\n2020年\n2025年\n属性\n数字经济增加值（亿元）\n4218\n7500\n预期性\n"
            "核心产业增加值比重（%）\n4.6\n10\n\n— 3 —\n\n预期性\n5G基站数（万个）\n1.8\n8\n预期性\n")
    (table,) = text_tables(text)
    assert table.rows[2:] == (("核心产业增加值比重（%）", "4.6", "10", "预期性"), ("5G基站数（万个）", "1.8", "8", "预期性"))


def test_a_header_repeated_on_only_two_pages_is_kept():
    text = "总则说明\n正文一。\f总则说明\n正文二。"
    assert cleaned(text) == "总则说明\n正文一。\n总则说明\n正文二。"


# --------------------------------------------------------------------------------------------
# The offset map


def test_offset_map_copies_exactly_on_the_corpus(corpus_dir):
    from pipeline.load import load_file

    for path in sorted(corpus_dir.glob("*.txt")):
        raw = load_file(path)
        result = clean(raw)
        assert_copied_exactly(result, raw.text)
        assert "\n\n" not in result.text and result.text == result.text.strip()


def test_offset_map_points_at_the_word_split_by_a_page_break(corpus_dir):
    from pipeline.load import load_file

    raw = load_file(corpus_dir / "pzh-2022-yuanqu-guihua.txt")
    result = clean(raw)
    i = result.text.index("园区工业产值达到900亿元")
    gong = i + len("园区")
    ye = gong + 1
    assert raw.text[result.offsets.to_raw(gong)] == "工"
    assert raw.text[result.offsets.to_raw(ye)] == "业"
    # 工 ends one raw line, 业 starts the line after the blank one
    assert raw.page_line(result.offsets.to_raw(ye)).line == raw.page_line(result.offsets.to_raw(gong)).line + 2


def test_cleaning_is_idempotent_on_cleaned_text(corpus_dir):
    from pipeline.load import load_file

    for path in sorted(corpus_dir.glob("*.txt")):
        once = clean(load_file(path)).text
        assert cleaned(once) == once, path.name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("承载 　\t a#*")), max_size=12))
def test_two_trailing_spaces_gate_the_hard_break_rule(piece: str) -> None:
    """split_lines runs the Markdown hard-break rule only on lines ending in two spaces: the
    rule's pattern must never match any other line."""
    from pipeline.rules import cleaning_rules

    regex = cleaning_rules().hard_break_regex
    assert bool(regex.search(piece)) == (piece.endswith("  ") and bool(regex.search(piece)))


def test_a_page_flattened_to_one_line_is_cut_at_its_parts_groups_and_items() -> None:
    line = ("某省人民政府关于明确2024年重点工作责任单位的通知 各责任单位要按季度报告进展。 "
            "一、稳定经济增长 (一)扩大有效需求。1.落实促消费政策措施。(省商务厅牵头,省财政厅配合)"
            "2.扩大有效投资,推进重大项目建设。(省发展改革委负责) 二、推动产业升级 (一)壮大先进制造业。"
            "1.实施制造业重点产业链高质量发展行动。(省工业和信息化厅负责)")
    assert cleaned(line).split("\n")[1:] == [
        "一、稳定经济增长", "(一)扩大有效需求。", "1.落实促消费政策措施。(省商务厅牵头,省财政厅配合)",
        "2.扩大有效投资,推进重大项目建设。(省发展改革委负责)", "二、推动产业升级", "(一)壮大先进制造业。",
        "1.实施制造业重点产业链高质量发展行动。(省工业和信息化厅负责)",
    ]
