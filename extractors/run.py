"""The one composition step: a Document in, its measures and targets out.

Build, eval, bench, fuzz and the API all call ``extract_document``; nothing else chains the
extractors. The document's context (jurisdiction, stated role conventions, section index,
reference years: ``extractors/context.py``) is built here once and passed down. Each task lists
the ids of its targets, so the JSON contract reads both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.context import DocumentContext
from extractors.measures.tables import table_tasks
from extractors.measures.tasks import extract_tasks
from extractors.targets.extract import extract_targets
from pipeline.model import Document, Target, Task


@dataclass(frozen=True)
class Extraction:
    document: Document
    tasks: tuple[Task, ...]
    targets: tuple[Target, ...]


def extract_document(doc: Document) -> Extraction:
    """Every measure of ``doc`` (with units, roles and deadlines) and every target it states."""
    ctx = DocumentContext.of(doc)
    rows = table_tasks(doc, ctx)  # the 分工 tables' rows: measures, and cells that state targets
    tasks = extract_tasks(doc, ctx, rows)
    targets = extract_targets(doc, tasks, ctx.by_id, table_rows=rows)
    of_task: dict[str, list[str]] = {}
    for target in targets:
        if target.task_id is not None:
            of_task.setdefault(target.task_id, []).append(target.target_id)
    linked = tuple(
        t.model_copy(update={"target_ids": tuple(of_task[t.task_id])}) if t.task_id in of_task else t
        for t in tasks
    )
    return Extraction(doc, linked, tuple(targets))
