"""The same document as TXT, as a paged PDF (running header, ``— N —`` numbers, a table, paragraphs
crossing pages) and as DOCX: the section tree must come out the same, and every clause of the PDF
must point at the page where reportlab really put its text.
"""

from __future__ import annotations

import re

import pytest

from pipeline.run import parse_file
from tests.fixtures.make_docs import write_docx, write_pdf_with_layout

pytestmark = pytest.mark.slow  # renders and parses PDFs: a few seconds

DOC_IDS = ["pzh-2024-jianquan-qianglian-16tiao", "pzh-2025-yuanqu-tizhi-tongzhi"]
TABLE = [["指标", "2025年", "2027年"], ["四上企业（户）", "650", "750"], ["高新技术企业（家）", "80", "95"]]
_WS = re.compile(r"\s+")
_TYPED_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}\.(?!\d))")


def tree(doc) -> list[tuple[str | None, str, int]]:
    return [(s.number, s.title, s.level) for s in doc.sections if s.kind != "preamble"]


@pytest.fixture(scope="module", params=DOC_IDS)
def rendered(request, tmp_path_factory, corpus_dir):
    doc_id = request.param
    reference = parse_file(corpus_dir / f"{doc_id}.txt")
    paragraphs = reference.text.split("\n")
    folder = tmp_path_factory.mktemp(doc_id)
    pdf, layout = write_pdf_with_layout(paragraphs, folder / f"{doc_id}.pdf", table=TABLE, table_after=4)
    # headings typed as text become real Word list numbering the loader has to resolve
    numbered = [i for i, p in enumerate(paragraphs) if _TYPED_NUMBER.match(p)]
    docx = write_docx(paragraphs, folder / f"{doc_id}.docx", table=TABLE, table_after=4, numbered=numbered)
    return reference, parse_file(pdf), layout, parse_file(docx)


def test_the_pdf_really_is_paged(rendered):
    _, pdf_doc, layout, _ = rendered
    assert layout.pages >= 3 and len(pdf_doc.raw_page_starts) == layout.pages
    split = {i for i, _, _ in layout.fragments if sum(1 for j, _, _ in layout.fragments if j == i) > 1}
    assert split, "no paragraph crosses a page: the fixture does not test joining across pages"
    # running header and page numbers are gone from the cleaned text
    assert "人民政府办公室文件" not in pdf_doc.text
    assert not re.search(r"—\s*\d+\s*—", pdf_doc.text)


def test_pdf_and_docx_give_the_txt_section_tree(rendered):
    reference, pdf_doc, _, docx_doc = rendered
    assert tree(pdf_doc) == tree(reference)
    assert tree(docx_doc) == tree(reference)


def test_pdf_keeps_the_table(rendered):
    _, pdf_doc, _, docx_doc = rendered
    for doc in (pdf_doc, docx_doc):
        rows = [t.rows for t in doc.tables]
        assert any(r[0] == ("指标", "2025年", "2027年") for r in rows), rows


def test_pdf_paragraphs_crossing_pages_are_joined(rendered):
    """A paragraph split by a page break comes back whole: the cleaned paragraphs that make it up
    are broken only after a sentence end (the cleaner never joins across 。), never mid-sentence."""
    reference, pdf_doc, layout, _ = rendered
    cleaned = [_WS.sub("", p) for p in pdf_doc.text.split("\n")]
    crossing = sorted({i for i, _, _ in layout.fragments if len({p for j, p, _ in layout.fragments if j == i}) > 1})
    assert crossing
    for index in crossing:
        target = _WS.sub("", reference.text.split("\n")[index])
        first = next(k for k, p in enumerate(cleaned) if p and target.startswith(p))
        built, k = "", first
        while len(built) < len(target):
            if built:
                assert built[-1] in "。；！？：）〕", f"broken mid-sentence: …{built[-15:]} | {cleaned[k][:15]}…"
            built += cleaned[k]
            k += 1
        assert built == target


def test_pdf_clauses_point_at_their_page_and_line(rendered):
    reference, pdf_doc, layout, _ = rendered
    paragraphs = [_WS.sub("", p) for p in reference.text.split("\n")]
    pages_of: dict[int, list[int]] = {}
    for index, page, _ in layout.fragments:  # where reportlab put each paragraph, in order
        pages_of.setdefault(index, []).append(page)
    page_lines = [
        pdf_doc.raw_text[start:end].split("\n")
        for start, end in zip(pdf_doc.raw_page_starts, (*pdf_doc.raw_page_starts[1:], len(pdf_doc.raw_text)))
    ]
    table_cells = {cell for row in TABLE for cell in row}
    para, checked = 0, 0
    for clause in pdf_doc.clauses:
        text = _WS.sub("", clause.text)
        if set(clause.text.split()) <= table_cells:
            continue  # a row of the table, which is not a reportlab paragraph
        while para < len(paragraphs) and text not in paragraphs[para]:
            para += 1
        assert para < len(paragraphs), f"clause not found in the source paragraphs: {clause.text[:30]}"
        pages = pages_of[para]
        if paragraphs[para].startswith(text):
            assert clause.page == pages[0], (clause.text[:20], clause.page, pages)
        else:
            assert pages[0] <= clause.page <= pages[-1], (clause.text[:20], clause.page, pages)
        # and the loader's page text has the clause's first characters on that line (or it wraps)
        lines = page_lines[clause.page - 1]
        window = _WS.sub("", "".join(lines[clause.line - 1 : clause.line + 1]))
        assert text[:2] in window, (clause.page, clause.line, clause.text[:20])
        checked += 1
    assert checked > 30
