"""HTML pages (government portals, saved web pages): visible text only, blocks as lines.

Decoding: a BOM, then the ``<meta charset>`` / ``http-equiv`` declaration, then the same
detection as plain text. Portals often declare ``gb2312`` and serve GBK characters, so any
GB declaration is read as GB18030; a declaration the bytes contradict is ignored with a warning.

Rendering follows what a browser shows: script, style, noscript, template, head, hidden
elements and comments are dropped; runs of whitespace collapse; block elements and ``<br>``
end a line. A table without nested tables and with short cells is a data table: one line per
row, cells joined by ``\\t``, and a ``RawTable``. Tables used for page layout (nested tables or
long cells) are read as blocks instead.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from pipeline.errors import CorruptFileError
from pipeline.load_text import decode_text, looks_like_text
from pipeline.messages import warning
from pipeline.model import RawDocument, RawTable, Span

DROP = frozenset("script style noscript template head iframe object svg select button".split())
BLOCKS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table tbody thead tfoot section article header
    footer nav aside main form hr figure figcaption caption address center blockquote pre title
    fieldset legend details summary td th""".split()
)
LAYOUT_CELL_CHARS = 500  # a "cell" longer than this is a page column, not table data

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ASCII_WS = re.compile(r"[ \t\n\r\f\v]+")
_GB = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn"}


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return "gb18030" if name in _GB else name


def decode_html(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings) for an HTML file's bytes."""
    warnings: list[str] = []
    declared = _declared_charset(data)
    has_bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if declared and not has_bom:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            warnings.append(warning("charset_mismatch", name=path.name, declared=declared))
        else:
            if looks_like_text(text):
                return text, declared, warnings
    text, encoding = decode_text(data, path)
    return text, encoding, warnings


def _hidden(tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _collapse(text: str) -> str:
    return _ASCII_WS.sub(" ", text)


class _Renderer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.offset = 0  # length of "\n".join(lines) + 1 so far
        self.tables: list[RawTable] = []

    def newline(self) -> None:
        line = "".join(self.current).strip(" \t\xa0\u3000")
        self.current = []
        if line:
            self.lines.append(line)
            self.offset += len(line) + 1

    def walk(self, root) -> None:
        from bs4 import Comment, NavigableString, Tag
        from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

        skip_strings = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
        # Explicit stack: portal pages nest deeply enough to hit Python's recursion limit. Each
        # entry carries whether it is inside a <pre>: asking every text node's ancestors made N
        # nested spans cost N² (600 KB of them: 66 s).
        stack: list[tuple[object, bool, bool]] = [(root, False, any(p.name == "pre" for p in root.parents))]
        while stack:
            node, leaving, in_pre = stack.pop()
            if leaving:
                self.newline()
                continue
            if isinstance(node, NavigableString):
                if not isinstance(node, skip_strings):
                    self.current.append(str(node) if in_pre else _collapse(str(node)))
                continue
            if not isinstance(node, Tag):
                continue
            name = (node.name or "").lower()
            if name in DROP or _hidden(node):
                continue
            if name == "br":
                self.newline()
                continue
            if name == "table" and self._data_table(node):
                continue
            block = name in BLOCKS
            if block:
                self.newline()
                stack.append((node, True, in_pre))
            inside_pre = in_pre or name == "pre"
            stack.extend((child, False, inside_pre) for child in reversed(list(node.children)))

    def _data_table(self, table) -> bool:
        """Emit ``table`` as rows if it holds data; False to read it as layout blocks."""
        if table.find("table") is not None:
            return False
        rows: list[tuple[str, ...]] = []
        for tr in table.find_all("tr"):
            cells = []
            for cell in tr.find_all(["td", "th"]):
                for dropped in cell.find_all(lambda t: t.name in DROP or _hidden(t)):
                    dropped.decompose()
                cells.append(_collapse(cell.get_text(" ")).strip(" \xa0\u3000"))
            if any(len(c) > LAYOUT_CELL_CHARS for c in cells):
                return False
            if any(cells):
                rows.append(tuple(cells))
        if not rows:
            return False
        self.newline()
        start = self.offset
        for row in rows:
            self.current.append("\t".join(row))
            self.newline()
        span = Span(start=start, end=self.offset - 1)
        self.tables.append(RawTable(page=1, rows=tuple(rows), raw_span=span))
        return True


def load_html(path: Path, data: bytes, *, sha256: str) -> RawDocument:
    """An HTML page as a ``RawDocument`` of its visible text."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    text, encoding, notes = decode_html(path, data)
    try:
        with warnings.catch_warnings():
            # XHTML pages and one-line fragments are still HTML to us; bs4's advice is noise here
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # noqa: BLE001 - lxml rejects very little, but say so when it does
        raise CorruptFileError.because(path, "html_unparsable", detail=exc) from None
    renderer = _Renderer()
    renderer.walk(soup.body or soup)
    renderer.newline()
    return RawDocument(
        path=str(path),
        format="html",
        text="\n".join(renderer.lines),
        encoding=encoding,
        sha256=sha256,
        tables=tuple(renderer.tables),
        warnings=tuple(notes),
    )
