"""``taizhang spacy``: a document's extraction (or the corpus gold) as a spaCy ``DocBin``, and a
displaCy page of a document's units, deadlines and targets (``extractors/spacy_docs.py``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from extractors.relations.load import load_extraction
from extractors.spacy_docs import SPAN_GROUPS, blank_chinese, displacy_html, doc_bin, extraction_doc
from pipeline.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class GoldDoc(Protocol):
    """One gold document as a Doc, with a line for each thing the gold names that its text lacks."""

    doc: Doc
    missing: tuple[str, ...]


GoldDocs = Callable[["Language", Settings], list[GoldDoc]]  # eval.spacy_gold.corpus_gold_docs


def _counts(doc: Doc) -> str:
    names = {"measures": "措施", "units": "单位", "deadlines": "时限", "targets": "目标"}
    return "，".join(f"{names[key]} {len(doc.spans[key])}" for key in SPAN_GROUPS)


def run_spacy_command(doc_ref: str | None, out: Path | None, html: Path | None, settings: Settings,
                      gold_docs: GoldDocs | None = None) -> int:
    """Write the DocBin (``out``) and/or the displaCy page (``html``); the exit status.

    ``doc_ref``: a file (parsed and extracted now) or a doc id in the registry. With ``gold_docs``
    the corpus gold is written instead (``html`` then shows its first document)."""
    if out is None and html is None:
        print("请用 --out 指定 .spacy 文件，或用 --html 指定网页文件", file=sys.stderr)
        return 2
    if (doc_ref is None) == (gold_docs is None):
        print("请给出一个文件（或文件编号），或用 --gold 导出人工标注，二者选一", file=sys.stderr)
        return 2
    nlp = blank_chinese()
    if gold_docs is not None:
        gold = gold_docs(nlp, settings)
        docs = [g.doc for g in gold]
        for g in gold:
            print(f"{g.doc.user_data['doc_id']}：{_counts(g.doc)}", file=sys.stderr)
            for line in g.missing:
                print(f"  未在原文中找到：{line}", file=sys.stderr)
        title = "人工标注"
    else:
        extraction = load_extraction(doc_ref, settings)
        docs = [extraction_doc(nlp, extraction)]
        print(f"{extraction.document.doc_id}：{_counts(docs[0])}", file=sys.stderr)
        title = extraction.document.meta.title
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc_bin(docs).to_disk(out)
        print(f"已写出 {out}（{len(docs)} 份文件）")
    if html is not None and docs:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(displacy_html(docs[0], title), encoding="utf-8")
        print(f"已写出 {html}")
    return 0
