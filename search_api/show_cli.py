"""``taizhang show DOC:START-END``: where a span of the ledger is in its original file (page,
line, the raw lines around it)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.text import Text

from extractors.registry.store import Registry
from pipeline.locate import locate, parse_locator, reader_line
from pipeline.places import page_line_text
from pipeline.settings import Settings


def _fail(message: str) -> None:
    print(message, file=sys.stderr)


def run_show_command(locator: str, settings: Settings, as_json: bool = False) -> int:
    """Print the source of ``locator`` (as JSON with ``as_json``); the exit status: 0, 1 when
    the document or the span is not there, 2 when the locator cannot be read."""
    try:
        doc_id, start, end = parse_locator(locator)
    except ValueError as exc:
        _fail(str(exc))
        return 2
    doc = Registry.open(settings).document(doc_id)
    if doc is None:
        _fail(f"任务台账中没有文件 {doc_id!r}（请先运行 `taizhang build`，或检查文件编号）")
        return 1
    try:
        snippet = locate(doc, start, end)
    except ValueError as exc:
        _fail(str(exc))
        return 1
    if as_json:
        print(snippet.model_dump_json(indent=2))
        return 0
    console = Console()
    # document text may hold "[...]" (e.g. [bookmark: …]): print it as Text, never as markup
    console.print(Text(snippet.title, style="bold") + Text(f"  （{snippet.source_path}）"))
    console.print(Text(" › ".join(snippet.section_path) or "（正文前）"))
    where = page_line_text(snippet.page, snippet.line_start, line_end=snippet.line_end, paged=snippet.paged, sep=" ")
    console.print(Text(f"{where}（字符 {start}–{end}）"))
    for number, line in snippet.raw_lines:  # the lines pointed at marked, as on the web page
        pointed = snippet.line_start <= number <= snippet.line_end
        console.print(Text(f"{'▶' if pointed else ' '}{number:>4} | ", style="bold" if pointed else "dim")
                      + Text(reader_line(line)), soft_wrap=True)
    console.print(Text("原文：", style="bold") + Text(snippet.text, style="yellow"))
    return 0
