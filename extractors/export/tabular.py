"""The flat exports: the JSON contract (documented in docs/json-contract.md) and a CSV of measures.

The JSON contract is defined here as pydantic models, so what is written is validated, its JSON
Schema can be printed (``LedgerExport.model_json_schema()``), and consumers can parse it back.
Decimals are strings (``"16.4"``) so no reader turns 16.4亿 into 16.399999….
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.model import Deadline, SourceRef, Target, Task, UnitMention

from extractors.export.ledger import (
    CorrectedField,
    Ledger,
    LedgerDocument,
    deadline_cell,
    key_task_cell,
    measure_heading,
    page_line_label,
    source_locator,
    unit_names,
)
from extractors.export.safe_cells import clean_cell_text, neutralise

SCHEMA_VERSION = 1


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceOut(_Out):
    page: int
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    page_end: int | None = None
    section_path: list[str] = []
    locator: str  # DOC_ID:START-END for `taizhang show`


class UnitOut(_Out):
    name: str
    canonical: str
    known: bool = True
    flags: list[str] = []


class DeadlineOut(_Out):
    text: str
    kind: str
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class CorrectionOut(_Out):
    """A value a person corrected: the extractor's reading and theirs (extractors.tracking)."""

    field: str  # lead | supporting | unassigned | deadline | not_a_task | add_task
    extracted: str
    corrected: str
    status: str  # 已校核 (applied) | 待复核 (source changed: not applied)
    correction_id: int
    origin: str


class TaskOut(_Out):
    task_id: str
    number: str | None = None
    title: str
    text: str
    section_path: list[str]
    lead: list[UnitOut]
    supporting: list[UnitOut]
    unassigned_units: list[UnitOut]
    role_rule: str | None = None
    deadlines: list[DeadlineOut]
    target_ids: list[str] = []
    source: SourceOut
    corrections: list[CorrectionOut] = []  # empty when nobody corrected the task


class TargetOut(_Out):
    target_id: str
    task_id: str | None = None
    text: str
    quote: str
    indicator: str
    scope: str | None = None
    value: str | None = None
    value_max: str | None = None
    unit: str | None = None
    comparator: str
    year: int | None = None
    binding: str | None = None
    cumulative: bool = False
    source: SourceOut


class DocumentOut(_Out):
    doc_id: str
    title: str
    path: str
    issuer: str | None = None
    date: dt.date | None = None
    doc_type: str | None = None
    doc_number: str | None = None
    status: str = "未知"
    tasks: list[TaskOut]
    targets: list[TargetOut]


class LedgerExport(_Out):
    schema_version: Literal[1] = SCHEMA_VERSION
    documents: list[DocumentOut]


def _source(s: SourceRef) -> SourceOut:
    return SourceOut(page=s.page, line_start=s.line_start, line_end=s.line_end, char_start=s.char_start,
                     char_end=s.char_end, page_end=s.page_end, section_path=list(s.section_path),
                     locator=source_locator(s))


def _unit(m: UnitMention) -> UnitOut:
    return UnitOut(name=m.name, canonical=m.canonical, known=m.known, flags=[str(f) for f in m.flags])


def _deadline(d: Deadline) -> DeadlineOut:
    return DeadlineOut(text=d.text, kind=d.kind, date=d.date, start=d.start, end=d.end)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def task_out(t: Task, corrections: Sequence[CorrectedField] = ()) -> TaskOut:
    return TaskOut(
        task_id=t.task_id, number=t.number, title=t.title, text=t.text, section_path=list(t.section_path),
        lead=[_unit(m) for m in t.lead], supporting=[_unit(m) for m in t.supporting],
        unassigned_units=[_unit(m) for m in t.unassigned_units], role_rule=t.role_rule,
        deadlines=[_deadline(d) for d in t.deadlines], target_ids=list(t.target_ids), source=_source(t.source),
        corrections=[CorrectionOut(field=c.field, extracted=c.extracted, corrected=c.corrected, status=c.status,
                                   correction_id=c.correction_id, origin=c.origin) for c in corrections],
    )


def target_out(t: Target) -> TargetOut:
    return TargetOut(
        target_id=t.target_id, task_id=t.task_id, text=t.text, quote=t.quote, indicator=t.indicator,
        scope=t.scope, value=_decimal(t.value), value_max=_decimal(t.value_max), unit=t.unit,
        comparator=t.comparator, year=t.year, binding=t.binding, cumulative=t.cumulative,
        source=_source(t.source),
    )


def document_out(d: LedgerDocument,
                 corrections: Mapping[str, Sequence[CorrectedField]] | None = None) -> DocumentOut:
    corrections = corrections or {}
    m = d.meta
    return DocumentOut(
        doc_id=m.doc_id, title=m.title, path=d.path, issuer=m.issuer, date=m.date, doc_type=m.doc_type,
        doc_number=m.doc_number, status=m.status, tasks=[task_out(t, corrections.get(t.task_id, ())) for t in d.tasks],
        targets=[target_out(t) for t in d.targets],
    )


def ledger_export(ledger: Ledger) -> LedgerExport:
    return LedgerExport(documents=[document_out(d, ledger.corrections) for d in ledger.documents])


def ledger_json(ledger: Ledger) -> str:
    return ledger_export(ledger).model_dump_json(indent=2)


def write_json(ledger: Ledger, path: Path) -> None:
    path.write_text(ledger_json(ledger) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------- CSV

CSV_HEADER = (
    "序号", "doc_id", "文件", "task_id", "编号", "重点任务", "具体措施", "措施内容",
    "牵头单位", "牵头单位（规范名）", "配合单位", "配合单位（规范名）", "未明确角色单位", "未明确角色单位（规范名）",
    "完成时限", "完成日期", "页码行号", "定位",
)


def _due(task: Task) -> str:
    dates = [d.date or d.end for d in task.deadlines if (d.date or d.end) is not None]
    return min(dates).isoformat() if dates else ""


def csv_rows(ledger: Ledger) -> list[list[str]]:
    rows: list[list[str]] = []
    for doc in ledger.documents:
        for t in doc.tasks:
            rows.append([
                str(len(rows) + 1), doc.meta.doc_id, doc.meta.title, t.task_id, t.number or "",
                key_task_cell(t).replace("\n", " > "), measure_heading(t), t.text,
                unit_names(t.lead), unit_names(t.lead, canonical=True),
                unit_names(t.supporting), unit_names(t.supporting, canonical=True),
                unit_names(t.unassigned_units), unit_names(t.unassigned_units, canonical=True),
                deadline_cell(t), _due(t),
                page_line_label(t.source), source_locator(t.source),
            ])
    return rows


def write_csv(ledger: Ledger, path: Path) -> None:
    """One row per measure; UTF-8 with BOM so Excel and WPS detect the encoding."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        for row in csv_rows(ledger):
            writer.writerow([neutralise(clean_cell_text(cell)) for cell in row])
