"""A text file has no pages: its places read 第N行, never 第1页 (issue 20).

A PDF has pages, and so does a text file that holds form feeds; everything else is one stream
whose "page 1" would be a claim the file does not make.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.locate import locate
from pipeline.model import Evidence, SourceRef, Span
from pipeline.places import has_pages, page_line_text
from pipeline.run import parse_file
from tests.fixtures.make_docs import write_pdf

TEXT = "关于推进园区建设的通知\n一、总体要求\n（一）加快园区建设。\n（二）完善园区道路。\n"


@pytest.mark.parametrize(("fmt", "page_starts", "expected"), [
    ("txt", (0,), False),
    ("md", (0,), False),
    ("html", (0,), False),
    ("docx", (0,), False),  # Word's pages are its layout, which the loader does not see
    ("txt", (0, 40), True),  # a form feed starts a page
    ("pdf", (0,), True),  # a one-page PDF still has its page 1
    ("pdf", (0, 900), True),
])
def test_has_pages(fmt: str, page_starts: tuple[int, ...], expected: bool) -> None:
    assert has_pages(fmt, page_starts) is expected


@pytest.mark.parametrize(("args", "kwargs", "expected"), [
    ((1, 12), {}, "第1页第12行"),
    ((1, 12), {"paged": False}, "第12行"),
    ((1, 12), {"line_end": 15, "paged": False}, "第12—15行"),
    ((3, 12), {"line_end": 15, "sep": " "}, "第3页 第12—15行"),
    ((3, 40), {"line_end": 2, "page_end": 4}, "第3页第40行—第4页第2行"),
])
def test_page_line_text(args: tuple, kwargs: dict, expected: str) -> None:
    assert page_line_text(*args, **kwargs) == expected


def _span_of(doc, words: str) -> Span:
    start = doc.text.index(words)
    return Span(start=start, end=start + len(words))


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_text_file_is_placed_by_line_only(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"通知{suffix}"
    path.write_text(TEXT, encoding="utf-8")
    doc = parse_file(path)
    span = _span_of(doc, "完善园区道路")
    source = doc.source_ref(span, None)
    assert not doc.paged and not source.paged
    assert source.where() == "第4行" and source.where(" ") == "第4行"
    snippet = locate(doc, span.start, span.end)
    assert not snippet.paged and snippet.line_start == 4


def test_a_text_file_with_form_feeds_has_pages(tmp_path: Path) -> None:
    path = tmp_path / "分页.txt"
    path.write_text(TEXT.replace("（二）", "\f（二）"), encoding="utf-8")
    doc = parse_file(path)
    source = doc.source_ref(_span_of(doc, "完善园区道路"), None)
    assert doc.paged and source.where() == "第2页第1行"


def test_a_pdf_keeps_its_pages(tmp_path: Path) -> None:
    path = write_pdf(["关于推进园区建设的通知", "一、总体要求", "加快园区建设，完善园区道路。"], tmp_path / "通知.pdf")
    doc = parse_file(path)
    source = doc.source_ref(_span_of(doc, "完善园区道路"), None)
    assert doc.paged and source.where().startswith("第1页第")
    assert locate(doc, source.char_start, source.char_end).paged


def test_printed_places_in_the_cli_outputs_follow_the_source() -> None:
    from search_api.check_cli import where

    pageless = SourceRef(doc_id="d", line_start=7, line_end=7, char_start=0, char_end=3, paged=False)
    assert where(Evidence(quote="x", source=pageless), {"d": "通知"}) == "《通知》 第7行"
    paged = pageless.model_copy(update={"paged": True, "page": 2})
    assert where(Evidence(quote="x", source=paged), {"d": "通知"}) == "《通知》 第2页 第7行"


@pytest.mark.parametrize(("paged", "expected"), [(False, "来源 第9行"), (True, "来源 第1页 第9行")])
def test_a_search_card_names_the_page_only_when_there_is_one(paged: bool, expected: str) -> None:
    from rich.console import Console

    from search_api.cli_search import hit_renderable
    from search_api.schemas import BestSentence, HitScores, ItemCard, SearchHit

    source = SourceRef(doc_id="d", line_start=3, char_start=0, char_end=4, paged=paged)
    card = ItemCard(item_id="d:1", kind="measure", doc_id="d", doc_title="通知", title="加快园区建设", source=source)
    hit = SearchHit(rank=1, card=card, scores=HitScores(fused=1.0),
                    sentence=BestSentence(text="加快园区建设。", span=Span(start=0, end=7), page=1, line=9))
    console = Console(width=100, record=True)
    console.print(hit_renderable(hit))
    shown = console.export_text()
    assert expected in shown and (paged or "页" not in shown)


def test_paged_is_written_only_when_false_and_read_back() -> None:
    paged = SourceRef(doc_id="d", char_start=0, char_end=3)
    assert "paged" not in paged.model_dump_json()  # what was saved before the field reads back unchanged
    pageless = paged.model_copy(update={"paged": False})
    assert SourceRef.model_validate_json(pageless.model_dump_json()) == pageless
