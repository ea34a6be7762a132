"""The extraction as spaCy Docs (``extractors/spacy_docs.py``), the gold as a DocBin
(``eval/spacy_gold.py``) and ``taizhang spacy``: every span read back from the DocBin sits at the
extraction's character offsets, with its role, ids and text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eval.extraction_gold import load_task_files
from eval.extraction_score import norm_text
from eval.spacy_gold import FoldedText, corpus_gold_docs
from extractors.run import Extraction, extract_document
from extractors.spacy_docs import (
    ROLE_LABELS,
    SPAN_GROUPS,
    blank_chinese,
    displacy_html,
    doc_bin,
    extraction_doc,
)
from pipeline.model import Span
from pipeline.run import parse_file
from pipeline.settings import Settings
from search_api.spacy_cli import run_spacy_command

REPO = Path(__file__).resolve().parents[2]
NOTICE = (
    "关于推进园区建设的通知\n"
    "一、重点任务\n"
    "（一）完善园区规划。编制园区发展规划，2025年底前完成。（市发展改革委牵头，市财政局、市自然资源局配合）\n"
    "（二）培育骨干企业。到2025年，园区规上工业企业达到90户。责任单位：市经济和信息化局、市科技局。\n"
)


@pytest.fixture(scope="module")
def nlp():
    return blank_chinese()


@pytest.fixture(scope="module")
def notice(tmp_path_factory) -> Extraction:
    path = tmp_path_factory.mktemp("spacy") / "通知.txt"
    path.write_text(NOTICE, encoding="utf-8")
    return extract_document(parse_file(path))


def _read_back(nlp, docs):
    from spacy.tokens import DocBin

    return list(DocBin().from_bytes(doc_bin(docs).to_bytes()).get_docs(nlp.vocab))


def _expected_units(extraction: Extraction) -> set[tuple[int, int, str, str, str]]:
    return {(m.span.start, m.span.end, ROLE_LABELS[role], m.canonical, t.task_id)
            for t in extraction.tasks
            for role, mentions in (("lead", t.lead), ("supporting", t.supporting), ("unassigned", t.unassigned_units))
            for m in mentions if m.span is not None}


def _spans(doc, key: str) -> set[tuple[int, int, str, str, str]]:
    return {(s.start_char, s.end_char, s.label_, s.kb_id_, s.id_) for s in doc.spans[key]}


@pytest.mark.parametrize("text", ["", "一", "a  b\n\n中\f文\t。", "（一）加快 园区\u3000建设。\r\n"])
def test_one_token_per_character_keeps_the_text(nlp, text: str) -> None:
    doc = nlp(text)
    assert doc.text == text and len(doc) == len(text)


def test_the_doc_bin_holds_the_extraction_at_its_offsets(nlp, notice: Extraction) -> None:
    assert _expected_units(notice), "the notice names units"
    [doc] = _read_back(nlp, [extraction_doc(nlp, notice)])
    assert doc.text == notice.document.text and doc.user_data["doc_id"] == notice.document.doc_id
    assert set(doc.spans) >= set(SPAN_GROUPS)
    assert _spans(doc, "units") == _expected_units(notice)
    assert _spans(doc, "measures") == {(t.span.start, t.span.end, "MEASURE", "", t.task_id) for t in notice.tasks}
    assert _spans(doc, "deadlines") == {(d.span.start, d.span.end, "DEADLINE", d.kind, t.task_id)
                                        for t in notice.tasks for d in t.deadlines if d.span is not None}
    assert _spans(doc, "targets") == {(t.span.start, t.span.end, "TARGET", t.indicator, t.target_id)
                                      for t in notice.targets}
    roles = {s.text: s.label_ for s in doc.spans["units"]}
    assert roles["市发展改革委"] == "LEAD" and roles["市财政局"] == "SUPPORTING"
    assert roles["市科技局"] == "UNASSIGNED"  # 责任单位 without a stated role is never promoted
    assert any("90户" in s.text for s in doc.spans["targets"])


def test_a_corpus_document_round_trips(nlp, corpus_dir: Path) -> None:
    extraction = extract_document(parse_file(corpus_dir / "pzh-2025-yuanqu-tizhi-tongzhi.txt"))
    [doc] = _read_back(nlp, [extraction_doc(nlp, extraction)])
    assert len(_expected_units(extraction)) > 50
    assert _spans(doc, "units") == _expected_units(extraction)
    for span in doc.spans["units"]:
        assert span.text == extraction.document.text[span.start_char:span.end_char]


def test_the_gold_is_placed_on_the_words_it_names(nlp) -> None:
    settings = Settings()
    gold = corpus_gold_docs(nlp, settings)
    assert len(gold) == 5 and all(not g.missing for g in gold), [g.missing for g in gold]
    docs = _read_back(nlp, [g.doc for g in gold])
    by_id = {d.user_data["doc_id"]: d for d in docs}
    task_file = load_task_files()["dongqu-2023-chengzai-fangan"]
    doc = by_id["dongqu-2023-chengzai-fangan"]
    first = next(t for t in task_file.tasks if not t.optional)
    units = [s for s in doc.spans["units"] if s.id_ == first.task_id]
    assert [norm_text(s.text) for s in units if s.label_ == "LEAD"] == [norm_text(n) for n in first.lead]
    assert {norm_text(s.text) for s in units if s.label_ == "SUPPORTING"} == {norm_text(n) for n in first.supporting}
    assert units[0].kb_id_ == "东区经济和信息化局"  # the canonical name from the gold's units map
    assert sum(len(d.spans["targets"]) for d in docs) > 100


@pytest.mark.parametrize(("text", "words", "start", "expected"), [
    ("园区工业总产值达到\n1200 亿元。", "园区工业总产值达到 1200 亿元", 0, (0, 17)),
    ("（一）加快建设。(二) 完善规划", "（二）完善规划", 0, (8, 16)),  # width folded, spaces ignored
    ("市财政局牵头，市财政局配合", "市财政局", 3, (7, 11)),
    ("市财政局牵头", "市税务局", 0, None),
])
def test_folded_find(text: str, words: str, start: int, expected: tuple[int, int] | None) -> None:
    found = FoldedText(text).find(words, start)
    assert (found and (found.start, found.end)) == expected or (found is None and expected is None)


def test_displacy_page_marks_roles_and_escapes_the_text(nlp, notice: Extraction) -> None:
    doc = extraction_doc(nlp, notice)
    html = displacy_html(doc, "关于推进园区建设的通知")
    assert "<title>关于推进园区建设的通知</title>" in html and "市发展改革委" in html
    assert "牵头" in html and "配合" in html and "目标" in html
    hostile = nlp.make_doc("<script>alert(1)</script>市财政局")
    hostile.spans["units"] = [hostile.char_span(25, 29, label="LEAD")]
    assert "<script>" not in displacy_html(hostile, "<b>x</b>")


def test_the_command_writes_a_doc_bin_and_a_page(nlp, tmp_path: Path, corpus_dir: Path, capsys) -> None:
    from spacy.tokens import DocBin

    out, html = tmp_path / "out" / "通知.spacy", tmp_path / "通知.html"
    source = corpus_dir / "dongqu-2023-chengzai-fangan.txt"
    assert run_spacy_command(str(source), out, html, Settings()) == 0
    [doc] = DocBin().from_disk(out).get_docs(nlp.vocab)
    assert doc.text == parse_file(source).text and len(doc.spans["units"]) > 20
    assert "牵头" in html.read_text(encoding="utf-8")
    assert run_spacy_command(None, None, None, Settings()) == 2 and "--out" in capsys.readouterr().err


def test_importing_the_module_loads_nothing() -> None:
    code = "import sys, extractors.spacy_docs; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def test_offsets_outside_the_text_are_refused(nlp) -> None:
    from extractors.spacy_docs import Annotation, annotated_doc

    with pytest.raises(ValueError, match="outside"):
        annotated_doc(nlp, "市财政局", [Annotation("units", Span(start=2, end=9), "LEAD")])
