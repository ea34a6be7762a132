"""The section tree: facts about the corpus documents, and tables of small documents."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.model import Document, DocumentMeta, RawDocument
from pipeline.normalize import clean
from pipeline.segment import segment


def parse_text(text: str, fmt: str = "txt", page_starts: tuple[int, ...] = (0,)) -> Document:
    raw = RawDocument(
        path="t.txt", format=fmt, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), page_starts=page_starts
    )
    return segment(clean(raw), raw, DocumentMeta(doc_id="t", title="t"))


def outline(doc: Document) -> list[tuple[str | None, str, int]]:
    return [(s.number, s.title, s.level) for s in doc.sections if s.kind != "preamble"]


def children(doc: Document, section_id: str | None):
    return [s for s in doc.sections if s.parent_id == section_id and s.kind != "preamble"]


# --------------------------------------------------------------------------------------------
# The corpus, read by a person: these are the structures the documents really have.


def test_tongzhi_has_four_parts_and_sixteen_tasks_in_six_groups(corpus_documents):
    doc = corpus_documents["pzh-2025-yuanqu-tizhi-tongzhi"]
    top = children(doc, None)
    assert [(s.number, s.title) for s in top] == [
        ("一、", "工作阶段安排"), ("二、", "重点任务"), ("三、", "强化要素支撑"), ("四、", "保障措施"),
    ]
    groups = children(doc, top[1].section_id)
    assert [s.number for s in groups] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    assert [s.title for s in groups][:2] == ["科学规划优布局", "产业集聚提能级"]
    tasks = [t for g in groups for t in children(doc, g.section_id)]
    assert [t.ordinal for t in tasks] == list(range(1, 17))
    assert all(t.kind == "arabic" and t.run_in and t.level == 3 for t in tasks)
    assert [len(children(doc, g.section_id)) for g in groups] == [3, 3, 3, 3, 2, 2]
    assert tasks[0].title == "编制发展规划" and tasks[15].title == "建立项目全生命周期管理机制"
    stages = children(doc, top[0].section_id)
    assert [(s.kind, s.number, s.title) for s in stages] == [
        ("stage", "第一阶段", "一年转形象、求突破"),
        ("stage", "第二阶段", "三年大变样、显成效"),
        ("stage", "第三阶段", "五年提档次、创一流"),
    ]


def test_guihua_has_six_chapters_with_their_sections(corpus_documents):
    doc = corpus_documents["pzh-2022-yuanqu-guihua"]
    chapters = [s for s in doc.sections if s.kind == "chapter"]
    assert [s.number for s in chapters] == ["第一章", "第二章", "第三章", "第四章", "第五章", "第六章"]
    assert all(s.level == 1 and s.parent_id is None for s in chapters)
    assert [len([c for c in children(doc, ch.section_id) if c.kind == "section"]) for ch in chapters] == [4, 4, 3, 6, 5, 5]
    assert chapters[0].title == "发展现状与形势" and chapters[5].title == "保障措施"
    preface = doc.sections[1]
    assert (preface.kind, preface.title, preface.level) == ("heading", "前言", 1)
    # 第五章's 节 hold the —— measures with run-in titles
    fifth = children(doc, chapters[4].section_id)
    dashes = children(doc, fifth[0].section_id)
    assert [d.title for d in dashes] == ["加快重点园区建设", "调整优化产业布局", "不断优化园区功能", "加速产业转型升级"]
    assert all(d.kind == "dash" and d.run_in for d in dashes)


def test_guihua_tables_are_captioned_with_their_rows(corpus_documents):
    doc = corpus_documents["pzh-2022-yuanqu-guihua"]
    captions = [t.caption for t in doc.tables]
    assert "“十四五”期间工业园区重要指标达成目标" in captions
    indicators = next(t for t in doc.tables if t.caption == "“十四五”期间工业园区重要指标达成目标")
    assert ("2", "规上工业总产值", "2500亿元以上", "预期性") in indicators.rows
    assert indicators.rows[-1] == ("备注：〔〕为", "5年累计数。")
    assert doc.section(indicators.section_id).kind == "table"
    # the ① markers in 表 2—1 cells are not headings
    assert not [s for s in doc.sections if s.kind == "circled"]


def test_chengzai_fifteen_bold_measures_sit_under_six_actions(corpus_documents):
    doc = corpus_documents["dongqu-2023-chengzai-fangan"]
    top = children(doc, None)
    assert [s.number for s in top] == ["一、", "二、", "三、"]
    actions = children(doc, top[1].section_id)
    assert [s.number for s in actions] == ["（一）", "(二)", "（三）", "（四）", "（五）", "（六）"]
    assert all(a.level == 2 for a in actions)  # the Markdown '#' depth (##, ###, ####) is ignored
    measures = [m for a in actions for m in children(doc, a.section_id)]
    assert [m.ordinal for m in measures] == list(range(1, 16))
    assert [len(children(doc, a.section_id)) for a in actions] == [3, 2, 2, 3, 2, 3]
    assert measures[0].title == "优化园区产业布局" and measures[0].run_in
    assert "**" not in doc.text and "#" not in doc.text
    # the title set as a Markdown heading is not a section
    assert not [s for s in doc.sections if s.kind == "heading"]


def test_sixteen_measures_are_the_top_of_the_ladder(corpus_documents):
    doc = corpus_documents["pzh-2024-jianquan-qianglian-16tiao"]
    measures = children(doc, None)
    assert len(measures) == 16
    assert [m.ordinal for m in measures] == list(range(1, 17))
    assert all(m.level == 1 and m.kind == "cn_num" and m.run_in for m in measures)
    assert measures[0].title == "推进重点产业建圈强链"
    assert measures[15].title == "设立考核激励评价机制"
    assert doc.sections[0].kind == "preamble"  # 附件 + title + （征求意见稿）+ the opening paragraph


def test_xiqu_boxes_sit_under_their_items(corpus_documents):
    doc = corpus_documents["xiqu-2021-chengyu-guihua"]
    boxes = [s for s in doc.sections if s.kind == "box"]
    assert [b.ordinal for b in boxes] == list(range(1, 15))
    assert all(doc.section(b.parent_id).kind == "cn_num" for b in boxes)
    assert boxes[0].title == "国家级康复康养装备制造科技创新平台研发制造中心"
    assert [s.number for s in children(doc, None) if s.kind == "chapter"] == ["第一章", "第二章", "第三章", "第四章"]


def test_headings_carry_their_raw_page_and_line(corpus_documents):
    doc = corpus_documents["pzh-2025-yuanqu-tizhi-tongzhi"]
    lines = doc.raw_text.split("\n")
    for s in doc.sections:
        if s.kind != "preamble":
            assert s.page == 1
            assert s.number in lines[s.line - 1]


def test_heading_spans_point_at_number_and_title(corpus_documents):
    for doc in corpus_documents.values():
        for s in doc.sections:
            head = doc.text[s.heading_span.start : s.heading_span.end]
            if s.kind != "preamble":
                assert head.startswith(s.number or "") and head.rstrip().endswith(s.title), (doc.doc_id, head)
            assert s.span.start <= s.heading_span.start <= s.heading_span.end <= s.span.end


# --------------------------------------------------------------------------------------------
# Small documents: the ladder is learned per document


LADDERS = [
    (
        "一、总体要求\n（一）发展思路。\n1.编制规划。内容。\n2.优化布局。内容。\n（二）发展目标。\n二、保障措施\n",
        [("一、", "总体要求", 1), ("（一）", "发展思路", 2), ("1.", "编制规划", 3), ("2.", "优化布局", 3),
         ("（二）", "发展目标", 2), ("二、", "保障措施", 1)],
    ),
    (
        "第一章 总则\n一、目的\n这是正文。\n二、范围\n第二章 任务\n一、产业\n",
        [("第一章", "总则", 1), ("一、", "目的", 2), ("二、", "范围", 2), ("第二章", "任务", 1), ("一、", "产业", 2)],
    ),
    (  # a document whose author puts 1. above （一）: first appearance decides
        "1.总体目标\n（一）产业目标。\n（二）园区目标。\n2.保障措施\n（一）组织保障。\n",
        [("1.", "总体目标", 1), ("（一）", "产业目标", 2), ("（二）", "园区目标", 2), ("2.", "保障措施", 1),
         ("（一）", "组织保障", 2)],
    ),
    (  # a "1." list in the preface, then chapters: 第一章 does not become a child of item 2
        "前言\n本规划包括：\n1.现状。\n2.目标。\n第一章 现状\n第一节 成效\n",
        [(None, "前言", 1), ("1.", "现状", 2), ("2.", "目标", 2), ("第一章", "现状", 1), ("第一节", "成效", 2)],
    ),
    (  # a regulation: chapters hold run-in articles
        "第一章 总则\n第一条　为规范园区管理，制定本办法。\n第二条　本办法适用于全市园区。\n第二章 职责\n第三条　市经济和信息化局负责统筹。\n",
        [("第一章", "总则", 1), ("第一条", "为规范园区管理，制定本办法", 2), ("第二条", "本办法适用于全市园区", 2),
         ("第二章", "职责", 1), ("第三条", "市经济和信息化局负责统筹", 2)],
    ),
    (  # 一、 to 三、 lost in a copy: 四、 first seen under （二） continues a sequence above it, and
       # the （一） items after it are its children
        "（一）建设重点。内容。\n（二）本地权限。内容。\n四、推动审核\n（一）全覆盖审核。\n（二）完善流程。\n五、拓展场景\n（一）门诊监管。\n",
        [("（一）", "建设重点", 1), ("（二）", "本地权限", 1), ("四、", "推动审核", 1), ("（一）", "全覆盖审核", 2),
         ("（二）", "完善流程", 2), ("五、", "拓展场景", 1), ("（一）", "门诊监管", 2)],
    ),
    (  # a 规划 whose first chapters hold 一、 directly and whose task chapter has 节: a 节 is above 一、
        "第一章 发展基础\n一、发展现状\n第二章 主要任务\n第一节 数字基础设施\n一、5G网络\n二、数据中心\n第二节 产业数字化\n一、智能制造\n",
        [("第一章", "发展基础", 1), ("一、", "发展现状", 2), ("第二章", "主要任务", 1), ("第一节", "数字基础设施", 2),
         ("一、", "5G网络", 3), ("二、", "数据中心", 3), ("第二节", "产业数字化", 2), ("一、", "智能制造", 3)],
    ),
    (  # an annex holds its own ladder under it
        "一、工作任务\n内容。\n附件1\n重点任务分工表\n一、产业类\n二、园区类\n",
        [("一、", "工作任务", 1), ("附件1", "附件1", 1), ("一、", "产业类", 2), ("二、", "园区类", 2)],
    ),
]


@pytest.mark.parametrize("text,expected", LADDERS)
def test_levels_come_from_the_document(text, expected):
    assert outline(parse_text(text)) == expected


SEQUENCES = [
    # "3." at the start of a paragraph that does not continue a list is text, not a heading
    ("一、目标\n到2025年，完成以下任务。\n3.5亿元的投资已落实。\n3.加强协调。\n", [("一、", "目标", 1)]),
    # numbers restart under each parent
    ("一、甲\n1.子一。\n2.子二。\n二、乙\n1.子三。\n", [("一、", "甲", 1), ("1.", "子一", 2), ("2.", "子二", 2),
                                                    ("二、", "乙", 1), ("1.", "子三", 2)]),
    # or continue across parents (tasks numbered 1–4 across two groups)
    ("（一）甲\n1.子一。\n2.子二。\n（二）乙\n3.子三。\n4.子四。\n",
     [("（一）", "甲", 1), ("1.", "子一", 2), ("2.", "子二", 2), ("（二）", "乙", 1), ("3.", "子三", 2), ("4.", "子四", 2)]),
    # a table-of-contents line is not a heading
    ("目录\n第一章 总则……………1\n第二章 任务……………5\n第一章 总则\n", [("第一章", "总则", 1)]),
    # nor is a 目录 entry without a page number: the entries end where the first one comes again
    ("目 录\n第一章 总则\n第二章 任务\n第一章 总则\n正文。\n第二章 任务\n正文。\n", [("第一章", "总则", 1), ("第二章", "任务", 1)]),
    ("一、任务\n1）加快推进。\n2）强化保障。\n", [("一、", "任务", 1), ("1）", "加快推进", 2), ("2）", "强化保障", 2)]),
    # dash items are leaves: the next 1. is their sibling, not their child
    ("第一节 产业\n——发展钒钛。内容。\n——发展化工。内容。\n1．附注一。\n",
     [("第一节", "产业", 1), ("——", "发展钒钛", 2), ("——", "发展化工", 2), ("1．", "附注一", 2)]),
]


SEQUENCES += [
    # the dot after an item number: U+FE52, a private-use glyph of a 方正 font, or none at all
    ("（一）强基行动。\n1﹒推进外网建设。内容。\n2﹒推进内网改造。内容。\n",
     [("（一）", "强基行动", 1), ("1﹒", "推进外网建设", 2), ("2﹒", "推进内网改造", 2)]),
    ("一、任务\n1\ue010加快建设。内容。\n2加快改造。内容。\n3个园区建成投产。\n",
     [("一、", "任务", 1), ("1\ue010", "加快建设", 2), ("2", "加快改造", 2)]),
    # (1) (2) run on inside their item's paragraph, each closed by its own bracket (a 实施意见's habit)
    ("一、减少审批\n1.深化商事制度改革。(1)落实一照一码。内容。(市工商局牵头负责)(2)推行电子化登记。内容。\n",
     [("一、", "减少审批", 1), ("1.", "深化商事制度改革", 2), ("(1)", "落实一照一码", 3), ("(2)", "推行电子化登记", 3)]),
    # a star after the number marks an item the document singles out; it is kept in the number
    ("（一）企业开办。内容。\n1* .开展一证多址改革。内容。\n2*.开展住所登记。内容。\n3.推进注销。内容。\n",
     [("（一）", "企业开办", 1), ("1* .", "开展一证多址改革", 2), ("2*.", "开展住所登记", 2), ("3.", "推进注销", 2)]),
    # or closes the number with 。
    ("一、交通出行\n1。推动轨道交通加速成网。(牵头单位:市住建局)\n2。打通断头路20条。(牵头单位:市住建局)\n",
     [("一、", "交通出行", 1), ("1。", "推动轨道交通加速成网", 2), ("2。", "打通断头路20条", 2)]),
    # an inline list after a colon stays in its sentence
    ("一、减少审批\n1.深化改革。主要包括：(1)落实一照一码；(2)推行电子化登记。\n",
     [("一、", "减少审批", 1), ("1.", "深化改革", 2)]),
]


@pytest.mark.parametrize("text,expected", SEQUENCES)
def test_sequence_sanity(text, expected):
    assert outline(parse_text(text)) == expected


RUN_IN = [
    ("1.编制发展规划。科学分析发展新趋势。", "编制发展规划", True),
    ("一、推进重点产业建圈强链。聚焦工业领域。", "推进重点产业建圈强链", True),
    ("（一）发展思路。", "发展思路", False),
    ("第一阶段：一年转形象、求突破。到2025年底，完成整合。", "一年转形象、求突破", True),
    ("——机械制造产业：引进盘活富邦产能，打通产业链。", "机械制造产业", True),
    ("（三）实施科技创新平台提升行动", "实施科技创新平台提升行动", False),
    ("一、“三个圈层”建设步伐加快，南向开放战略枢纽作用凸显", "“三个圈层”建设步伐加快，南向开放战略枢纽作用凸显", False),
    ("1.狠抓（优质。）企业引育。内容。", "狠抓（优质。）企业引育", True),
]


@pytest.mark.parametrize("text,title,run_in", RUN_IN)
def test_run_in_titles(text, title, run_in):
    doc = parse_text(text)
    section = next(s for s in doc.sections if s.kind != "preamble")
    assert (section.title, section.run_in) == (title, run_in)


def test_markdown_heading_depth_does_not_decide_levels():
    doc = parse_text("# 某某行动方案\n\n## 一、总体要求\n\n#### （一）目标。\n\n### 二、任务\n\n## 背景\n\n正文。\n", fmt="md")
    assert outline(doc) == [("一、", "总体要求", 1), ("（一）", "目标", 2), ("二、", "任务", 1), (None, "背景", 2)]


def test_box_and_table_are_children_of_the_current_section():
    doc = parse_text(
        "一、产业\n正文。\n专栏1：重点项目\n钛产业园：建设厂房。\n表 1 主要指标\n指标 2025年\n产值 900\n"
        "注：产值单位为亿元。\n截至2020年，全市共有企业349户。\n二、保障\n"
    )
    kinds = [(s.kind, s.level, s.title) for s in doc.sections if s.kind != "preamble"]
    assert kinds == [("cn_num", 1, "产业"), ("box", 2, "重点项目"), ("table", 2, "主要指标"), ("cn_num", 1, "保障")]
    table = doc.tables[0]
    assert table.rows == (("指标", "2025年"), ("产值", "900"), ("注：产值单位为亿元。",))
    assert doc.text[table.span.start : table.span.end].startswith("表 1 主要指标")
    # the prose after the table belongs to 一、, not to the table
    prose = next(c for c in doc.clauses if c.text.startswith("截至2020年"))
    assert doc.section(prose.section_id).title == "产业"


def test_annex_label_above_a_title_is_not_a_section():
    doc = parse_text("附件\n某某十六条措施\n（征求意见稿）\n一、推进产业。内容。\n二、加强培育。内容。\n")
    assert outline(doc) == [("一、", "推进产业", 1), ("二、", "加强培育", 1)]


def test_text_without_headings_is_one_preamble():
    doc = parse_text("这是一段没有标题的文字。第二句。")
    assert [s.kind for s in doc.sections] == ["preamble"]
    assert [c.section_id for c in doc.clauses] == ["s0", "s0"]


def test_empty_text_has_no_sections():
    doc = parse_text("")
    assert doc.sections == () and doc.clauses == ()


# --------------------------------------------------------------------------------------------
# The same document hard-wrapped, paged, with headers and page numbers: the same tree


def hard_wrap(paragraphs: list[str], width: int, *, indent: str, blank: bool, per_page: int = 22) -> str:
    lines = [(indent + p)[i : i + width] for p in paragraphs for i in range(0, len(indent + p), width)]
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    sep = "\n\n" if blank else "\n"
    return "\f".join(f"某某市人民政府文件\n{sep.join(page)}\n- {n} -" for n, page in enumerate(pages, 1))


WRAPS = [
    (doc_id, width, indent, blank)
    for doc_id in ("pzh-2025-yuanqu-tizhi-tongzhi", "pzh-2024-jianquan-qianglian-16tiao", "dongqu-2023-chengzai-fangan")
    for width in (20, 28, 35)
    for indent, blank in (("", False), ("　　", True))
] + [("xiqu-2021-chengyu-guihua", width, "　　", False) for width in (20, 28, 35)]


@pytest.mark.parametrize("doc_id,width,indent,blank", WRAPS)
def test_hard_wrapped_text_gives_the_same_tree(doc_id, width, indent, blank, corpus_documents):
    reference = corpus_documents[doc_id]
    text = hard_wrap(reference.text.split("\n"), width, indent=indent, blank=blank)
    pages = (0,) + tuple(i + 1 for i, ch in enumerate(text) if ch == "\f")
    doc = parse_text(text, page_starts=pages)
    assert outline(doc) == outline(reference)
    assert "某某市人民政府文件" not in doc.text and "- 2 -" not in doc.text


def test_a_strong_heading_out_of_sequence_is_kept_with_a_warning():
    doc = parse_text("一、总体要求\n正文。\n三、保障措施\n正文。\n")
    assert outline(doc) == [("一、", "总体要求", 1), ("三、", "保障措施", 1)]
    assert any("标题“三、保障措施”的序号与前文不接续" in w for w in doc.warnings)


BODY_AFTER_TABLE = [
    # a paragraph after a closed top-level table lies in a section of its own, not in the table
    ("表0:\r。", [("table", "。", False)]),
    ("前文。\n表1 主要指标\n产值 亿元\n这是正文。\n一、任务\n内容。",
     [("preamble", "前文。", True), ("table", "这是正文。", False), ("cn_num", "内容。", True)]),
    # under a heading, the text after the table goes back to that heading
    ("一、目标\n表1 主要指标\n产值 亿元\n这是正文。\n", [("cn_num", "这是正文。", True)]),
]


@pytest.mark.parametrize("text,expected", BODY_AFTER_TABLE)
def test_text_after_a_table_lies_in_a_section_that_holds_it(text, expected):
    doc = parse_text(text)
    by_id = {s.section_id: s for s in doc.sections}
    for clause in doc.clauses:
        section = by_id[clause.section_id]
        assert section.span.start <= clause.span.start and clause.span.end <= section.span.end
    for kind, clause_text, same in expected:
        clause = next(c for c in doc.clauses if c.text == clause_text)
        before = [s for s in doc.sections if s.kind == kind][0]
        assert (clause.section_id == before.section_id) == same


def test_a_label_line_ends_before_the_next_item_of_its_sequence_in_wrapped_text():
    text = (
        "某区城市更新实施方案\n一、主要任务\n（一）推进老旧小区改造。\n①完成20个小区改造；②加装电梯50部。\n"
        "责任单位：区住建局，各街道办事处\n（二）完善公共服务设施。\n①新建社区养老服务中心3个；\n②新建幼儿园2所。\n"
        "责任单位：区民政局、区教育局\n— 2 —\n（三）加强历史文化保护。严格保护历史建筑，2024年底前完成历史建筑\n"
        "测绘建档工作。（责任单位：区文旅局、区\n住建局）\n"
    )
    got = [(n, t) for n, t, _ in outline(parse_text(text)) if n and n.startswith("（")]
    assert got == [("（一）", "推进老旧小区改造"), ("（二）", "完善公共服务设施"), ("（三）", "加强历史文化保护")]


def test_numbered_items_closed_by_label_lines_keep_their_numbers_and_their_group():
    # a 分工方案 copied from a web page: each item's 牵头单位 / 责任单位 on lines of their own,
    # lines of alike widths (so the text looks hard-wrapped), 1. 2. straight under 一、 and
    # （一） first met under 二、 with the numbering going on inside it
    items = "".join(f"{n}.实施第{n}项重点工作任务并完成年度目标。\n牵头单位:区发展和改革局\n责任单位:经济开发区,各街道办事处\n"
                    for n in (1, 2))
    more = "".join(f"{n}.实施第{n}项重点工作任务并完成年度目标。\n牵头单位:区工业和信息化局\n责任单位:经济开发区,区财政局,税务局\n"
                   for n in (3, 4, 5))
    doc = parse_text("某区2023年重点工作任务分解方案\n一、主要预期目标\n" + items + "二、重点工作\n（一）推进工业提质增效\n" + more)
    got = [(s.number, doc.section(s.parent_id).number if s.parent_id else None) for s in doc.sections if s.kind == "arabic"]
    assert got == [("1.", "一、"), ("2.", "一、"), ("3.", "（一）"), ("4.", "（一）"), ("5.", "（一）")]


def test_a_page_of_a_long_list_copied_alone_keeps_its_numbers():
    # page 9 of a 分解方案 on a website: its items go on from 204.
    items = "".join(f"{n}.推进第{n}项重点工作任务落实。(责任单位:市教育局)\n" for n in (204, 205, 206, 207))
    doc = parse_text("某市2023年目标任务责任分解方案\n" + items)
    assert [s.number for s in doc.sections if s.kind == "arabic"] == ["204.", "205.", "206.", "207."]
    # two numbers in a row are not a list yet: a figure can open a line
    doc = parse_text("某市2023年目标任务责任分解方案\n" + items.split("206.")[0])
    assert [s.number for s in doc.sections if s.kind == "arabic"] == []


def test_a_figure_wrapped_across_lines_is_one_figure():
    text = ("一、发展目标\n到2026年，培育省级工业互联网平台100个以上；制造业数字化转型服务商达到30\n"
            "0家，重点产业链企业数字化转型实现全覆盖。力争20\n24年底前完成转型指南编制，推广5\nG应用。\n")
    body = parse_text(text).text
    assert "达到300家" in body and "2024年底前" in body and "5G" in body
