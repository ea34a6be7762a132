"""Property tests: any text cleans and segments without raising, and every span keeps its promises.

The provenance property, stated precisely: for every clause, the raw characters its span maps
to (``offsets.raw_span``) contain the clause's characters as a subsequence, in order, apart from
the spaces the cleaner inserted between Latin words; and every character the cleaner copied is
the raw character at its mapped offset.
"""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import Document, DocumentMeta, RawDocument
from pipeline.normalize import clean
from pipeline.segment import segment
from pipeline.text_tables import text_tables

# Building blocks of real documents, so that random text meets the rules often.
FRAGMENTS = [
    "一、", "（一）", "(二)", "1.", "2．", "3、", "（1）", "①", "——", "第一章 ", "第二节 ", "第一条 ", "第一阶段：",
    "专栏1：", "表 1—1 ", "图 2 ", "附件", "附件1", "前 言", "注：", "# ", "## ", "**", "[bookmark: _Hlk1]",
    "推进园区建设", "市发展改革委", "各县（区）", "〔责任单位：", "〕", "（", "）", "“", "”", "《", "》",
    "。", "；", "！", "？", "：", "，", "、", " ", "  ", "\u3000", "\t", "\n", "\n\n", "\f", "\r", "\r\n", "\x00",
    "— 3 —", "－１７－", "第3页 共20页", "3/20", "2025年", "900亿元", "16.5%", "LNG", "smart", "關於開展",
    "攀东府办〔2023〕4号", "2023年1月19日", "（征求意见稿）", "关于", "的通知", "目录……1",
    # tables copied as text: pipes, a header, row numbers, merged cells
    " | ", "|", "||", "序号 | 工作任务 | 责任单位 |", "工作任务 | 具体要求 | 责任部门 |", "1 | ", "3.",
    "序号\n工作任务\n责任单位\n", "   ", "牵头单位:", "完成时限:",
]

document_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=80).map("".join),
)


def build(text: str) -> tuple[RawDocument, Document]:
    pages = (0,) + tuple(i + 1 for i, ch in enumerate(text) if ch == "\f")
    raw = RawDocument(
        path="p.txt", format="txt", text=text, sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        page_starts=pages,
    )
    return raw, segment(clean(raw), raw, DocumentMeta(doc_id="p", title="p"))


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_text)
def test_any_text_cleans_and_segments(text):
    raw, doc = build(text)
    n = len(doc.text)
    o = doc.offsets
    # copied runs are exact
    for cs, rs, length in zip(o.clean_starts, o.raw_starts, o.lengths):
        assert 0 <= cs and cs + length <= n and 0 <= rs and rs + length <= len(raw.text)
        assert doc.text[cs : cs + length] == raw.text[rs : rs + length]
    assert list(o.clean_starts) == sorted(o.clean_starts)
    assert list(o.raw_starts) == sorted(o.raw_starts)  # cleaning never reorders text
    # clauses
    for c in doc.clauses:
        assert 0 <= c.span.start < c.span.end <= n
        assert doc.text[c.span.start : c.span.end] == c.text
        raw_span = o.raw_span(c.span)
        assert is_subsequence(c.text.replace(" ", ""), raw.text[raw_span.start : raw_span.end])
        assert c.page >= 1 and c.line >= 1
        assert doc.section(c.section_id).span.start <= c.span.start < doc.section(c.section_id).span.end + 1
    # sections nest
    by_id = {s.section_id: s for s in doc.sections}
    for s in doc.sections:
        assert 0 <= s.span.start <= s.heading_span.start <= s.heading_span.end <= s.span.end <= n
        if s.parent_id is not None:
            parent = by_id[s.parent_id]
            assert parent.span.start <= s.span.start and s.span.end <= parent.span.end
            assert s.level == parent.level + 1
        else:
            assert s.level in (0, 1)
    starts = [s.span.start for s in doc.sections]
    assert starts == sorted(starts)
    for t in doc.tables:
        assert t.span is None or 0 <= t.span.start <= t.span.end <= n


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n\f", max_size=60), st.data())
def test_fast_page_lines_agree_with_the_model(text, data):
    from pipeline.model import raw_page_line
    from pipeline.segment import PageLines

    raw, _ = build(text)
    pages = PageLines(raw)
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    expected = raw_page_line(raw.text, offset, raw.page_starts)
    assert pages.at(offset) == (expected.page, expected.line)


def test_document_page_line_agrees_with_reference(corpus_documents) -> None:
    """The indexed page/line lookup gives what a plain count over the raw text gives."""
    from pipeline.model import raw_page_line

    for doc in corpus_documents.values():
        step = max(len(doc.text) // 200, 1)
        for offset in range(0, len(doc.text), step):
            expected = raw_page_line(doc.raw_text, doc.offsets.to_raw(offset), doc.raw_page_starts)
            assert doc.page_line(offset) == expected


def test_document_equality_ignores_the_page_line_cache(corpus_documents) -> None:
    doc = next(iter(corpus_documents.values()))
    twin = doc.model_validate_json(doc.model_dump_json())
    doc.page_line(10)
    assert doc == twin and twin == doc


_EDGES = "\x00\x08\x09\x0d\x0e\x1f\x20\x7e\x7f\x9f\xa0\ud7ff\ud800\udfff\ue000\uf8ff\uf900"
_ANY_CHAR = st.characters(exclude_categories=())  # include the surrogates hypothesis leaves out


@given(st.text(alphabet=st.one_of(_ANY_CHAR, st.sampled_from(_EDGES)), max_size=200))
@settings(max_examples=300, deadline=None)
def test_control_scan_matches_the_unicode_categories(text: str) -> None:
    """The one-regex control scan of looks_like_text counts what the category lookup would."""
    import unicodedata

    from pipeline.load_text import _DISALLOWED

    expected = sum(
        1 for ch in text if ch not in "\t\n\v\f\r" and unicodedata.category(ch) in ("Cc", "Cs", "Co")
    )
    assert len(_DISALLOWED.findall(text)) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_text)
def test_tables_read_from_text_have_rows_and_spans_inside_the_text(text: str) -> None:
    for table in text_tables(text):
        assert len(table.rows) >= 2 and all(table.rows)
        assert 0 <= table.raw_span.start <= table.raw_span.end <= len(text)
