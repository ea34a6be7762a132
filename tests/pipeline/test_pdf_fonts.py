"""The CJK stand-in font (``pipeline/pdf_fonts.py``): pdfium measures unembedded CJK text with it
instead of the system's CJK font, and the text that comes out must be the same, every character
kept, on whichever pages and processes read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.load import load_file
from pipeline.pdf_fonts import cjk_stand_in_enabled, cjk_stand_ins_lent, use_cjk_stand_in
from pipeline.settings import Settings
from tests.fixtures.make_docs import write_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DOC_IDS = ["pzh-2022-yuanqu-guihua", "dongqu-2023-chengzai-fangan"]
_WS = re.compile(r"\s+")

pytestmark = pytest.mark.slow  # renders PDFs with reportlab: a few seconds


def _settings(tmp_path: Path, stand_in: bool, workers: int = 1) -> Settings:
    return Settings(data_dir=tmp_path / "data", pdf_workers=workers, pdf_cjk_stand_in=stand_in)


def _paragraphs(doc_id: str) -> list[str]:
    text = (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


@pytest.fixture(scope="module")
def cid_pdfs(tmp_path_factory) -> dict[str, Path]:
    """Corpus documents as reportlab PDFs: unembedded CID font STSong-Light (Adobe-GB1)."""
    folder = tmp_path_factory.mktemp("cid")
    return {doc_id: write_pdf(_paragraphs(doc_id), folder / f"{doc_id}.pdf") for doc_id in DOC_IDS}


def _in_order(needle: str, haystack: str) -> bool:
    """Every character of ``needle`` appears in ``haystack`` in the same order."""
    rest = iter(haystack)
    return all(char in rest for char in needle)


def _system_has_cjk_font(pdf: Path) -> bool:
    """pdfium found a CJK font of the system's for the fixture: its first CJK glyph has a height
    (with no font at all pdfium gives zero-height boxes, and then drops characters)."""
    import pypdfium2 as pdfium

    was = cjk_stand_in_enabled()
    use_cjk_stand_in(False)
    document = pdfium.PdfDocument(str(pdf))
    try:
        textpage = document[0].get_textpage()
        text = textpage.get_text_range()
        first = next(i for i, char in enumerate(text) if "\u4e00" <= char <= "\u9fff")
        _, bottom, _, top = textpage.get_charbox(first)
        return top - bottom > 1
    finally:
        document.close()
        use_cjk_stand_in(was)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_character_of_the_source_is_read_with_the_stand_in(cid_pdfs, doc_id, tmp_path):
    before = cjk_stand_ins_lent()
    raw = load_file(cid_pdfs[doc_id], _settings(tmp_path, stand_in=True))
    assert cjk_stand_ins_lent() > before, "the stand-in was not asked for: the test proves nothing"
    source = _WS.sub("", "".join(_paragraphs(doc_id)))
    loaded = _WS.sub("", raw.text)
    assert _in_order(source, loaded)
    assert len(loaded) - len(source) < 20 * len(raw.page_starts)  # only headers and page numbers


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_stand_in_and_system_font_give_the_same_text(cid_pdfs, doc_id, tmp_path):
    if not _system_has_cjk_font(cid_pdfs[doc_id]):
        pytest.skip("no CJK font on this system to compare with (fonts-noto-cjk gives one)")
    lent = cjk_stand_ins_lent()
    with_system_font = load_file(cid_pdfs[doc_id], _settings(tmp_path, stand_in=False))
    assert cjk_stand_ins_lent() == lent, "the setting did not switch the stand-in off"
    with_stand_in = load_file(cid_pdfs[doc_id], _settings(tmp_path, stand_in=True))
    assert cjk_stand_ins_lent() > lent
    assert with_stand_in.text == with_system_font.text
    assert with_stand_in.page_starts == with_system_font.page_starts
    assert with_stand_in.tables == with_system_font.tables


def test_a_pdf_shared_with_page_workers_reads_as_in_process(cid_pdfs, tmp_path, monkeypatch):
    """A big PDF shared with a worker process gives what reading it in process gives. (Which
    font the worker measured with does not show in the text, so this cannot tell whether the
    worker lent the stand-in; ``_steal`` passes the choice on explicitly for that.)"""
    from pipeline import load_pdf

    monkeypatch.setattr(load_pdf, "PARALLEL_MIN_SECONDS", 0.0)
    path = cid_pdfs["pzh-2022-yuanqu-guihua"]
    alone = load_file(path, _settings(tmp_path, stand_in=True))
    try:
        assert load_pdf.start_pdf_workers(_settings(tmp_path, stand_in=True, workers=2))
        shared = load_file(path, _settings(tmp_path, stand_in=True, workers=2))
    finally:
        load_pdf.stop_pdf_workers()
    assert shared.text == alone.text and shared.page_starts == alone.page_starts


@pytest.mark.parametrize("font_name", ["MSung-Light", "HeiseiMin-W3", "HYSMyeongJo-Medium"])
def test_other_cjk_character_collections_are_read(font_name, tmp_path):
    """Big5 (Adobe-CNS1), Japanese and Korean CID fonts take the same road as GB ones."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    lines = {"MSung-Light": "關於推進園區體制機制改革的實施意見",
             "HeiseiMin-W3": "産業団地の体制改革に関する実施意見",
             "HYSMyeongJo-Medium": "산업단지 체제 개혁 실시 의견"}
    pdfmetrics.registerFont(UnicodeCIDFont(font_name))
    path = tmp_path / f"{font_name}.pdf"
    page = canvas.Canvas(str(path))
    page.setFont(font_name, 14)
    page.drawString(72, 720, lines[font_name])
    page.save()
    before = cjk_stand_ins_lent()
    raw = load_file(path, _settings(tmp_path, stand_in=True))
    assert cjk_stand_ins_lent() > before
    assert _WS.sub("", raw.text) == _WS.sub("", lines[font_name])


def test_shipped_font_is_what_its_script_writes():
    pytest.importorskip("fontTools")
    from pipeline.fonts.make_cjk_stand_in import FONT_PATH, build

    assert FONT_PATH.read_bytes() == build(), "run python -m pipeline.fonts.make_cjk_stand_in"
