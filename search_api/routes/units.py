from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from extractors.registry import UnitLoad
from pipeline.model import Task

from ..deps import RegistryDep

router = APIRouter(tags=["units"])


class UnitTasks(BaseModel):
    unit: str
    lead: list[Task]
    supporting: list[Task]


@router.get("/units", response_model=list[UnitLoad])
async def list_units(registry: RegistryDep) -> list[UnitLoad]:
    return registry.units()


@router.get("/units/{name}/tasks", response_model=UnitTasks)
async def unit_tasks(name: str, registry: RegistryDep) -> UnitTasks:
    """What a unit leads and what it supports (its 责任清单). ``name`` may be an alias."""
    from extractors.units import canonical_unit

    canonical = canonical_unit(name).canonical
    return UnitTasks(
        unit=canonical,
        lead=registry.tasks(unit=canonical, role="lead"),
        supporting=registry.tasks(unit=canonical, role="supporting"),
    )
