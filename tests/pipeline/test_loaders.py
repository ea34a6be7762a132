"""Every loader round-trips real policy text: what was written is what comes back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.load import load_file, sniff
from pipeline.load_docx import format_number
from tests.fixtures import make_docs
from tests.pdf_objects import write_mixed_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
HEADER = "攀枝花市人民政府办公室文件"
TABLE = [
    ["序号", "任务", "牵头单位", "完成时限"],
    ["1", "园区优化整合", "市经济和信息化局", "2025年底"],
    ["2", "建设人才平台", "市科技局", "持续推进"],
]
PAGE_NUMBER = re.compile(r"^— ?\d+ ?—$")


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    text = (CORPUS / "pzh-2025-yuanqu-tizhi-tongzhi.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.split("\n") if line.strip()][:40]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_of_pdf_text(text: str, header: str) -> str:
    """The loaded text without running headers, page numbers, page breaks and whitespace."""
    lines = [
        ln
        for ln in re.split(r"[\n\f]", text)
        if ln.strip() != header and not PAGE_NUMBER.match(ln.strip())
    ]
    return squeeze("".join(lines))


def recovered(paragraphs: list[str], loaded: str) -> float:
    """Share of body characters whose paragraph comes back whole and in place."""
    total = sum(len(squeeze(p)) for p in paragraphs)
    found, pos = 0, 0
    for p in paragraphs:
        at = loaded.find(squeeze(p), pos)
        if at >= 0:
            found += len(squeeze(p))
            pos = at + len(squeeze(p))
    return found / total


# --------------------------------------------------------------------------------------------
# PDF


@pytest.fixture(scope="module")
def pdf_with_layout(tmp_path_factory, paragraphs):
    path = tmp_path_factory.mktemp("pdf") / "tongzhi.pdf"
    return make_docs.write_pdf_with_layout(paragraphs, path, table=TABLE, table_after=10)


def test_pdf_recovers_the_body_text(pdf_with_layout, paragraphs):
    path, _ = pdf_with_layout
    raw = load_file(path)
    assert raw.format == "pdf"
    assert recovered(paragraphs, body_of_pdf_text(raw.text, HEADER)) >= 0.99


def test_pdf_pages_are_where_reportlab_put_them(pdf_with_layout):
    path, layout = pdf_with_layout
    raw = load_file(path)
    assert len(raw.page_starts) == layout.pages > 3
    pages = raw.text.split("\f")
    assert [raw.text.find(p, s) for p, s in zip(pages, raw.page_starts)] == list(raw.page_starts)
    for n, page in enumerate(pages, start=1):
        lines = [ln.strip() for ln in page.split("\n")]
        assert lines[0] == HEADER, f"page {n} should start with the running header"
        assert lines[-1] == f"— {n} —", f"page {n} should end with its page number"
    for index, page, fragment in layout.fragments:
        assert squeeze(fragment)[:30] in squeeze(pages[page - 1]), (index, page)


def test_pdf_page_line_of_a_paragraph(pdf_with_layout, paragraphs):
    path, layout = pdf_with_layout
    raw = load_file(path)
    last = len(paragraphs) - 1
    first_chars = squeeze(paragraphs[last])[:8]
    offset = raw.text.find(first_chars)
    assert raw.page_line(offset).page == layout.first_page(last)


def test_pdf_table_comes_back_as_rows(pdf_with_layout):
    path, layout = pdf_with_layout
    raw = load_file(path)
    assert len(raw.tables) == 1
    table = raw.tables[0]
    assert table.rows == tuple(tuple(r) for r in TABLE)
    assert table.page == layout.table_page
    assert table.raw_span is not None
    span_text = raw.text[table.raw_span.start : table.raw_span.end]
    assert span_text.startswith("序号") and span_text.endswith("持续推进")


def test_pdf_with_some_scanned_pages_loads_the_rest_with_a_warning(tmp_path, paragraphs):
    text_pdf = make_docs.write_pdf(paragraphs[:6], tmp_path / "text.pdf")
    scanned = make_docs.write_image_pdf(tmp_path / "scan.pdf", pages=1)
    raw = load_file(write_mixed_pdf(text_pdf, scanned, tmp_path / "mixed.pdf"))
    assert len(raw.page_starts) == 2
    assert raw.text.split("\f")[1] == ""
    assert any("共 2 页中有 1 页没有文字层" in w and "第 2 页" in w for w in raw.warnings)


def test_pdf_with_only_permission_restrictions_loads(tmp_path):
    """Copy-protected government PDFs have an owner password only: readers open them freely."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    make_docs._register_font()
    path = tmp_path / "protected.pdf"
    encrypt = StandardEncryption("", ownerPassword="owner", canCopy=0, canPrint=0)
    canvas = Canvas(str(path), encrypt=encrypt)
    canvas.setFont(make_docs.CJK_FONT, 14)
    canvas.drawString(72, 700, "一、总体要求")
    canvas.save()
    assert load_file(path).text == "一、总体要求"


# --------------------------------------------------------------------------------------------
# DOCX


NUMBERED = [
    "一、工作阶段安排",
    "坚持以习近平新时代中国特色社会主义思想为指导。",
    "（一）加强组织领导。",
    "（二）强化要素保障。",
    "二、重点任务",
    "（一）优化园区布局。",
    "1.编制发展规划。",
    "2.推动园区整合。",
    "三、保障措施",
]


def test_docx_round_trips_paragraphs_and_keeps_header_footer_out(tmp_path, paragraphs):
    path = make_docs.write_docx(paragraphs, tmp_path / "t.docx", header="页眉不应进入正文")
    raw = load_file(path)
    assert raw.format == "docx"
    assert raw.text.split("\n") == paragraphs
    assert "页眉不应进入正文" not in raw.text
    assert "— 1 —" not in raw.text and "PAGE" not in raw.text


def test_docx_renders_word_list_numbering(tmp_path):
    numbered = [i for i, p in enumerate(NUMBERED) if re.match(r"^([一二三]、|（[一二]）|\d\.)", p)]
    path = make_docs.write_docx(NUMBERED, tmp_path / "n.docx", numbered=numbered)
    # the typed numbers really are gone from the XML: only numbering.xml can bring them back
    import docx

    assert docx.Document(str(path)).paragraphs[0].text == "工作阶段安排"
    assert load_file(path).text.split("\n") == NUMBERED


def test_docx_table_is_rows_and_lines_in_document_order(tmp_path, paragraphs):
    path = make_docs.write_docx(paragraphs[:5], tmp_path / "t.docx", table=TABLE, table_after=2)
    raw = load_file(path)
    lines = raw.text.split("\n")
    assert lines[3:6] == ["\t".join(r) for r in TABLE]
    assert lines[:3] == paragraphs[:3] and lines[6:] == paragraphs[3:5]
    (table,) = raw.tables
    assert table.rows == tuple(tuple(r) for r in TABLE)
    expected = "\n".join("\t".join(r) for r in TABLE)
    assert raw.text[table.raw_span.start : table.raw_span.end] == expected


def test_docx_style_numbering_revisions_and_hidden_text(tmp_path):
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("编制发展规划", style="List Number")  # numbered through its style
    document.add_paragraph("推动园区整合", style="List Number")
    p = document.add_paragraph("保留")
    attrs = f'{nsdecls("w")} w:author="a" w:date="2024-01-01T00:00:00Z"'
    deleted = "<w:r><w:delText>删除的字</w:delText></w:r>"
    p._p.append(parse_xml(f'<w:del {attrs} w:id="1">{deleted}</w:del>'))
    p._p.append(parse_xml(f'<w:ins {attrs} w:id="2"><w:r><w:t>插入的字</w:t></w:r></w:ins>'))
    p.add_run("隐藏").font.hidden = True
    p.add_run("。")
    document.save(str(tmp_path / "rev.docx"))
    assert load_file(tmp_path / "rev.docx").text.split("\n") == ["1.编制发展规划", "2.推动园区整合", "保留插入的字。"]


@pytest.mark.parametrize(
    ("n", "num_fmt", "expected"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (16, "chineseCounting", "十六"),
        (23, "chineseCountingThousand", "二十三"),
        (105, "chineseCountingThousand", "一百零五"),
        (3, "ideographTraditional", "丙"),
        (12, "chineseLegalSimplified", "拾贰"),
        (2, "decimalEnclosedCircle", "②"),
        (7, "decimalFullWidth", "７"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (9, "decimal", "9"),
    ],
)
def test_word_number_formats(n, num_fmt, expected):
    assert format_number(n, num_fmt) == expected


# --------------------------------------------------------------------------------------------
# Text encodings


SAMPLE = "关于开展园区提质行动助推高质量发展的通知\n一、工作阶段安排\n到2025年底，新增省级开发区3个。〔责任单位：市发展改革委〕\n"


@pytest.mark.parametrize(
    ("writer", "expected_encoding"),
    [
        (lambda p, t: p.write_bytes(t.encode("utf-8")), "utf-8"),
        (lambda p, t: p.write_bytes(t.encode("utf-8-sig")), "utf-8-sig"),
        (make_docs.write_gbk_text, "gb18030"),
        (make_docs.write_gb18030_text, "gb18030"),
        (lambda p, t: make_docs.write_utf16_text(p, t, byteorder="le"), "utf-16"),
        (lambda p, t: make_docs.write_utf16_text(p, t, byteorder="be"), "utf-16"),
        (lambda p, t: make_docs.write_utf16_text(p, t, byteorder="le", bom=False), "utf-16-le"),
        (lambda p, t: make_docs.write_utf16_text(p, t, byteorder="be", bom=False), "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be"],
)
def test_text_encodings_decode_exactly(tmp_path, paragraphs, writer, expected_encoding):
    text = "\n".join(paragraphs[:20]) + "\n" + SAMPLE
    path = tmp_path / "doc.txt"
    writer(path, text)
    raw = load_file(path)
    assert raw.text == text
    assert raw.encoding == expected_encoding


PRIVATE_USE = [
    # WPS/方正 font glyphs: one between an item number and its title, one as a bullet
    ("二、重点任务\n1\ue010加快数字基础设施建设。\n2\ue010推进企业上云。\n", 2),
    ("\ue0a3推进企业上云。" + SAMPLE, 1),
    (SAMPLE, 0),
]


@pytest.mark.parametrize(("text", "glyphs"), PRIVATE_USE)
def test_a_few_private_use_glyphs_are_read_kept_and_flagged(tmp_path, text, glyphs):
    path = tmp_path / "wps.txt"
    path.write_bytes(text.encode("utf-8"))
    raw = load_file(path)
    assert raw.text == text
    flagged = [w for w in raw.warnings if "私用区字符" in w]
    assert len(flagged) == (1 if glyphs else 0)
    assert not glyphs or flagged[0].startswith(f"有 {glyphs} 个私用区字符")


def test_mostly_private_use_is_still_refused(tmp_path):
    from pipeline.errors import EncodingError

    path = tmp_path / "junk.txt"
    path.write_bytes(("\ue010\ue011\ue012" * 40 + "推进").encode("utf-8"))
    with pytest.raises(EncodingError):
        load_file(path)


def test_gb18030_only_characters(tmp_path):
    text = "生僻字𠀀与䶮在GB18030中才有编码。" + SAMPLE  # outside GBK: four-byte sequences
    raw = load_file(make_docs.write_gb18030_text(tmp_path / "g.txt", text))
    assert raw.text == text and raw.encoding == "gb18030"


def test_big5_traditional_text(tmp_path):
    text = "關於開展園區提質行動助推高質量發展的通知\n一、工作階段安排\n各縣（區）黨委和人民政府，市直有關部門：\n"
    path = tmp_path / "b.txt"
    path.write_bytes(text.encode("big5"))
    raw = load_file(path)
    assert raw.text == text and raw.encoding.startswith(("big5", "cp950"))


@pytest.mark.parametrize(
    "sentence",
    [
        "一、总体要求",
        "各县（区）人民政府，市级有关部门：",
        "〔责任单位：市发展改革委、市经济和信息化局〕",
        "到2025年，全市规模以上工业增加值增长8%以上。",
        "（三）强化督查考核。市委督查室牵头，市级相关部门配合。",
    ],
)
def test_short_gbk_sentences_are_not_mistaken_for_big5(tmp_path, sentence):
    raw = load_file(make_docs.write_gbk_text(tmp_path / "s.txt", sentence))
    assert raw.text == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "一、總體要求",
        "各縣（區）人民政府，市級有關部門：",
        "綠色低碳",
        "到2025年，全市規模以上工業增加值增長8%以上。",
    ],
)
def test_short_big5_sentences_are_not_mistaken_for_gbk(tmp_path, sentence):
    path = tmp_path / "t.txt"
    path.write_bytes(sentence.encode("big5"))
    raw = load_file(path)
    assert raw.text == sentence and raw.encoding == "big5"


def test_line_endings_and_form_feeds(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("第一页\r\n第二行\r第三行\f第二页\r\n".encode("utf-8"))
    raw = load_file(path)
    assert raw.text == "第一页\n第二行\n第三行\f第二页\n"
    assert raw.page_starts == (0, raw.text.index("第二页"))
    assert raw.page_line(raw.text.index("第三行")).line == 3


def test_markdown_is_kept_verbatim(tmp_path):
    text = "# 一、总体要求\n\n**1.优化园区产业布局。**按照“一园一主业”要求。\n"
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    raw = load_file(path)
    assert raw.format == "md" and raw.text == text


def test_sha256_is_of_the_raw_bytes(tmp_path):
    import hashlib

    path = make_docs.write_gbk_text(tmp_path / "h.txt", SAMPLE)
    assert load_file(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# HTML


def test_html_visible_text_only(tmp_path, paragraphs):
    path = make_docs.write_html(tmp_path / "p.html", paragraphs[:12], table=TABLE[:2])
    raw = load_file(path)
    assert raw.format == "html"
    for noise in ("统计代码", "页面脚本", "请启用JavaScript", "页面标题", "text-indent", "jquery"):
        assert noise not in raw.text
    lines = raw.text.split("\n")
    assert lines[:12] == paragraphs[:12]
    assert raw.tables[0].rows == tuple(tuple(r) for r in TABLE[:2])
    assert lines[12:] == ["\t".join(r) for r in TABLE[:2]]


def test_html_declared_gbk(tmp_path, paragraphs):
    path = make_docs.write_html(tmp_path / "g.htm", paragraphs[:5], encoding="gb2312")
    raw = load_file(path)
    assert raw.text.split("\n") == paragraphs[:5]
    assert raw.encoding == "gb18030"


def test_html_layout_table_is_read_as_blocks(tmp_path):
    body = "<p>" + "园区是产业发展的重要载体。" * 50 + "</p><p>第二段。</p>"
    html = f"<html><body><table><tr><td>导航</td><td>{body}</td></tr></table></body></html>"
    path = tmp_path / "layout.html"
    path.write_text(html, encoding="utf-8")
    raw = load_file(path)
    assert raw.tables == ()
    assert raw.text.split("\n") == ["导航", "园区是产业发展的重要载体。" * 50, "第二段。"]


# --------------------------------------------------------------------------------------------
# Sniffing: the bytes decide, the extension only breaks ties


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n%PDF-1.4", "pdf"),
        (b"PK\x03\x04....", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
        (b"<!DOCTYPE html><html>", "html"),
        (b"\xef\xbb\xbf  <HTML lang='zh'>", "html"),
        ("一、总体要求".encode("utf-8"), "text"),
        (b"\x89PNG\r\n", "image"),
        (b"{\\rtf1\\ansi", "rtf"),
    ],
)
def test_sniff(head, expected):
    assert sniff(head) == expected


def test_pdf_named_txt_is_read_as_pdf_with_a_warning(tmp_path, paragraphs):
    path = make_docs.write_pdf(paragraphs[:3], tmp_path / "x.pdf")
    renamed = path.rename(tmp_path / "x.txt")
    raw = load_file(renamed)
    assert raw.format == "pdf"
    assert any(w.startswith("x.txt：扩展名是 .txt，内容却是 PDF") for w in raw.warnings)


def test_docx_served_as_doc_is_read_as_docx(tmp_path, paragraphs):
    """Portals often name a .docx (or PDF, or HTML export) ``.doc``; the content decides."""
    path = make_docs.write_docx(paragraphs[:3], tmp_path / "x.docx")
    raw = load_file(path.rename(tmp_path / "x.doc"))
    assert raw.format == "docx" and raw.text.split("\n") == paragraphs[:3]
    assert any("扩展名是 .doc，内容却是 Word 文档" in w for w in raw.warnings)


# --------------------------------------------------------------------------- tables written as text

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.load_text import text_tables  # noqa: E402

PIPE_TABLE = ("某市重点任务分工方案\n\n| 序号 | 工作任务 | 牵头单位 | 责任单位 |\n|---|---|---|---|\n"
              "| 1 | 建设数字政府平台。 | 市大数据局 | 市财政局 |\n| 2 | 优化营商环境。 | 市政务服务管理局 | 市司法局 |\n正文继续。\n")
TAB_TABLE = "序号\t工作任务\t牵头单位\n1\t建设数字政府平台。\t市大数据局\n"


@pytest.mark.parametrize(("text", "rows"), [
    (PIPE_TABLE, [("序号", "工作任务", "牵头单位", "责任单位"), ("1", "建设数字政府平台。", "市大数据局", "市财政局"),
                  ("2", "优化营商环境。", "市政务服务管理局", "市司法局")]),
    (TAB_TABLE, [("序号", "工作任务", "牵头单位"), ("1", "建设数字政府平台。", "市大数据局")]),
    ("一、总体要求\n（一）加强组织领导。\n", None),
    ("a | b | c\n", None),  # one line is not a table
    ("名称\t单位\n市财政局\t万元\n", None),  # two columns: pairs, not a 分工 table
])
def test_tables_written_as_text(text: str, rows) -> None:
    tables = text_tables(text)
    if rows is None:
        assert tables == ()
        return
    (table,) = tables
    assert [tuple(r) for r in table.rows] == rows
    lines = text[table.raw_span.start:table.raw_span.end].split("\n")
    assert lines[0].lstrip("| ").startswith("序号") and "正文" not in lines[-1]


def test_a_pdf_page_break_inside_a_tab_table_does_not_end_it() -> None:
    # the page's number and running title stand between row 2 and row 3; a numbered line that does
    # not go on counting (the next chapter) ends the table as before
    text = ("序号\t指标名称\t2020年\t2025年\n1\t物流业增加值（亿元）\t1450\t2000\n2\tA级物流企业（家）\t286\t400\n\n"
            "— 2 —\n\n某省现代物流业发展规划\n\n3\t冷库总容量（万吨）\t320\t500\n第三章　构建物流枢纽网络\n"
            "\n— 3 —\n\n5\t旧表残行\t1\t2\n")
    tables = text_tables(text)
    assert [r[0] for r in tables[0].rows] == ["序号", "1", "2", "3"]
    assert "第三章" not in text[tables[0].raw_span.start:tables[0].raw_span.end]


@given(st.text(alphabet="|\t\n序号任务单位甲乙-", max_size=200))
def test_text_tables_never_fail_and_spans_lie_in_the_text(text: str) -> None:
    for table in text_tables(text):
        assert 0 <= table.raw_span.start <= table.raw_span.end <= len(text)
        assert len(table.rows) >= 2 and len({len(r) for r in table.rows}) == 1


FLATTENED = ("附件\n序号\n改革举措\n主 要 内 容\n指导部门\n推广范围\n一、知识产权保护方面（共2项）\n"
             "1\n知识产权案件“三合一”审判\n整合分散的审判资源，提高审判效率。\n最高人民法院、国家知识产权局\n全国\n"
             "二、科技成果转化方面（共1项）\n三、金融创新方面（共1项）\n"
             "2\n专利保险机制\n开发专利保险产品，降低侵权损失。\n国家知识产权局\n全国\n"
             "（本文有删减）\n")


def test_a_table_flattened_one_cell_per_line() -> None:
    (table,) = text_tables(FLATTENED)
    assert table.rows[0] == ("序号", "改革举措", "主要内容", "指导部门", "推广范围")
    assert [r[:2] for r in table.rows[1:]] == [("1", "知识产权案件“三合一”审判"), ("2", "专利保险机制")]
    assert FLATTENED[table.raw_span.start:table.raw_span.end].startswith("序号")
    assert FLATTENED[table.raw_span.start:table.raw_span.end].endswith("全国")


def test_a_numbered_list_is_not_a_flattened_table() -> None:
    text = "序号\n项目名称\n建设地点\n1\n某某项目\n东区\n"  # no unit column: a project list
    assert text_tables(text) == ()
