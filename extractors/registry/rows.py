"""What the registry stores for one document, as plain column values (``DocumentRows``), built
from the document, its measures and its targets; rows that would corrupt the ledger are refused
before any transaction starts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import RegistryError
from pipeline.model import Document, DocumentMeta, Target, Task, UnitMention


def _mentions(task: Task) -> Iterable[UnitMention]:
    yield from task.lead
    yield from task.supporting
    yield from task.unassigned_units


def _deadline_year(task: Task) -> int | None:
    """The earliest year the task falls due, the one its row is filed under."""
    years = [d.due_year for d in task.deadlines if d.due_year is not None]
    return min(years) if years else None


@dataclass(frozen=True)
class DocumentRows:
    """Everything the registry stores for one document, as plain column values. Built where the
    document was extracted (a build's worker process: serialising is a fair share of the cost),
    written by the one process that holds the registry (``Registry.store``)."""

    doc_id: str
    source_path: str
    document: dict[str, Any]
    tasks: list[dict[str, Any]]
    units: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    version_of: str | None = None  # a person said: a later version of this registered doc_id
    # what the loader noticed about the file it read (Chinese, pipeline/warnings.yaml): told to the
    # user by the build; stored inside document_json, not a column of its own
    warnings: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.document["title"]

    @property
    def assigned(self) -> int:
        return sum(row["assigned"] for row in self.tasks)

    @property
    def meta(self) -> DocumentMeta:
        return DocumentMeta.model_validate_json(self.document["meta_json"])


def document_rows(
    doc: Document, tasks: Sequence[Task], targets: Sequence[Target], fingerprint: str
) -> DocumentRows:
    """The rows of ``doc`` with its tasks and targets; refuses rows that would corrupt the ledger."""
    tasks, targets = list(tasks), list(targets)
    _check_consistent(doc, tasks, targets)
    meta = doc.meta
    document = {
        "doc_id": doc.doc_id, "title": meta.title, "issuer": meta.issuer, "date": meta.date,
        "doc_type": meta.doc_type, "status": meta.status, "source_path": doc.source_path,
        "source_format": doc.source_format, "raw_sha256": doc.raw_sha256, "fingerprint": fingerprint,
        "meta_json": meta.model_dump_json(), "document_json": doc.model_dump_json(),
    }
    return DocumentRows(
        doc_id=doc.doc_id, source_path=doc.source_path, document=document,
        tasks=[_task_row(t, i) for i, t in enumerate(tasks)],
        units=[_unit_row(t, m) for t in tasks for m in _mentions(t)],
        targets=[_target_row(t, i) for i, t in enumerate(targets)],
        warnings=doc.warnings,
    )


def _task_row(task: Task, position: int) -> dict[str, Any]:
    return {
        "task_id": task.task_id, "doc_id": task.doc_id, "position": position, "number": task.number,
        "title": task.title, "has_lead": bool(task.lead), "assigned": task.assigned,
        "deadline_year": _deadline_year(task), "task_json": task.model_dump_json(),
    }


def _unit_row(task: Task, mention: UnitMention) -> dict[str, Any]:
    return {
        "task_id": task.task_id, "doc_id": task.doc_id, "canonical": mention.canonical,
        "name": mention.name, "role": mention.role, "known": mention.known,
    }


def _target_row(target: Target, position: int) -> dict[str, Any]:
    return {
        "target_id": target.target_id, "doc_id": target.doc_id, "task_id": target.task_id,
        "position": position, "indicator": target.indicator, "year": target.year,
        "comparator": target.comparator,
        "value": None if target.value is None else str(target.value),
        "value_max": None if target.value_max is None else str(target.value_max),
        "unit": target.unit, "target_json": target.model_dump_json(),
    }


def _check_consistent(doc: Document, tasks: list[Task], targets: list[Target]) -> None:
    """Refuse rows that would corrupt the ledger, before the transaction starts."""
    foreign = {t.doc_id for t in tasks} | {t.doc_id for t in targets}
    foreign.discard(doc.doc_id)
    if foreign:
        raise RegistryError(doc.source_path, f"tasks/targets of {sorted(foreign)} handed in with "
                            f"document {doc.doc_id}", "this is an extractor bug; please report it")
    for kind, ids in (("task_id", [t.task_id for t in tasks]), ("target_id", [t.target_id for t in targets])):
        dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
        if dupes:
            raise RegistryError(doc.source_path, f"duplicate {kind}: {', '.join(dupes[:5])}",
                                "this is an extractor bug; please report it")
