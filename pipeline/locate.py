"""Show any span at its place in the original file: page, line, and the raw lines around it.

This is what makes every cell of the 任务分工表 checkable in one command
(``taizhang show DOC:START-END``) or one click (``/show`` in the web page).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from pipeline.model import Document, Span, raw_page_line

LOCATOR = re.compile(r"^(?P<doc>[^:]+):(?P<start>\d+)-(?P<end>\d+)$")
# Word's bookmark anchors as a .docx → text conversion leaves them ([bookmark: _Hlk…]): file
# internals, not the document's words. One may be cut by a line break: its two halves go too.
BOOKMARK = re.compile(r"\[bookmark: [^\]\n]*(?:\]|$)|^\s*_?(?:Hlk|OLE_LINK|Toc|GoBack)\w*\]")


class SourceSnippet(BaseModel):
    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    source_path: str
    char_start: int
    char_end: int
    text: str  # the cleaned text of the span
    page: int
    line_start: int
    line_end: int
    paged: bool = True  # False when the original has no pages (a text file): show 第N行 only
    section_path: tuple[str, ...]
    raw_lines: tuple[tuple[int, str], ...]  # (line number on its page, raw line) around the span
    raw_start_in_lines: int  # offset of the span's raw start inside the joined raw_lines


def reader_line(raw_line: str) -> str:
    """A raw line as a reader shows it: without Word's bookmark anchors (the web page's source
    dialog hides them the same way)."""
    return BOOKMARK.sub("", raw_line)


def parse_locator(value: str) -> tuple[str, int, int]:
    """``doc_id:start-end`` → parts. Raises ValueError saying, in Chinese, the expected shape."""
    m = LOCATOR.match(value.strip())
    if not m:
        raise ValueError(f"“{value}”不是定位符：应写成 文件编号:起-止，例如 mydoc:120-180")
    start, end = int(m["start"]), int(m["end"])
    if end < start:
        raise ValueError(f"定位符的止点 {end} 在起点 {start} 之前")
    return m["doc"], start, end


def locate(doc: Document, start: int, end: int, context_lines: int = 2) -> SourceSnippet:
    if not (0 <= start <= end <= len(doc.text)):
        raise ValueError(f"{start}-{end} 超出了文件 {doc.doc_id} 的范围（0-{len(doc.text)}）")
    span = Span(start=start, end=end)
    raw = doc.offsets.raw_span(span)
    first = doc.page_line(start)
    last = doc.page_line(max(end - 1, start))
    section_id = None
    for s in doc.sections:  # deepest section containing the span
        if s.span.start <= start and end <= s.span.end and s.kind != "preamble":
            section_id = s.section_id
    # raw lines of the span's page around it
    raw_text = doc.raw_text
    line_begin = raw_text.rfind("\n", 0, raw.start) + 1
    for _ in range(context_lines):
        if line_begin <= 0:
            break
        line_begin = raw_text.rfind("\n", 0, line_begin - 1) + 1
    line_end = raw_text.find("\n", raw.end)
    line_end = len(raw_text) if line_end < 0 else line_end
    for _ in range(context_lines):
        nxt = raw_text.find("\n", line_end + 1)
        if nxt < 0:
            line_end = len(raw_text)
            break
        line_end = nxt
    lines = []
    offset = line_begin
    for text in raw_text[line_begin:line_end].split("\n"):
        pl = raw_page_line(raw_text, offset, doc.raw_page_starts)
        lines.append((pl.line, text.replace("\f", "")))
        offset += len(text) + 1
    return SourceSnippet(
        doc_id=doc.doc_id,
        title=doc.meta.title,
        source_path=doc.source_path,
        char_start=start,
        char_end=end,
        text=doc.text[start:end],
        page=first.page,
        line_start=first.line,
        line_end=last.line,
        paged=doc.paged,
        section_path=doc.section_path(section_id),
        raw_lines=tuple(lines),
        raw_start_in_lines=raw.start - line_begin,
    )
