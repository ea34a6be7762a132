"""Placing recognised headings in a tree: which level each marker stands for in this document.

The order in which markers first appear decides the nesting; a marker seen before closes everything
below it; weak markers (1. （1） ① ——) count only when their number continues a sequence; a 专栏
keeps its own numbered list inside an outer one. ``segment.py`` recognises the headings and
assembles the Document from the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.messages import warning
from pipeline.rules import HeadingRule, cleaning_rules
from pipeline.rules.classify import ends_table

_CHAPTER_LIKE = 3  # canonical_rank of 第X条 in headings.yaml: this and above are chapter-like


@dataclass
class Heading:
    """A paragraph recognised as a heading, before it is placed in the tree."""

    para: int
    rule: HeadingRule
    key: str
    number: str | None
    ordinal: int | None
    title: str
    heading_span: tuple[int, int]
    run_in: bool


@dataclass
class _Open:
    index: int  # into the list of accepted headings
    key: str
    role: str


@dataclass
class _Placed:
    heading: Heading
    parent: int | None
    level: int
    end_para: int = -1  # last paragraph inside the section


@dataclass
class HeadingTree:
    placed: list[_Placed] = field(default_factory=list)
    section_of_para: list[int | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Placing headings in a tree


class _Ladder:
    """The document's own ordering of ladder keys, learned as they first appear."""

    def __init__(self) -> None:
        self.order: dict[str, float] = {}
        self.canonical: dict[str, int | None] = {}

    def learn(self, h: Heading, closed: list[str], still_open: list[str]) -> None:
        """Rank a key seen for the first time. One that closed open levels ranks above them. One
        that opens with none closed nests under what is open, and above a known key that is
        canonically deeper and not open: （一） first met under 二、 ranks above the 1. that an
        earlier 一、 held directly (一、1.2. 二、（一）3.4.), so 3. nests under （一）."""
        b = h.rule.canonical_rank
        if closed:
            rank = min(self.order[k] for k in closed) - 0.5
        else:
            floor = max((self.order[k] for k in still_open if k in self.order), default=float("-inf"))
            deeper = [self.order[k] for k, r in self.canonical.items()
                      if k not in still_open and r is not None and b is not None and r > b and self.order[k] > floor]
            rank = min(deeper) - 0.5 if deeper else len(self.order)
        self.order[h.key] = rank
        self.canonical[h.key] = b

    def above_or_same(self, open_key: str, h: Heading) -> bool:
        """Does an open section of ``open_key`` have to close before heading ``h`` opens?"""
        a, b = self.canonical.get(open_key), h.rule.canonical_rank
        if a is not None and b is not None and (a <= _CHAPTER_LIKE) != (b <= _CHAPTER_LIKE):
            # a chapter-like heading (第X章/节/条) is above a numbered item whichever the document
            # showed first (一、 under 第一章, then 第一节 over 一、 in 第三章)
            return b <= _CHAPTER_LIKE < a
        if h.key in self.order and open_key in self.order:
            return self.order[open_key] >= self.order[h.key]
        # A key seen for the first time nests under what is open (first appearance decides),
        # except that a chapter-like heading (第X章/节/条) never nests under a numbered item, and
        # a strong marker first seen past its first number (四、 when 一、 to 三、 were lost in a
        # copy) continues a sequence above the open item rather than starting one inside it.
        a, b = self.canonical.get(open_key), h.rule.canonical_rank
        if a is None or b is None:
            return False
        lost_start = not h.rule.weak and (h.ordinal or 0) > 1 and b < a
        return b <= _CHAPTER_LIKE < a or lost_start


def _popped(stack: list[_Open], h: Heading, ladder: _Ladder) -> int:
    """How many entries of ``stack`` close when ``h`` opens."""
    n = len(stack)
    while n and stack[n - 1].role in ("leaf", "container"):
        n -= 1
    role = h.rule.role
    if role in ("top", "peer"):
        return len(stack)
    if role in ("leaf", "container"):
        return len(stack) - n
    keys = [o.key for o in stack[:n]]
    if h.key in keys:
        return len(stack) - keys.index(h.key)
    roles = [o.role for o in stack[:n]]
    if "peer" in roles and not h.rule.weak:  # 一、 or 第一章 closes 前言; a "1." list stays inside it
        return len(stack) - roles.index("peer")
    while n and stack[n - 1].role == "ladder" and ladder.above_or_same(stack[n - 1].key, h):
        n -= 1
    return len(stack) - n


def _inside_box(stack: list[_Open], h: Heading, last_under: dict, last_global: dict) -> int | None:
    """How many entries close when a weak marker (1. ①) opens inside an open 专栏, if it starts
    or continues the box's own list; None when it belongs outside (closing the box).

    A box lists its own items (专栏1 基础理论：1.…8.) in the middle of an outer list (1.建立…
    专栏1 … 2.建立…): the outer 2. continues the outer list, a box's 2. its own."""
    if not h.rule.weak or h.rule.role != "ladder":
        return None
    boxes = [k for k, o in enumerate(stack) if o.key == "box"]
    if not boxes:
        return None
    inner = boxes[-1]
    own = [o.key for o in stack[inner + 1 :]]
    pops = len(own) - own.index(h.key) if h.key in own else len(own)
    parent = stack[len(stack) - pops - 1].index
    return pops if _in_sequence(h, parent, last_under, last_global) else None


def _in_sequence(h: Heading, parent: int | None, last_under: dict, last_global: dict) -> bool:
    if h.ordinal is None:
        return True
    before = last_under.get((parent, h.key))
    if before is not None:
        return h.ordinal in (before + 1, 1)
    return h.ordinal in (1, last_global.get(h.key, 0) + 1)


def _labelled_item(paras: list[tuple[int, int]], text: str, index: int) -> bool:
    """A numbered sentence whose next paragraph states its lead (28.加快…。 + 牵头单位:市交通运输局):
    an item of a list filtered to one bureau's (28. 34. 35.), whatever its number."""
    if index + 1 >= len(paras):
        return False
    own, following = text[slice(*paras[index])].rstrip(), text[slice(*paras[index + 1])]
    return own.endswith("。") and cleaning_rules().rule("label_line_before_item").regex.search(following) is not None


def _mid_list_starts(headings: list[Heading]) -> set[int]:
    """Paragraphs of a weak marker that opens its kind's first run past 1: a page of a long
    分解方案 copied alone starts at 204. and goes on 205. 206.; three in a row make it a list."""
    starts: set[int] = set()
    seen: set[str] = set()
    for k, h in enumerate(headings):
        if not h.rule.weak or h.ordinal is None or h.key in seen:
            continue
        seen.add(h.key)
        same = [g.ordinal for g in headings[k + 1 :] if g.key == h.key][:2]
        if h.ordinal > 1 and same == [h.ordinal + 1, h.ordinal + 2]:
            starts.add(h.para)
    return starts


# Text after a top-level table (or box) that closed with nothing else open: a section of its own,
# unnamed like the preamble, closed by the next heading of any kind.
BODY = HeadingRule(id="body", kind="preamble", role="top", pattern="^", examples=(), counter_examples=())


def build_tree(headings: list[Heading], paras: list[tuple[int, int]], text: str) -> HeadingTree:
    tree = HeadingTree(section_of_para=[None] * len(paras))
    ladder = _Ladder()
    stack: list[_Open] = []
    last_under: dict[tuple[int | None, str], int] = {}
    last_global: dict[str, int] = {}
    table_rows_end: dict[int, int] = {}
    by_para = {h.para: h for h in headings}
    run_starts = _mid_list_starts(headings)

    def close(count: int, at_para: int) -> None:
        for _ in range(count):
            tree.placed[stack.pop().index].end_para = at_para - 1

    for index in range(len(paras)):
        # a table section ends with its last row
        if stack and stack[-1].index in table_rows_end and index > table_rows_end[stack[-1].index]:
            close(1, index)
        h = by_para.get(index)
        if stack and stack[-1].index in table_rows_end:
            h = None  # a weak marker inside a table is a cell ("①氢能及磷"), not a heading
        if h is not None:
            body = bool(stack) and stack[-1].key == BODY.id  # closed by any heading
            pops = _popped(stack[:-1], h, ladder) + 1 if body else _popped(stack, h, ladder)
            inside = _inside_box(stack, h, last_under, last_global)
            if inside is not None:
                pops = inside
            parent = stack[len(stack) - pops - 1].index if len(stack) > pops else None
            if h.rule.weak and not _in_sequence(h, parent, last_under, last_global) and index not in run_starts \
                    and not _labelled_item(paras, text, index):
                h = None
            elif not h.rule.weak and not _in_sequence(h, parent, last_under, last_global):
                tree.warnings.append(warning("heading_out_of_sequence", number=h.number, title=h.title[:12]))
        if h is not None:
            closed = [o.key for o in stack[len(stack) - pops :] if o.role == "ladder" and o.key in ladder.order]
            close(pops, index)
            if h.rule.role == "ladder" and h.key not in ladder.order:
                ladder.learn(h, closed, [o.key for o in stack[: len(stack) - pops]])
            if h.ordinal is not None:
                last_under[(parent, h.key)] = h.ordinal
                last_global[h.key] = h.ordinal
            tree.placed.append(_Placed(heading=h, parent=parent, level=len(stack) + 1))
            stack.append(_Open(index=len(tree.placed) - 1, key=h.key, role=h.rule.role))
            if h.rule.kind == "table":
                table_rows_end[len(tree.placed) - 1] = _last_table_row(index, paras, text)
        if not stack and tree.placed:
            a = paras[index][0]
            body = Heading(para=index, rule=BODY, key=BODY.id, number=None, ordinal=None, title="",
                           heading_span=(a, a), run_in=False)
            tree.placed.append(_Placed(heading=body, parent=None, level=0))
            stack.append(_Open(index=len(tree.placed) - 1, key=BODY.id, role=BODY.role))
        tree.section_of_para[index] = stack[-1].index if stack else None
    close(len(stack), len(paras))
    return tree


def _last_table_row(caption: int, paras: list[tuple[int, int]], text: str) -> int:
    last = caption
    for i in range(caption + 1, len(paras)):
        if ends_table(text[paras[i][0] : paras[i][1]]):
            break
        last = i
    return last
