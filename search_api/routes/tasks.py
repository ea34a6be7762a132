from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from pipeline.model import Task

from search_api.deps import LeftOutDep, RegistryDep
from search_api.unit_lookup import ledger_unit

router = APIRouter(tags=["tasks"])


@router.get("/tasks", response_model=list[Task])
async def list_tasks(
    registry: RegistryDep,
    left_out: LeftOutDep,
    doc: Annotated[str | None, Query(description="doc_id")] = None,
    unit: Annotated[str | None, Query(description="unit name (canonical, an alias, or a bare name "
                                                "standing for one unit of the ledger), whatever its "
                                                "role (lead, supporting, or 责任单位 named without a role)")] = None,
    role: Annotated[Literal["lead", "supporting", "unassigned"] | None,
                    Query(description="only this role; unassigned: 责任单位 named without a "
                                      "lead/supporting split")] = None,
    unassigned: Annotated[bool | None, Query(description="only measures without a lead")] = None,
    year: Annotated[int | None, Query(description="deadline year")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Task]:
    """Measures as extracted (no corrections: ``/ledger/tasks`` has them), the latest version of
    each document unless ``all_versions``; a document asked for by ``doc`` is listed whatever its
    version."""
    if unit is not None:
        unit = ledger_unit(unit, (u.canonical for u in registry.units(left_out)))
    rows = registry.tasks(doc_id=doc, unit=unit, role=role, without=left_out - {doc})
    if unassigned is not None:
        rows = [t for t in rows if (not t.lead) == unassigned]
    if year is not None:
        rows = [t for t in rows if any(d.due_year == year for d in t.deadlines)]
    return rows[offset : offset + limit]


@router.get("/tasks/{task_id:path}", response_model=Task)
async def get_task(task_id: str, registry: RegistryDep) -> Task:
    task = registry.task(task_id)
    if task is None:
        raise HTTPException(404, f"no task {task_id!r}")
    return task
