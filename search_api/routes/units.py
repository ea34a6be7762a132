from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from extractors.registry.store import UnitLoad
from pipeline.model import Task

from search_api.deps import LeftOutDep, RegistryDep
from search_api.unit_lookup import lookup_unit

router = APIRouter(tags=["units"])


class UnitTasks(BaseModel):
    unit: str
    lead: list[Task]
    supporting: list[Task]
    unassigned: list[Task] = []  # named as 责任单位 without a lead/supporting split
    # a name that stands for several units (a bare 区X局 in a ledger of two districts): the
    # units it may stand for, and a message in Chinese saying to choose one
    candidates: list[str] = []
    message: str | None = None


def _load(unit: UnitLoad) -> int:
    return unit.lead_count + unit.supporting_count + unit.unassigned_count


@router.get("/units", response_model=list[UnitLoad])
async def list_units(registry: RegistryDep, left_out: LeftOutDep) -> list[UnitLoad]:
    """Every unit with the measures it leads, supports, or is named responsible for without a
    lead/supporting split (``unassigned_count``); busiest first, counting all three. The latest
    version of each document is counted (the ledger's rule) unless ``all_versions``."""
    return sorted(registry.units(left_out), key=lambda u: (-_load(u), -u.lead_count, u.canonical))


@router.get("/units/{name}/tasks", response_model=UnitTasks)
async def unit_tasks(name: str, registry: RegistryDep, left_out: LeftOutDep) -> UnitTasks:
    """What a unit leads, what it supports, and what it is named responsible for without a
    lead/supporting split (its 责任清单). ``name`` may be an alias or a bare name standing for
    one unit of the ledger (``unit_lookup.lookup_unit``); one standing for several lists them.
    The latest version of each document only, unless ``all_versions``."""
    lookup = lookup_unit(name, (u.canonical for u in registry.units(left_out)))
    if lookup.unit is None:
        return UnitTasks(unit=name, lead=[], supporting=[], candidates=list(lookup.candidates),
                         message=lookup.message)
    lead, supporting, unassigned = (registry.tasks(unit=lookup.unit, role=role, without=left_out)
                                    for role in ("lead", "supporting", "unassigned"))
    return UnitTasks(unit=lookup.unit, lead=lead, supporting=supporting, unassigned=unassigned)
