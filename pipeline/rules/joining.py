"""When a line break is layout and when it ends a paragraph: the cleaner's joining decisions.

A line is joined to the paragraph before it unless something says the paragraph ended there.
The signals, strongest first: Markdown marks and hard breaks, captions/dates/document numbers
(standalone lines), headings (a weak one like ``1.`` only where the line before ends its
paragraph), an open bracket or quote, sentence-final punctuation, a first-line indent when the
document uses indents, and the line's width against the width at which the document wraps.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.chinese import cn_to_int
from pipeline.rules import CleaningRules, HeadingRule, meta_rules
from pipeline.rules.classify import (
    BRACKET,
    OPEN_TO_CLOSE,
    PAIR,
    SAME_CLOSER,
    ends_paragraph,
    ends_table,
    has_terminal_inside,
    match_heading,
)

_TITLE_BLOCK_LINES = 20  # "关于…" opens a title only this near the top
_TAIL_CHARS = 300  # how far back an open bracket keeps a paragraph open
_NON_WRAPPED_SHORT = 24  # display width under which a line is not a wrapped one (no wrap width)


@dataclass
class Line:
    """One physical line after artifact removal: the raw ranges kept and their text."""

    index: int
    page: int
    segs: list[tuple[int, int]]
    text: str
    hard_break: bool = False
    markdown: bool = False
    bold_end: bool = False  # the raw line ends by closing Markdown bold: a heading-like paragraph
    indent: int = 0  # leading blank width of the raw line: 　 and tab count 2 and 4
    heading: tuple[HeadingRule, re.Match[str]] | None = None  # set once in build_paragraphs

    @property
    def width(self) -> int:
        """Display width with the indent: CJK characters count 2, ASCII 1 (from the UTF-8 length)."""
        # surrogatepass: a lone surrogate in a caller's str must not stop cleaning
        encoded = len(self.text.encode("utf-8", "surrogatepass"))
        return self.indent + len(self.text) + (encoded - len(self.text)) // 2


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)
    table_row: bool = False
    length: int = 0
    open_at: list[tuple[str, int]] = field(default_factory=list)  # unmatched openers: (closer, offset)

    @classmethod
    def of(cls, line: Line, table_row: bool = False) -> "Paragraph":
        para = cls(table_row=table_row)
        para.add(line)
        return para

    def add(self, line: Line) -> None:
        """Append a line, keeping track of brackets still open (incrementally: no rescans)."""
        for m in BRACKET.finditer(line.text):
            ch = m.group()
            if ch in OPEN_TO_CLOSE:
                self.open_at.append((OPEN_TO_CLOSE[ch], self.length + m.start()))
                continue
            for depth in range(len(self.open_at) - 1, -1, -1):
                if SAME_CLOSER[self.open_at[depth][0]] == SAME_CLOSER[ch]:
                    del self.open_at[depth:]
                    break
        self.lines.append(line)
        self.length += len(line.text)

    def bracket_open(self) -> bool:
        """An opening bracket or quote near the end is not closed: the paragraph goes on."""
        return bool(self.open_at) and self.open_at[-1][1] >= self.length - _TAIL_CHARS

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


# --------------------------------------------------------------------------------------------
# Layout of the document


def _indents_mark_paragraphs(lines: list[Line]) -> bool:
    """Some lines are indented (by two or more spaces, a tab or 　) and many long ones are not:
    the indent is a paragraph's first line, as typed in Word or kept by a PDF converter."""
    indented = sum(1 for line in lines if line.indent >= 2)
    flush = sum(1 for line in lines if line.indent == 0 and line.width >= 20)
    return indented >= 3 and flush >= 3


def wrap_width(lines: list[Line]) -> int | None:
    """The width at which a hard-wrapped document breaks its lines, or None if it does not.

    Hard-wrapped text has most long lines within a few units of one width; paragraph-per-line
    text has widths all over the place.
    """
    widths = [w for w in (line.width for line in lines) if w >= 20]
    if len(widths) < 8:
        return None
    counts = Counter(widths)
    best_w, best = 0, 0
    for w in counts:
        window = sum(counts.get(x, 0) for x in range(w - 4, w + 1))
        if window > best or (window == best and w > best_w):
            best_w, best = w, window
    return best_w if best >= 0.35 * len(widths) else None


# --------------------------------------------------------------------------------------------
# Joining lines into paragraphs


@dataclass
class _JoinContext:
    rules: CleaningRules
    short: float
    wrapped: int | None
    title_end: re.Pattern[str]
    indents: bool = False  # first-line indents mark paragraph starts in this document
    heading_seen: bool = False
    content_lines: int = 0
    last_number: dict[str, int] = field(default_factory=dict)  # per heading rule, the last item number


def _in_title_block(ctx: _JoinContext) -> bool:
    return ctx.content_lines < _TITLE_BLOCK_LINES and not ctx.heading_seen


def _standalone(line: Line, ctx: _JoinContext, *, opening: bool) -> bool:
    """Captions, notes, dates, document numbers: lines that are paragraphs on their own.

    ``关于…`` only opens a paragraph (a title may wrap onto a second line), and only near the top.
    """
    if not ctx.rules.standalone_regex.search(line.text):
        return False
    rule_ids = [r.id for r in ctx.rules.standalone_line if r.regex.search(line.text)]
    return rule_ids != ["title_start"] or (opening and _in_title_block(ctx))


def _starts_block(line: Line, para: Paragraph, ctx: _JoinContext) -> bool:
    """``line`` begins a new paragraph whatever the previous line looks like."""
    if _standalone(line, ctx, opening=True) or line.markdown:
        return True
    if ctx.indents and line.indent >= 2 and not (line.heading is None and _cut_off(para)):
        return True  # a first-line indent, in a document whose wrapped lines have none
    if ctx.wrapped and not ctx.indents and len(para.lines) == 1 and _bare_title(para):
        # a heading that fills its line goes on only to a short last line ("…历史基" + "础");
        # a second full line would make a title no document has: it is the body
        head = line.text[:15]
        if line.width >= 0.9 * ctx.wrapped and not any(ch in head for ch in "。！？；：:"):
            return True
    found = line.heading
    if found is None:
        return False
    if not found[0].weak and _bare_title(para):
        return True  # a heading right after a heading
    if found[0].weak and not ctx.wrapped and _continues(found, ctx):
        return True  # 2. after an item 1. whose last line ends with no stop (…责任单位：A、B)
    if not found[0].weak and _continues(found, ctx):
        return True  # （二） after （一）, even in wrapped text: a label line (责任单位：A，B) ends before it
    if _continues(found, ctx) and _ends_with_label_line(para, ctx):
        return True  # 2. after "1.… 牵头单位:A 责任单位:B,C" in text whose lines look wrapped
    if found[0].weak or ctx.wrapped:
        # "1." — or in hard-wrapped text even "一、" ("…居全国第\n一、世界第三") — can begin a
        # wrapped line; it is a heading only where the line before ends its paragraph
        return _closes(para, ctx, brackets=found[0].weak)
    return True


def _continues(found: tuple[HeadingRule, re.Match[str]], ctx: _JoinContext) -> bool:
    """The item's number follows the last one its rule opened a paragraph with."""
    num = found[1].groupdict().get("num")
    last = ctx.last_number.get(found[0].id)
    return num is not None and last is not None and cn_to_int(num) == last + 1


def _ends_with_label_line(para: Paragraph, ctx: _JoinContext) -> bool:
    """One of the paragraph's last lines opens with a responsibility label (责任单位：…), which
    may itself have wrapped onto a line or two."""
    label = ctx.rules.rule("label_line_before_item").regex
    return any(label.search(line.text) for line in para.lines[-3:])


def _heading_rest(para: Paragraph) -> str | None:
    """The text after the number when the paragraph so far is a heading with no sentence end."""
    found = para.lines[0].heading
    if found is None or found[0].role == "leaf":
        return None
    rest = "".join(line.text for line in para.lines)[found[1].start("rest") :]
    return None if has_terminal_inside(rest) else rest


def _bare_title(para: Paragraph) -> bool:
    """A heading that is only a title, not even a comma: "二、大力实施…六大行动"."""
    rest = _heading_rest(para)
    return rest is not None and "，" not in rest and "," not in rest


def _tail(para: Paragraph) -> str:
    """The end of the paragraph built so far: enough to see an open bracket, bounded in cost."""
    return "".join(line.text for line in para.lines[-12:])[-_TAIL_CHARS:]


def _closes(para: Paragraph, ctx: _JoinContext, *, brackets: bool = True) -> bool:
    """The paragraph built so far ends with its last line.

    ``brackets=False`` ignores an open bracket: a strong heading after "…（区经济局" still starts
    a paragraph, a continuation line does not.
    """
    prev = para.lines[-1]
    if _standalone(prev, ctx, opening=False):
        return True  # a site's article line ends its paragraph even with two trailing spaces
    if prev.hard_break:
        return False
    if prev.markdown or prev.bold_end:
        return True
    if _in_title_block(ctx) and ctx.title_end.search(prev.text):
        return True
    if _heading_rest(para) is not None and (ctx.wrapped is None or prev.width < 0.9 * ctx.wrapped):
        return True  # a heading ends where its line is not full: only a long one wraps
    if brackets and para.bracket_open():
        return False  # "〔责任单位：A；" goes on: the ；is inside the bracket
    if ends_paragraph(prev.text if prev.text[-1:] not in PAIR else _tail(para), ctx.rules):
        return True
    if _cut_off(para):
        return False
    return prev.width < ctx.short


def _cut_off(para: Paragraph) -> bool:
    """配合单位：A、B、⏎C、D: a list or a clause cut off after 、 or ， goes on, however short its
    line and however the next one is indented."""
    return para.lines[-1].text.rstrip().endswith(("、", "，"))


def build_paragraphs(lines: list[Line], rules: CleaningRules) -> list[Paragraph]:
    wrapped = wrap_width(lines)
    ctx = _JoinContext(
        rules=rules,
        short=0.75 * wrapped if wrapped else _NON_WRAPPED_SHORT,
        wrapped=wrapped,
        title_end=meta_rules().title_end[0].regex,
        indents=_indents_mark_paragraphs(lines),
    )
    paragraphs: list[Paragraph] = []
    in_table = False
    for line in lines:
        found = line.heading = match_heading(line.text)
        if in_table and ends_table(line.text, found):
            in_table = False
        if in_table:
            paragraphs.append(Paragraph.of(line, table_row=True))
            continue
        para = paragraphs[-1] if paragraphs else None
        if para is None or para.table_row or _starts_block(line, para, ctx) or _closes(para, ctx):
            paragraphs.append(Paragraph.of(line))
        else:
            paragraphs[-1].add(line)
        if found is not None and found[0].role == "ladder":
            ctx.heading_seen = True
            num = found[1].groupdict().get("num")
            if paragraphs[-1].lines == [line] and num is not None:
                ctx.last_number[found[0].id] = cn_to_int(num) or 0
        if found is not None and found[0].id == "table" and paragraphs[-1].lines == [line]:
            in_table = True
        ctx.content_lines += 1
    return paragraphs
