"""``taizhang trace UPPER LOWER…``: 承接 links with the project's tokenizer and embedder.

The linking itself is ``extractors/relations/trace.py`` (pure, models injected); this module
loads the documents, the BM25 tokenizer and the embedding model once, and prints the table, the
JSON or the 承接对照表 workbook.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from extractors.relations.load import load_extraction
from extractors.relations.sheets import write_trace_sheet
from extractors.relations.trace import Embed, TraceReport, trace_documents
from extractors.run import Extraction
from pipeline.model import SourceRef
from pipeline.places import page_line_text
from pipeline.settings import Settings
from search_api.embedding.embed import Embedder, make_embedder
from search_api.sparse.sparse import tokenize


def _at(source: SourceRef) -> str:
    """Where a quote starts in its original: 第N页第M行, or 第M行 for a file without pages."""
    return page_line_text(source.page, source.line_start, paged=source.paged)


def passage_embed(embedder: Embedder) -> Embed:
    """The embedder as the linker wants it: texts → rows of floats (already unit length)."""
    return lambda texts: embedder.embed_passages(texts).tolist()


def trace_extractions(upper: Extraction, lowers: Sequence[Extraction],
                      embedder: Embedder | None) -> TraceReport:
    return trace_documents(upper, lowers, tokenize=tokenize,
                           embed=passage_embed(embedder) if embedder is not None else None)


def run_trace_command(upper: str, lowers: Sequence[str], settings: Settings, *, as_json: bool = False,
                      xlsx: Path | None = None, dense: bool = True) -> TraceReport:
    upper_ex = load_extraction(upper, settings)
    lower_exs = [load_extraction(ref, settings) for ref in lowers]
    report = trace_extractions(upper_ex, lower_exs, make_embedder(settings) if dense else None)
    if xlsx is not None:
        write_trace_sheet(report, xlsx)
    if as_json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print_trace(report)
        if xlsx is not None:
            print(f"承接对照表: {xlsx}")
    return report


def print_trace(report: TraceReport) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    console.print(Text(f"上级：{report.upper_title}（{report.upper_doc}）", style="bold"))
    for c in report.coverage:
        bar = "█" * round(20 * c.upper_taken / max(c.upper_total, 1))
        console.print(Text(f"  {c.title}（{c.doc_id}）承接 {c.upper_taken}/{c.upper_total} "
                           f"{bar:<20}  自选动作 {c.own_actions}"))
    table = Table(show_lines=True, expand=True)
    for name, ratio in (("上级任务", 3), ("本级承接措施", 3), ("依据（两处原文）", 5), ("分", 1), ("状态", 1)):
        table.add_column(name, ratio=ratio, overflow="fold")
    style = {"承接": "green", "调整": "yellow", "弱化": "bold red"}
    # which lower document a measure is in, by its title, and only when there are several
    titles = {c.doc_id: c.title for c in report.coverage}

    def in_doc(doc_id: str, before: str = "\n", after: str = "") -> str:
        return f"{before}《{titles.get(doc_id, doc_id)}》{after}" if len(titles) > 1 else ""

    for link in report.links:
        up, low = link.evidence
        compared = "\n".join(f"{c.what}：{c.upper or '无'} → {c.lower or '无'}" for c in link.comparisons)
        table.add_row(
            Text(f"{link.upper.number or ''}{link.upper.title}"),
            Text(f"{link.lower.number or ''}{link.lower.title}{in_doc(link.lower.source.doc_id)}", style=""),
            Text(f"上：{up.quote[:80]}（{_at(up.source)}）\n"
                 f"下：{low.quote[:80]}（{_at(low.source)}）"
                 + (f"\n{compared}" if compared else "")),
            f"{link.score.total:.2f}",
            Text(link.status, style=style[link.status]),
        )
    console.print(table)
    if report.untaken:
        console.print(Text("未承接：" + "；".join(f"{r.number or ''}{r.title}" for r in report.untaken), style="red"))
    if report.own_actions:
        console.print(Text("自选动作：" + "；".join(f"{r.number or ''}{r.title}{in_doc(r.source.doc_id, '（', '）')}"
                                                   for r in report.own_actions), style="cyan"))
