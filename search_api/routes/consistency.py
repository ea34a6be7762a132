from __future__ import annotations

from fastapi import APIRouter

from pipeline.model import Finding

from search_api.deps import RegistryDep

router = APIRouter(tags=["consistency"])


@router.get("/consistency", response_model=list[Finding])
def consistency(registry: RegistryDep) -> list[Finding]:
    """Cross-document findings (conflicts, basis mismatches, superseded values, corroborations)."""
    from extractors.checks import check_registry

    return check_registry(registry)
