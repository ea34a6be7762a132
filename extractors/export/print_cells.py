"""What a printed row says about a measure: a short 具体措施, a 完成时限 that is never blank, and
where it stands in the original (第N页 第M行).

A printed 分工表 cannot hold whole paragraphs (median 251 characters in the corpus): the cell
shows the measure's heading and its first sentences up to a budget, ending with ``…`` when
something was left out; the full text sits in a hidden column of the same row. The bracket
that names the units (（区经济和信息化局，区发展和改革委员会…）, 〔责任单位：…〕) is left out of the
excerpt: its units are in their own columns.
"""

from __future__ import annotations

import re

from pipeline.model import SourceRef, Task
from pipeline.rules.classify import REMARK_CLOSERS, REMARK_OPENERS

from extractors.export.ledger import deadline_cell, measure_heading, page_line_label
from extractors.periods import DocumentPeriod

EXCERPT_CHARS = 40  # body characters shown under the heading: two lines of 具体措施
ELLIPSIS = "…"
NO_DEADLINE = "未明确"

# the brackets a remark (and so a statement naming the units) is written in: the text rules' pairs
_OPENERS = dict(zip(REMARK_OPENERS, REMARK_CLOSERS))
_SENTENCE_END = re.compile(r"[。；！？;!?]")
_CLAUSE_END = re.compile(r"[，、：,:]")
_TRAILING = " \t\n\r。；;，,"


def printed_source(source: SourceRef, sep: str = "\n") -> str:
    """``第3页 第12行`` in the original file, page and line apart (``sep``: a line break in a
    narrow printed column)."""
    return page_line_label(source, sep)


def due_cell(task: Task, period: DocumentPeriod | None, sep: str = "\n") -> str:
    """完成时限: the measure's own deadlines; else its document's period, marked as such
    (``2025年底前（规划期）``, ``sep`` before the mark); else ``未明确``. Never empty on paper."""
    return deadline_cell(task) or (period.due_text(sep) if period else NO_DEADLINE)


def _mention_offsets(task: Task) -> list[int]:
    """Where the measure's unit names start, as offsets into ``task.text``."""
    offsets = []
    for m in (*task.lead, *task.supporting, *task.unassigned_units):
        if m.span is not None and 0 <= (at := m.span.start - task.span.start) < len(task.text):
            offsets.append(at)
    return offsets


def _duty_statement_start(task: Task) -> int | None:
    """Where the trailing bracket or line that names the measure's units begins, if it does."""
    text = task.text.rstrip(_TRAILING)
    offsets = _mention_offsets(task)
    if not text or not offsets:
        return None
    closer = text[-1]
    opener = next((o for o, c in _OPENERS.items() if c == closer), None)
    if opener is not None and (start := text.rfind(opener)) >= 0:
        if any(start < at < len(text) for at in offsets):
            return start
    line_start = text.rfind("\n") + 1
    if line_start > 0 and any(at >= line_start for at in offsets):  # a last line 责任单位：…
        return line_start
    return None


def measure_body(task: Task) -> str:
    """The measure's text without its heading and without the statement naming its units."""
    body = task.text
    cut = _duty_statement_start(task)
    if cut is not None:
        body = body[:cut]
    body = body.strip()
    for prefix in (task.number or "", task.title):
        if prefix and body.startswith(prefix):
            body = body[len(prefix):].lstrip()
    return body.lstrip("。.：: \n").strip()


def excerpt(body: str, budget: int = EXCERPT_CHARS) -> str:
    """Whole sentences of ``body`` up to ``budget`` characters; a first sentence longer than that
    is cut at its last comma within the budget. Ends with ``…`` when anything was left out."""
    body = " ".join(body.split())  # a printed cell wraps by itself
    if len(body) <= budget:
        return body
    enough = budget // 2  # a cut shorter than this wastes the lines the row has anyway
    ends = [m.end() for m in _SENTENCE_END.finditer(body, 0, budget + 1)]
    clauses = [m.start() for m in _CLAUSE_END.finditer(body, 0, budget)]
    if ends and ends[-1] >= enough:
        cut = ends[-1]
    elif clauses and clauses[-1] >= enough:
        cut = clauses[-1]
    else:
        cut = budget
    return body[:cut].rstrip("；;，,、：: ") + ELLIPSIS


def measure_excerpt(task: Task, budget: int = EXCERPT_CHARS) -> str:
    """具体措施 on paper: the heading on the first line, then the opening of the measure."""
    heading = measure_heading(task)
    body = excerpt(measure_body(task), budget)
    return f"{heading}\n{body}" if heading and body else heading or body


def key_task_heading(task: Task) -> str:
    """重点任务 on paper: the heading right above the measure (（一）实施规划优化提升行动), not the
    whole path; empty when the measure is its own top heading (十六条措施)."""
    path = list(task.section_path)
    if path and (path[-1] == measure_heading(task) or path[-1].endswith(task.title)):
        path.pop()
    return path[-1] if path else ""
