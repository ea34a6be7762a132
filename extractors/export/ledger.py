"""``taizhang export``: the registry as a 任务分工表 workbook, a flat CSV, or the JSON contract.

Every exported row can be checked against its source in one step: the workbook prints the page
and line in the original file (来源, ``第3页 第12行``) and keeps, in a hidden 定位 column, the
locator ``DOC_ID:START-END`` that ``taizhang show`` and the web page's ``/show`` accept. Files
are written to a temporary name and renamed, so a reader never sees half a workbook.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.model import Document, DocumentMeta, Finding, SourceRef, Target, Task

from extractors.periods import DocumentPeriod, document_period
from extractors.relations.versions import superseded_documents

if TYPE_CHECKING:
    from extractors.registry.store import Registry

FORMATS = ("xlsx", "csv", "json")


@dataclass(frozen=True)
class LedgerDocument:
    meta: DocumentMeta
    path: str
    tasks: Sequence[Task] = ()
    targets: Sequence[Target] = ()
    # the document's own period, read from its text too (from_registry); None: read it from
    # the metadata and the title alone (``period()``)
    stated_period: DocumentPeriod | None = None

    @classmethod
    def of(cls, doc: Document, tasks: Sequence[Task], targets: Sequence[Target]) -> LedgerDocument:
        """A parsed document and what was extracted from it; its period read from its text too."""
        return cls(doc.meta, doc.source_path, tasks, targets, document_period(doc.meta, doc.text))

    def period(self) -> DocumentPeriod | None:
        """The period a measure without a deadline of its own inherits (规划期 / 实施期)."""
        return self.stated_period or document_period(self.meta)

    def assigned_count(self) -> int:
        """Measures that name at least one unit, whatever its role."""
        return sum(1 for t in self.tasks if t.lead or t.supporting or t.unassigned_units)


@dataclass(frozen=True)
class CorrectedField:
    """A value a person corrected over the extraction (``extractors.tracking`` applies them)."""

    field: str  # lead | supporting | unassigned | deadline | not_a_task | add_task
    label: str  # the column it shows in: 牵头单位, 完成时限 …
    extracted: str  # what the extractor read ("" for a task a person added)
    corrected: str  # what the person set
    correction_id: int
    origin: str  # which cell of which file, or which user action
    status: str  # 已校核 (applied) | 待复核 (the source changed under it: not applied)


@dataclass(frozen=True)
class Ledger:
    """What an export shows: documents in a stable order, each with its measures and targets."""

    documents: Sequence[LedgerDocument] = field(default_factory=tuple)
    findings: Sequence[Finding] | None = None  # 冲突核查 when the caller ran the checks
    # task_id → the human corrections shown on it (empty for a plain extraction)
    corrections: Mapping[str, Sequence[CorrectedField]] = field(default_factory=dict)
    # documents left out because a later version of them is registered: doc_id → that version
    superseded: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_registry(cls, registry: Registry, findings: Sequence[Finding] | None = None,
                      all_versions: bool = False) -> Ledger:
        """The registry's documents as a ledger: only the latest version of each document
        (``superseded_documents``) unless ``all_versions``."""
        documents = registry.documents()
        superseded = {} if all_versions else superseded_documents(documents, registry.version_links())
        paths = registry.source_paths()
        tasks: dict[str, list[Task]] = {}
        for task in registry.tasks():
            tasks.setdefault(task.doc_id, []).append(task)
        targets: dict[str, list[Target]] = {}
        for target in registry.targets():
            targets.setdefault(target.doc_id, []).append(target)
        metas = sorted((m for m in documents if m.doc_id not in superseded), key=_document_order)
        return cls(tuple(
            LedgerDocument(m, paths.get(m.doc_id, ""), tasks.get(m.doc_id, []), targets.get(m.doc_id, []),
                           _stated_period(registry, m, tasks.get(m.doc_id, [])))
            for m in metas
        ), None if findings is None else tuple(findings), superseded=superseded)

    def titles(self) -> dict[str, str]:
        return {d.meta.doc_id: d.meta.title for d in self.documents}

    def superseded_note(self) -> str:
        """The 说明 line of the 任务分工表 when older versions were left out ("" when none were)."""
        return left_out_note(len(self.superseded), "列入", "taizhang export --all-versions")


def left_out_note(count: int, verb: str, command: str) -> str:
    """What a reader is told when ``count`` older versions were left out ("" when none were):
    ``verb`` 列入 (a list) or 计入 (counts), ``command`` the one that puts them back."""
    if not count:
        return ""
    return f"说明：已有新版本的文件（{count} 个）未{verb}，见 taizhang versions；{verb}全部版本：{command}"


def _document_order(meta: DocumentMeta) -> tuple[dt.date, str]:
    return (meta.date or dt.date.max, meta.doc_id)


def _stated_period(registry: Registry, meta: DocumentMeta, tasks: Sequence[Task]) -> DocumentPeriod | None:
    """The document's period; its text (a stored blob) is read only when a measure lacks a
    deadline and neither the metadata nor the title states the period."""
    if (period := document_period(meta)) or all(t.deadlines for t in tasks):
        return period
    document = registry.document(meta.doc_id)
    return document_period(meta, document.text) if document is not None else None


# ------------------------------------------------------------------------------ cell contents


def source_locator(source: SourceRef) -> str:
    """``DOC_ID:CHAR_START-CHAR_END``, what ``taizhang show`` takes to print the span in context."""
    return span_locator(source.doc_id, source.char_start, source.char_end)


def span_locator(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}-{end}"


def page_line_label(source: SourceRef, sep: str = "") -> str:
    """``第3页第12—15行`` (or across pages ``第3页第40行—第4页第2行``) in the original file, only
    ``第12—15行`` when it has no pages (a text file); ``sep`` between page and line (a line break
    in a narrow printed column)."""
    return source.where(sep)


def measure_heading(task: Task) -> str:
    return f"{task.number or ''}{task.title}".strip()


def key_task_cell(task: Task) -> str:
    """重点任务: the headings above the measure, one per line (its own heading left out)."""
    path = list(task.section_path)
    if path and (path[-1] == measure_heading(task) or path[-1].endswith(task.title)):
        path.pop()
    return "\n".join(path)


def measure_cell(task: Task) -> str:
    """具体措施: number and title on the first line, then the measure's text without repeating them."""
    heading = measure_heading(task)
    body = task.text.strip()
    for prefix in (heading, task.title):
        if prefix and body.startswith(prefix):
            body = body[len(prefix):].lstrip("。.：: \n")
            break
    return f"{heading}\n{body}" if body else heading


def unit_names(mentions: Sequence, canonical: bool = False) -> str:
    """Unit names joined by 、 in the order written, each once."""
    names = [m.canonical if canonical else m.name for m in mentions]
    return "、".join(dict.fromkeys(names))


def deadline_cell(task: Task) -> str:
    return "；".join(dict.fromkeys(d.text for d in task.deadlines))


# ------------------------------------------------------------------------------ units and roles

ROLE_LABEL = {"lead": "牵头", "supporting": "配合", "unassigned": "责任"}


def roles_by_unit(task: Task) -> dict[str, str]:
    """Each canonical unit named for ``task`` and its role (the first, strongest, wins)."""
    roles: dict[str, str] = {}
    for m in (*task.lead, *task.supporting, *task.unassigned_units):
        roles.setdefault(m.canonical, m.role)
    return roles


def unit_order(tasks: Iterable[Task]) -> list[str]:
    """Canonical units named for ``tasks``, busiest first (measures it leads, supports or is
    named responsible for; then the most leads, then by name)."""
    lead: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for t in tasks:
        for unit, role in roles_by_unit(t).items():
            total[unit] += 1
            lead[unit] += role == "lead"
    return sorted(total, key=lambda u: (-total[u], -lead[u], u))
