"""Clean raw text into one paragraph per line, keeping every character's way back to the raw file.

What the cleaner does, in order:

1. splits the raw text into physical lines (``\\n``, ``\\r``, ``\\f``) and pages;
2. removes conversion artifacts inside lines (``[bookmark: …]``, ``**``, leading ``#``s,
   control and zero-width characters) and surrounding whitespace;
3. drops page numbers (``— 3 —``, ``第3页 共20页``, a bare number at a page edge) and running
   headers/footers (the same line at the top or bottom of ≥ 3 pages);
4. joins lines broken by layout into paragraphs: a line that does not end a paragraph, followed
   by a line that continues it — blank lines between them do not matter, since some converters
   put one after every line. Headings, list items, captions, table rows, dates and document
   numbers are never joined;
5. inside prose paragraphs, removes the spaces conversion put between CJK characters and
   between CJK characters and digits (the decision is documented in ``rules/cleaning.yaml``).

What a line is (heading, note, caption, prose) is decided by ``rules/classify.py`` from the YAML
rule tables, shared with the segmenter; when a line break is layout is decided by
``rules/joining.py``.

Nothing is rewritten: the cleaned text is raw characters copied in order, plus ``\\n`` between
paragraphs and a space where a line break separated two Latin words. The ``OffsetMap`` records
the copied runs, so ``raw.text[offsets.to_raw(i)] == clean.text[i]`` for every copied character.
"""

from __future__ import annotations

import bisect
import re

from pipeline.chinese import cn_to_int
from pipeline.model import CleanText, OffsetMap, RawDocument
from pipeline.rules import CleaningRules, cleaning_rules
from pipeline.rules.classify import ends_paragraph, is_prose, match_heading
from pipeline.rules.joining import Line, Paragraph, build_paragraphs

_LINE_BREAK = re.compile(r"[\n\r\f]")
_HEADER_MAX = 40  # characters: a running header or footer is short
_NUMBER_KEY = re.compile(r"[0-9０-９]+")
_SPACES = re.compile(r"\s+")
_SPACE_RUN = re.compile("[ \t\u3000\xa0]+")


# --------------------------------------------------------------------------------------------
# Lines


def _kept(start: int, end: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    segs, pos = [], start
    for a, b in cuts:
        if a > pos:
            segs.append((pos, a))
        pos = max(pos, b)
    if pos < end:
        segs.append((pos, end))
    return segs


def _strip(raw: str, segs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Trim whitespace at both ends of a list of raw ranges."""
    while segs:
        a, b = segs[0]
        while a < b and raw[a].isspace():
            a += 1
        if a < b:
            segs[0] = (a, b)
            break
        segs.pop(0)
    while segs:
        a, b = segs[-1]
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b > a:
            segs[-1] = (a, b)
            break
        segs.pop()
    return segs


def _indent(piece: str) -> int:
    width = 0
    for ch in piece:
        if ch == " " or ch == "\xa0":
            width += 1
        elif ch == "\u3000":
            width += 2
        elif ch == "\t":
            width += 4
        else:
            break
    return width


def _page_starts(raw: RawDocument) -> list[int]:
    starts = set(raw.page_starts or (0,))
    starts.update(m.end() for m in re.finditer("\f", raw.text))
    return sorted(starts | {0})


def split_lines(raw: RawDocument, rules: CleaningRules) -> list[Line]:
    text = raw.text
    pages = _page_starts(raw)
    lines: list[Line] = []
    bounds = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    artifact = rules.artifact_regex
    md_marks = rules.rule("markdown_heading_marks").regex
    letter_spaced = rules.rule("letter_spaced").regex
    hard_break = rules.hard_break_regex
    last_item: dict[str, int] = {}  # the last number seen of each ladder marker, for glued items
    for n, start in enumerate(bounds):
        end = bounds[n + 1] - 1 if n + 1 < len(bounds) else len(text)
        piece = text[start:end]
        cuts = [(start + m.start(), start + m.end()) for m in artifact.finditer(piece) if m.end() > m.start()]
        segs = _strip(text, _kept(start, end, cuts) if cuts else [(start, end)])
        line_text = text[segs[0][0] : segs[0][1]] if len(segs) == 1 else "".join(text[a:b] for a, b in segs)
        if letter_spaced.search(line_text):
            segs = [(a + i, a + i + 1) for a, b in segs for i in range(b - a) if not text[a + i].isspace()]
            line_text = "".join(text[a:b] for a, b in segs)
        page = bisect.bisect_right(pages, start) - 1
        line = Line(
            index=n,
            page=page,
            segs=segs,
            text=line_text,
            # the pattern ends in two spaces at the line's end: most lines are out at once
            hard_break=piece.endswith("  ") and bool(hard_break.search(piece)),
            markdown=bool(md_marks.match(piece)),
            bold_end=piece.rstrip().endswith("**") and line_text != "",
            indent=_indent(piece),
        )
        cuts = _glued_item_cuts(line_text, rules, last_item)
        lines.extend(_cut_line(text, line, cuts) if cuts else (line,))
    if len(lines) != len(bounds):
        for i, line in enumerate(lines):
            line.index = i
    return lines


FLAT_PAGE_CHARS = 400  # a line this long holding numbered items is a page that lost its line breaks


def _glued_item_cuts(line_text: str, rules: CleaningRules, last_item: dict[str, int]) -> list[int]:
    """Where a line holding two items ("…。（责任单位：A）10．加快…") ends its first: right after a
    bracket that closes a sentence, when what follows is a heading of the ladder; right after a
    part's bare title followed by its first group (a page flattened to one line); or right after a
    sentence, when what follows continues the numbering of its marker (``last_item``, updated) or
    is the first item under the group whose title the sentence was."""
    closed = []
    for m in rules.rule("item_after_closed_group").regex.finditer(line_text):
        found = match_heading(line_text[m.end():].lstrip(" \u3000"))
        if found is not None and found[0].role == "ladder" and ends_paragraph(line_text[: m.end()], rules):
            closed.append(m.end())
    sentence = {m.end() for m in rules.rule("item_after_sentence_end").regex.finditer(line_text)}
    if len(line_text) >= FLAT_PAGE_CHARS:
        sentence |= {m.end() for m in rules.rule("item_after_space").regex.finditer(line_text)}
    bare_title = rules.rule("item_after_bare_title").regex
    titled = [m.end() for at in sorted({0, *sentence, *closed}) if (m := bare_title.match(line_text, at))]
    cuts = [*closed, *titled]
    before: str | None = None  # the marker of the item the piece before opened
    for at in sorted({0, *sentence, *closed, *titled}):
        found = match_heading(line_text[at:].lstrip(" \u3000"))
        if found is None or found[0].role != "ladder" or found[1].groupdict().get("num") is None:
            before = None
            continue
        rule_id, ordinal = found[0].id, cn_to_int(found[1].group("num"))
        if at in sentence:
            # a first item right after its group's run-in title ("（一）…消费增长。1.把…") starts a list
            first_under = ordinal == 1 and before is not None and before != rule_id
            if ordinal != last_item.get(rule_id, 0) + 1 and not first_under:
                before = None
                continue
            cuts.append(at)
        last_item[rule_id] = ordinal
        before = rule_id
    for m in rules.rule("article_after_gap").regex.finditer(line_text):
        found = match_heading(line_text[m.end():].lstrip())
        if found is not None and found[0].kind == "article":
            cuts.append(m.end())
    return sorted(set(cuts))


def _cut_line(raw_text: str, line: Line, cuts: list[int]) -> list[Line]:
    """``line`` as one line per piece between ``cuts`` (offsets into ``line.text``)."""
    pieces: list[Line] = []
    bounds = [0, *cuts, len(line.text)]
    for k in range(len(bounds) - 1):
        lo, hi, segs, pos = bounds[k], bounds[k + 1], [], 0
        for a, b in line.segs:
            s, e = max(a, a + lo - pos), min(b, a + hi - pos)
            if s < e:
                segs.append((s, e))
            pos += b - a
        segs = _strip(raw_text, segs)
        last = k == len(bounds) - 2
        pieces.append(
            Line(
                index=line.index,
                page=line.page,
                segs=segs,
                text="".join(raw_text[a:b] for a, b in segs),
                hard_break=line.hard_break and last,
                markdown=line.markdown and k == 0,
                bold_end=line.bold_end and last,
                indent=line.indent if k == 0 else 0,
            )
        )
    return pieces


def _edge_lines(lines: list[Line], depth: int, page_of: dict[int, int]) -> dict[int, list[Line]]:
    """The first and last ``depth`` non-blank lines of each page."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.text:
            by_page.setdefault(page_of[line.index], []).append(line)
    return {p: (ls[:depth] + ls[-depth:] if len(ls) > 2 * depth else ls) for p, ls in by_page.items()}


def _pages_of(lines: list[Line], numbers: set[int]) -> dict[int, int]:
    """The page of each line; in a text copied from a PDF with no page breaks of its own, the
    page-number lines (— 3 —) left in it end the pages, so its running headers are found too."""
    if len({line.page for line in lines}) > 1 or len(numbers) < 2:
        return {line.index: line.page for line in lines}
    page, out = 0, {}
    for line in lines:
        out[line.index] = page
        if line.index in numbers:
            page += 1
    return out


def drop_furniture(lines: list[Line], rules: CleaningRules) -> list[Line]:
    """Remove page numbers and running headers/footers; returns the lines that remain."""
    dropped: set[int] = set()
    for line in lines:
        if line.text and rules.drop_regex.search(line.text):
            dropped.add(line.index)
    page_of = _pages_of(lines, dropped)
    pages = _edge_lines(lines, 2, page_of)
    # a bare number is a page's number only at the edge of a real page (\f); where the pages are
    # told by their dashed numbers (— 4 —), the number opening the next page is a table's cell
    if len(pages) > 1 and len({line.page for line in lines}) > 1:
        for edge in _edge_lines(lines, 1, page_of).values():
            for line in edge:
                if rules.edge_drop_regex.search(line.text):
                    dropped.add(line.index)
    if len(pages) >= 3:
        seen: dict[str, set[int]] = {}
        for page, edge in pages.items():
            for line in edge:
                # a header is short and is not a sentence
                if len(line.text) <= _HEADER_MAX and not is_prose(line.text):
                    key = _NUMBER_KEY.sub("#", _SPACES.sub("", line.text))
                    seen.setdefault(key, set()).add(page)
        threshold = max(3, int(0.3 * len(pages) + 0.999))
        repeated = {k for k, ps in seen.items() if len(ps) >= threshold}
        for edge in pages.values():
            for line in edge:
                if _NUMBER_KEY.sub("#", _SPACES.sub("", line.text)) in repeated:
                    dropped.add(line.index)
    return [line for line in lines if line.text and line.index not in dropped]


# --------------------------------------------------------------------------------------------
# Emitting cleaned text

_CJK_CHAR = re.compile("[\u4e00-\u9fff]")


def _paragraph_segments(raw_text: str, para: Paragraph) -> tuple[list[tuple[int, int] | str], str]:
    """Pieces of the paragraph in order: raw ranges, or a str the cleaner inserts."""
    pieces: list[tuple[int, int] | str] = []
    text_parts: list[str] = []
    for i, line in enumerate(para.lines):
        if i and text_parts and line.text:
            left, right = text_parts[-1][-1], line.text[0]
            # a space keeps two English words apart; a figure or a name like 5G wrapped in a Chinese
            # text (服务商达到30|0家, 20|24年) is one token
            wrapped_figure = (left.isdigit() or right.isdigit()) and _CJK_CHAR.search(text_parts[-1] + line.text)
            if left.isascii() and right.isascii() and left.isalnum() and right.isalnum() and not wrapped_figure:
                pieces.append(" ")
                text_parts.append(" ")
        pieces.extend(line.segs)
        text_parts.append(line.text)
    return pieces, "".join(text_parts)


def _prose_space_cuts(text: str, para: Paragraph, rules: CleaningRules) -> list[tuple[int, int]]:
    if para.table_row or not is_prose(text):
        return []
    protect = 0
    found = para.lines[0].heading
    if found is not None:
        protect = found[1].start("rest")
    check = rules.prose_space_regex
    # scan for whitespace first (fast), then ask the rules about each run's neighbours
    return [
        (m.start(), m.end())
        for m in _SPACE_RUN.finditer(text, protect)
        if (hit := check.match(text, m.start())) is not None and hit.end() == m.end()
    ]


class _Builder:
    """Accumulates cleaned text and the runs it was copied from."""

    def __init__(self, raw_text: str) -> None:
        self.raw = raw_text
        self.parts: list[str] = []
        self.length = 0
        self.clean_starts: list[int] = []
        self.raw_starts: list[int] = []
        self.lengths: list[int] = []

    def copy(self, a: int, b: int) -> None:
        if b <= a:
            return
        if self.lengths and self.clean_starts[-1] + self.lengths[-1] == self.length and (
            self.raw_starts[-1] + self.lengths[-1] == a
        ):
            self.lengths[-1] += b - a
        else:
            self.clean_starts.append(self.length)
            self.raw_starts.append(a)
            self.lengths.append(b - a)
        self.parts.append(self.raw[a:b])
        self.length += b - a

    def insert(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def result(self) -> CleanText:
        offsets = OffsetMap(
            clean_starts=tuple(self.clean_starts), raw_starts=tuple(self.raw_starts), lengths=tuple(self.lengths)
        )
        return CleanText(text="".join(self.parts), offsets=offsets)


def _emit(builder: _Builder, pieces: list[tuple[int, int] | str], cuts: list[tuple[int, int]]) -> None:
    """Copy ``pieces`` except the local ranges in ``cuts`` (offsets within the paragraph text)."""
    local = 0
    ci = 0
    for piece in pieces:
        if isinstance(piece, str):
            if not (ci < len(cuts) and cuts[ci][0] <= local < cuts[ci][1]):
                builder.insert(piece)
            local += len(piece)
            continue
        a, b = piece
        pos = a
        while pos < b:
            here = local + (pos - a)
            while ci < len(cuts) and cuts[ci][1] <= here:
                ci += 1
            if ci < len(cuts) and cuts[ci][0] <= here:
                pos = min(b, a + (cuts[ci][1] - local))
                continue
            stop = b if ci >= len(cuts) else min(b, a + (cuts[ci][0] - local))
            builder.copy(pos, stop)
            pos = stop
        local += b - a


def clean(raw: RawDocument) -> CleanText:
    """The cleaned text of ``raw``: one paragraph per line, with an offset map back to ``raw.text``."""
    rules = cleaning_rules()
    lines = drop_furniture(split_lines(raw, rules), rules)
    builder = _Builder(raw.text)
    for n, para in enumerate(build_paragraphs(lines, rules)):
        pieces, text = _paragraph_segments(raw.text, para)
        if n:
            builder.insert("\n")
        _emit(builder, pieces, _prose_space_cuts(text, para, rules))
    return builder.result()


def clean_offset(offsets: OffsetMap, raw_offset: int) -> int:
    """The cleaned offset of the first copied character at or after ``raw_offset``."""
    i = bisect.bisect_right(offsets.raw_starts, raw_offset) - 1
    if i < 0:
        return offsets.clean_starts[0] if offsets.clean_starts else 0
    delta = raw_offset - offsets.raw_starts[i]
    if delta < offsets.lengths[i]:
        return offsets.clean_starts[i] + delta
    if i + 1 < len(offsets.clean_starts):
        return offsets.clean_starts[i + 1]
    return offsets.clean_starts[i] + offsets.lengths[i]
