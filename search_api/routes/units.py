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
    unassigned: list[Task] = []  # named as 责任单位 without a lead/supporting split
    candidates: list[str] = []  # for a bare 区X局: the qualified units it may stand for


def _load(unit: UnitLoad) -> int:
    return unit.lead_count + unit.supporting_count + unit.unassigned_count


@router.get("/units", response_model=list[UnitLoad])
async def list_units(registry: RegistryDep) -> list[UnitLoad]:
    """Every unit with the measures it leads, supports, or is named responsible for without a
    lead/supporting split (``unassigned_count``); busiest first, counting all three."""
    return sorted(registry.units(), key=lambda u: (-_load(u), -u.lead_count, u.canonical))


@router.get("/units/{name}/tasks", response_model=UnitTasks)
async def unit_tasks(name: str, registry: RegistryDep) -> UnitTasks:
    """What a unit leads, what it supports, and what it is named responsible for without a
    lead/supporting split (its 责任清单). ``name`` may be an alias."""
    from extractors.units.context import jurisdiction_candidates
    from extractors.units.names import canonical_unit

    def by_role(unit: str) -> tuple[list, list, list]:
        return tuple(registry.tasks(unit=unit, role=role) for role in ("lead", "supporting", "unassigned"))

    match = canonical_unit(name)
    canonical = match.canonical
    lead, supporting, unassigned = by_role(canonical)
    candidates: list[str] = []
    if not (lead or supporting or unassigned):
        # 区经济和信息化局 alone names no one bureau: list the districts' bureaus the ledger holds;
        # 市经信局 in a ledger of one city's documents is that city's bureau
        candidates = jurisdiction_candidates(match, [u.canonical for u in registry.units()])
        if len(candidates) == 1 and match.level == "city":
            canonical, candidates = candidates[0], []
            lead, supporting, unassigned = by_role(canonical)
    return UnitTasks(unit=canonical, lead=lead, supporting=supporting, unassigned=unassigned,
                     candidates=candidates)
