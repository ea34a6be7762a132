"""The flat exports: the JSON contract (documented in docs/json-contract.md) and a CSV of measures.

The JSON contract is a view of the document model (pipeline/model/), not a copy of it: each of
its shapes names the fields of a model it prints, and takes their type, default and validation
from that model, so a field cannot mean one thing in the registry and another in the contract.
The contract adds only what a reader outside needs (a source's ``locator``, a document's
``path``, a measure's ``corrections``) and leaves out what its nesting already says (a unit's
role is the list it stands in; a task's ``doc_id`` is its document's). Files written are
validated, ``LedgerExport.model_json_schema()`` prints the JSON Schema, and consumers can parse
a file back. Decimals are strings (``"16.4"``) so no reader turns 16.4亿 into 16.399999….
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, create_model

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
from pipeline.model import Deadline, DocumentMeta, SourceRef, Target, Task, UnitMention

SCHEMA_VERSION = 1


class ContractShape(BaseModel):
    """A shape of the JSON contract, filled from the object it prints (see ``view``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def view(cls, printed: object, /, **own: Any) -> Self:
        """``printed``'s values of the fields this shape shares with it, and the contract's ``own``."""
        shared = {f: getattr(printed, f) for f in cls.model_fields if f not in own and hasattr(printed, f)}
        return cls.model_validate({**shared, **own}, from_attributes=True)


def contract_shape(name: str, model: type[BaseModel], fields: Sequence[str], doc: str,
                   required: Sequence[str] = (), **own: Any) -> type[ContractShape]:
    """A contract shape with ``fields`` in the order the contract prints them: each is ``model``'s
    field as declared there, unless ``own`` gives it the contract's ``(type, default)``.
    ``required``: fields the model defaults but the contract has always required of a file."""
    unknown = (set(own) | set(required)) - set(fields)
    assert not unknown, f"{name}: {unknown} are not among its fields"
    definitions: dict[str, Any] = {
        f: own[f] if f in own else (model.model_fields[f].annotation, model.model_fields[f]) for f in fields
    }
    definitions.update({f: (model.model_fields[f].annotation, ...) for f in required})
    return create_model(name, __base__=ContractShape, __doc__=doc, __module__=__name__, **definitions)


SourceOut = contract_shape(
    "SourceOut", SourceRef,
    ("page", "line_start", "line_end", "char_start", "char_end", "page_end", "section_path", "locator",
     "paged", "place"),
    "Where a thing is in the original file; its document is the one it is listed under.",
    required=("page", "line_start", "line_end"),
    locator=(str, ...),  # DOC_ID:START-END for `taizhang show`
    # added within schema 1, so a file written before them still reads: a text file has no
    # pages (paged false, its page a placeholder 1), and place says so as a reader does
    paged=(bool, True),
    place=(str, ""),  # 第3页第12行, or 第12行 in a file with no pages
)
UnitOut = contract_shape(
    "UnitOut", UnitMention, ("name", "canonical", "known", "flags"),
    "A unit; its role is the list it stands in (lead, supporting, unassigned_units).",
)
DeadlineOut = contract_shape(
    "DeadlineOut", Deadline, ("text", "kind", "date", "start", "end"), "A 完成时限 as written and as dates.",
)


class CorrectionOut(ContractShape):
    """A value a person corrected: the extractor's reading and theirs (extractors.tracking)."""

    field: str  # lead | supporting | unassigned | deadline | not_a_task | add_task
    extracted: str
    corrected: str
    status: str  # 已校核 (applied) | 待复核 (source changed: not applied)
    correction_id: int
    origin: str


TaskOut = contract_shape(
    "TaskOut", Task,
    ("task_id", "number", "title", "text", "section_path", "lead", "supporting", "unassigned_units",
     "role_rule", "deadlines", "target_ids", "source", "corrections"),
    "A measure (任务/措施) with its units, deadlines and source.",
    required=("section_path",),
    lead=(list[UnitOut], ...),
    supporting=(list[UnitOut], ...),
    unassigned_units=(list[UnitOut], ...),
    deadlines=(list[DeadlineOut], ...),
    source=(SourceOut, ...),
    corrections=(list[CorrectionOut], []),  # empty when nobody corrected the task
)
TargetOut = contract_shape(
    "TargetOut", Target,
    ("target_id", "task_id", "text", "quote", "indicator", "scope", "value", "value_max", "unit",
     "comparator", "year", "binding", "cumulative", "source"),
    "A target as a typed claim; its value and value_max print as decimal strings.",
    source=(SourceOut, ...),
)
DocumentOut = contract_shape(
    "DocumentOut", DocumentMeta,
    ("doc_id", "title", "path", "issuer", "date", "doc_type", "doc_number", "status", "tasks", "targets"),
    "A document with its measures and targets.",
    path=(str, ...),
    tasks=(list[TaskOut], ...),
    targets=(list[TargetOut], ...),
)


class LedgerExport(ContractShape):
    schema_version: Literal[1] = SCHEMA_VERSION
    documents: list[DocumentOut]  # type: ignore[valid-type]  # a shape built by contract_shape
    # registered documents left out because a later version of them is: doc_id → that version
    superseded: dict[str, str] = {}


def source_out(s: SourceRef) -> ContractShape:
    return SourceOut.view(s, locator=source_locator(s), paged=s.paged, place=page_line_label(s))


def task_out(t: Task, corrections: Sequence[CorrectedField] = ()) -> ContractShape:
    return TaskOut.view(t, source=source_out(t.source), corrections=[CorrectionOut.view(c) for c in corrections])


def target_out(t: Target) -> ContractShape:
    return TargetOut.view(t, source=source_out(t.source))


def document_out(d: LedgerDocument,
                 corrections: Mapping[str, Sequence[CorrectedField]] | None = None) -> ContractShape:
    corrections = corrections or {}
    return DocumentOut.view(
        d.meta, path=d.path, tasks=[task_out(t, corrections.get(t.task_id, ())) for t in d.tasks],
        targets=[target_out(t) for t in d.targets],
    )


def ledger_export(ledger: Ledger) -> LedgerExport:
    return LedgerExport(documents=[document_out(d, ledger.corrections) for d in ledger.documents],
                        superseded=dict(ledger.superseded))


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
    dates = [d.due for d in task.deadlines if d.due is not None]
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
