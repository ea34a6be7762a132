"""The 督查室's ledger over HTTP: corrections (one cell, or a whole edited workbook), progress
reports, and 督办. Reads are open; every write needs the operator's token, as uploads do."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pipeline.model import SourceRef

from extractors.export.ledger import measure_heading
from extractors.tracking.apply import field_value
from extractors.tracking.model import Correction, ProgressReport
from extractors.tracking.progress import latest_reports
from extractors.tracking.workbook_in import EditableCells
from extractors.relations.versions import superseded_documents
from extractors.tracking.service import (
    LedgerReader,
    current_task_ids,
    add_report,
    add_task,
    correct_field,
    import_workbooks,
    supervision,
)

from search_api.deps import AllVersionsQuery, LiveRegistryDep, RegistryDep, SettingsDep, TokenDep
from search_api.routes.admin import read_limited
from search_api.unit_lookup import ledger_unit

router = APIRouter(prefix="/ledger", tags=["ledger"])


class CorrectionIn(BaseModel):
    task_id: str
    field: Literal["lead", "supporting", "unassigned", "deadline", "not_a_task", "merge"]
    value: str = Field(max_length=2000, description="the cell as a person types it; 非任务 / '' for "
                                                    "not_a_task; merge: the task_id of the row to merge "
                                                    "into ('' undoes it)")
    user: str = Field(default="", max_length=100)


class TaskIn(BaseModel):
    """A measure the extractor missed (新增任务): a sentence copied from the document, and the
    units and deadline as a person types them in the 任务分工表."""

    doc_id: str
    text: str = Field(min_length=6, max_length=5000, description="copied from the document (found there)")
    lead: str = Field(default="", max_length=2000)
    supporting: str = Field(default="", max_length=2000)
    unassigned: str = Field(default="", max_length=2000)
    deadline: str = Field(default="", max_length=500)
    user: str = Field(default="", max_length=100)


class CellNote(BaseModel):
    field: str
    extracted: str
    corrected: str
    status: str
    origin: str


class LedgerRowOut(BaseModel):
    """One row of the corrected 任务分工表, cells as the workbook shows them."""

    task_id: str
    doc_id: str
    document: str
    measure: str
    lead: str
    supporting: str
    unassigned: str
    deadline: str
    source: SourceRef
    corrections: list[CellNote]
    status: str | None = None  # latest 完成状态
    progress: str | None = None  # latest 进展情况
    report_date: dt.date | None = None


class CorrectionView(BaseModel):
    correction: Correction  # as stored: the task it was made on
    current_task_id: str  # the task it applies to now (followed to the document's latest version)
    status: Literal["已校核", "待复核"]
    new_text: str | None = None  # the task's text now, for 待复核


class ReportIn(BaseModel):
    task_id: str
    unit: str = Field(max_length=200)
    status: Literal["未启动", "推进中", "已完成", "滞后"]
    report_date: dt.date
    progress: str = Field(default="", max_length=5000)
    problems: str = Field(default="", max_length=5000)
    next_steps: str = Field(default="", max_length=5000)
    user: str = Field(default="", max_length=100)


class FileResult(BaseModel):
    name: str
    kind: str
    corrections: int
    reports: int
    note: str


class UnitCount(BaseModel):
    unit: str
    tasks: int
    completed: int
    overdue: int
    due_soon: int
    completion_rate: float


class TaskStateOut(BaseModel):
    task_id: str
    document: str
    units: list[str]
    state: str
    due: dt.date | None
    reason: str


class SupervisionOut(BaseModel):
    as_of: dt.date
    within: int
    units: list[UnitCount]
    documents: list[UnitCount]
    tasks: list[TaskStateOut]  # overdue and due soon only
    superseded_documents: int = 0  # older versions left out (all_versions=false)


class SupersededOut(BaseModel):
    """A registered document the ledger leaves out: a later version of it is registered."""

    doc_id: str
    title: str
    current_doc_id: str
    current_title: str


@router.get("/tasks", response_model=list[LedgerRowOut])
def ledger_rows(registry: RegistryDep, all_versions: AllVersionsQuery = False) -> list[LedgerRowOut]:
    """The 任务分工表 with the secretariat's corrections applied and the latest reports."""
    reader = LedgerReader(registry)
    tracked = reader.tracked(all_versions=all_versions)
    latest = latest_reports(reader.store.reports())
    rows = []
    for doc in tracked.ledger.documents:
        for t in doc.tasks:
            report = latest.get(t.task_id)
            rows.append(LedgerRowOut(
                task_id=t.task_id, doc_id=t.doc_id, document=doc.meta.title, measure=measure_heading(t),
                lead=field_value(t, "lead"), supporting=field_value(t, "supporting"),
                unassigned=field_value(t, "unassigned"), deadline=field_value(t, "deadline"), source=t.source,
                corrections=[CellNote(field=n.field, extracted=n.extracted, corrected=n.corrected, status=n.status,
                                      origin=n.origin) for n in tracked.ledger.corrections.get(t.task_id, ())],
                status=report.status if report else None, progress=report.progress if report else None,
                report_date=report.report_date if report else None,
            ))
    return rows


@router.post("/tasks", response_model=Correction, status_code=201)
def post_task(body: TaskIn, registry: LiveRegistryDep, _: TokenDep) -> Correction:
    """Add a measure the extractor missed; kept over every rebuild like a row added to a workbook."""
    cells = EditableCells(lead=body.lead, supporting=body.supporting, unassigned=body.unassigned,
                          deadline=body.deadline)
    return add_task(registry, body.doc_id, body.text, cells, body.user)


@router.get("/superseded", response_model=list[SupersededOut])
def superseded(registry: RegistryDep) -> list[SupersededOut]:
    """Documents left out of the ledger by default, each with the version that supersedes it."""
    titles = {m.doc_id: m.title for m in registry.documents()}
    left_out = superseded_documents(registry.documents(), registry.version_links())
    return [SupersededOut(doc_id=old, title=titles[old], current_doc_id=new, current_title=titles[new])
            for old, new in sorted(left_out.items())]


@router.get("/corrections", response_model=list[CorrectionView])
def list_corrections(registry: RegistryDep, pending: bool = False) -> list[CorrectionView]:
    reader = LedgerReader(registry)
    corrections = reader.store.corrections()
    tracked = reader.tracked(corrections=corrections)
    review = {r.correction.correction_id: r for r in tracked.reviews}
    current = current_task_ids(tracked)
    return [
        CorrectionView(correction=c, current_task_id=current.get(c.correction_id, c.task_id),
                       status="待复核" if c.correction_id in review else "已校核",
                       new_text=review[c.correction_id].new_text if c.correction_id in review else None)
        for c in corrections if not pending or c.correction_id in review
    ]


@router.post("/corrections", response_model=Correction, status_code=201)
def post_correction(body: CorrectionIn, registry: LiveRegistryDep, _: TokenDep) -> Correction:
    """Set one cell of the 任务分工表; kept over every rebuild like an imported edit."""
    return correct_field(registry, body.task_id, body.field, body.value, body.user)


@router.get("/reports", response_model=list[ProgressReport])
def list_reports(registry: RegistryDep, task_id: str | None = None) -> list[ProgressReport]:
    return LedgerReader(registry).store.reports(task_id)


@router.post("/reports", response_model=ProgressReport, status_code=201)
def post_report(body: ReportIn, registry: LiveRegistryDep, _: TokenDep) -> ProgressReport:
    """A unit's report on a task: a new dated row, never overwriting an earlier one."""
    return add_report(registry, body.task_id, body.unit, body.status, body.report_date, body.progress,
                      body.problems, body.next_steps, body.user)


@router.post("/import", response_model=list[FileResult])
async def import_workbook(file: UploadFile, settings: SettingsDep, registry: LiveRegistryDep,
                          _: TokenDep) -> list[FileResult]:
    """An edited 任务分工表 or a filled 进展报送 template (422 with the sheet, row and column when refused)."""
    data = await read_limited(file, settings.max_file_bytes)
    name = Path(file.filename or "upload.xlsx").name[:200]
    with tempfile.TemporaryDirectory(prefix="taizhang-import-") as folder:
        path = Path(folder) / "upload.xlsx"
        path.write_bytes(data)
        report = await run_in_threadpool(import_workbooks, [path], registry, [name])
    if report.failed:
        raise HTTPException(422, "; ".join(report.failed).replace(str(path), name))
    return [FileResult(name=f.path, kind=f.kind, corrections=f.corrections, reports=f.reports, note=f.note)
            for f in report.files]


@router.get("/overdue", response_model=SupervisionOut)
def overdue(registry: RegistryDep, as_of: dt.date | None = None,
            within: Annotated[int, Query(ge=0, le=366)] = 30, unit: str | None = None,
            all_versions: AllVersionsQuery = False) -> SupervisionOut:
    """督办: per unit and per document, overdue / due soon / completed as of a day (default today)."""
    day = as_of or dt.date.today()
    if unit is not None:
        unit = ledger_unit(unit, (u.canonical for u in registry.units()))
    result = supervision(registry, day, within, unit, all_versions)

    def counts(rows) -> list[UnitCount]:
        return [UnitCount(unit=u.unit, tasks=u.tasks, completed=u.completed, overdue=u.overdue,
                          due_soon=u.due_soon, completion_rate=round(u.completion_rate, 4)) for u in rows]

    return SupervisionOut(
        as_of=day, within=within, units=counts(result.units), documents=counts(result.documents),
        tasks=[TaskStateOut(task_id=s.task.task_id, document=s.document, units=list(s.units), state=s.state,
                            due=s.due, reason=s.reason)
               for s in result.states if s.state in ("超期", "即将到期")],
        superseded_documents=result.superseded,
    )
