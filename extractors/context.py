"""What the extractors of one document need and compute only once: built by ``extract_document``
and passed down, so that no stage keeps a cache keyed on a document's text and nothing one
document computed can leak into the next.

    ctx = DocumentContext.of(doc)
    ctx.text_view     the text as written, Simplified, and with empty brackets blanked
    ctx.units         the jurisdiction bare unit names are read in (区财政局 → 东区财政局)
    ctx.role_rules    the conventions the document states (逗号前为牵头单位，下同), in order
    ctx.section(id), ctx.children(section)   the section tree, indexed once
    ctx.current_year  the year 年底前 / 6月底前 belong to; reference years for undated documents
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from extractors.deadlines import document_reference_year, document_year, opening_due_year
from extractors.roles.conventions import RoleRule, find_role_rules, role_lexicon
from extractors.roles.text import TextView
from extractors.units.context import UnitContext
from pipeline.chinese import to_simplified
from pipeline.model import Document, Section

# sections that hold no measure content of their own: boxes, tables, annexes, the preamble
NOT_CONTENT_KINDS = frozenset({"preamble", "box", "table", "annex"})


@dataclass(frozen=True)
class DocumentContext:
    doc: Document
    text_view: TextView
    units: UnitContext
    role_rules: tuple[RoleRule, ...]
    by_id: Mapping[str, Section]
    content_children: Mapping[str, tuple[Section, ...]]
    content_sections: tuple[Section, ...]  # sections that hold content, by where they start
    content_starts: tuple[int, ...]
    current_year: int | None
    reference_year: int | None  # only for a document without a date: history is not a deadline
    first_due_year: int | None
    issues_attached: bool  # a notice that issues its 附件 (现将《…》印发给你们): the annex is operative
    issued_from: int | None  # where the issued document starts: its 附件 line, or its title repeated below the notice

    @classmethod
    def of(cls, doc: Document) -> DocumentContext:
        children: dict[str, list[Section]] = {}
        for s in doc.sections:
            if s.parent_id is not None and s.kind not in NOT_CONTENT_KINDS:
                children.setdefault(s.parent_id, []).append(s)
        undated = doc.meta.date is None
        view = TextView.of(doc.text)
        content = tuple(sorted((s for s in doc.sections if s.kind not in NOT_CONTENT_KINDS),
                               key=lambda s: (s.span.start, s.level)))
        return cls(
            doc=doc,
            text_view=view,
            units=UnitContext.from_meta(doc.meta),
            role_rules=tuple(find_role_rules(view.text, simplified=view.simplified)),
            by_id={s.section_id: s for s in doc.sections},
            content_children={k: tuple(v) for k, v in children.items()},
            content_sections=content,
            content_starts=tuple(s.span.start for s in content),
            current_year=document_year(doc.meta.title, doc.meta.date),
            reference_year=document_reference_year(doc.text, doc.meta.title, doc.meta.period) if undated else None,
            first_due_year=opening_due_year(doc.text) if undated else None,
            issues_attached=(issues := _issues_attached(doc, view, start := _issued_from(doc, view, _first_annex(doc)))),
            issued_from=start if issues else None,
        )

    def section(self, section_id: str) -> Section:
        return self.by_id[section_id]

    def children(self, section: Section) -> tuple[Section, ...]:
        """Content children of ``section`` (boxes and tables do not count), in document order."""
        return self.content_children.get(section.section_id, ())


_NOTICE_HEAD = 1500  # characters: a notice's title and its one or two paragraphs before the 附件


_ISSUING_TITLE = re.compile(r"关于(?:印发|转发)《?([^\n]{4,80}?)》?的通知")  # the notice's own title
_ISSUED_TITLE = re.compile(r"《([^《》\n]{4,80})》(?=[^。；《]{0,40}(?:印发|转发|下发)给你们)")


def _first_annex(doc: Document) -> int | None:
    return next((s.span.start for s in doc.sections if s.kind == "annex"), None)


def _issued_from(doc: Document, view: TextView, annex: int | None) -> int | None:
    """Where the document a notice issues begins. A web copy often sets it below the notice's
    signature under its own title, with no 附件 line (a later 附件 is then the issued document's
    own list): the title named in 现将《…》印发 standing on a line of its own starts it."""
    text = view.simplified
    named = _ISSUED_TITLE.search(text, 0, min(annex or len(text), _NOTICE_HEAD))
    in_title = _ISSUING_TITLE.search(to_simplified(doc.meta.title or ""))
    for title, after in ((named.group(1), named.end()) if named else (None, 0),
                         (in_title.group(1), 0) if in_title else (None, 0)):
        at = text.find(title, after) if title else -1
        while at != -1 and (annex is None or at < annex):
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            if (line_start > 0 and not text[line_start:at].strip()
                    and not text[at + len(title) : line_end if line_end != -1 else None].strip()):
                return line_start
            at = text.find(title, at + 1)
    return annex


def _issues_attached(doc: Document, view: TextView, issued_from: int | None) -> bool:
    """现将《…》印发给你们 before the issued document's start (its 附件 line, or its title below the
    notice's signature)."""
    if issued_from is None:
        return False
    head = view.simplified[: min(issued_from, _NOTICE_HEAD)]
    head = (doc.meta.title or "") + "\n" + head
    return bool(role_lexicon().rule("notice_issues_attached").regex.search(head))
