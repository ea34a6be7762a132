from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from extractors.registry.store import UnitLoad
from pipeline.model import Task

from search_api.deps import RegistryDep

router = APIRouter(tags=["units"])


class UnitTasks(BaseModel):
    unit: str
    lead: list[Task]
    supporting: list[Task]
    candidates: list[str] = []  # for a bare 区X局: the qualified units it may stand for


@router.get("/units", response_model=list[UnitLoad])
async def list_units(registry: RegistryDep) -> list[UnitLoad]:
    return registry.units()


@router.get("/units/{name}/tasks", response_model=UnitTasks)
async def unit_tasks(name: str, registry: RegistryDep) -> UnitTasks:
    """What a unit leads and what it supports (its 责任清单). ``name`` may be an alias."""
    from extractors.units.context import jurisdiction_candidates
    from extractors.units.names import canonical_unit

    match = canonical_unit(name)
    canonical = match.canonical
    lead = registry.tasks(unit=canonical, role="lead")
    supporting = registry.tasks(unit=canonical, role="supporting")
    candidates: list[str] = []
    if not lead and not supporting:
        # 区经济和信息化局 alone names no one bureau: list the districts' bureaus the ledger holds
        candidates = jurisdiction_candidates(match, [u.canonical for u in registry.units()])
    return UnitTasks(unit=canonical, lead=lead, supporting=supporting, candidates=candidates)
