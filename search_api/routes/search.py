from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from pipeline.model import DocStatus

from search_api.deps import EngineDep, LiveRegistryDep, SnapshotsDep
from search_api.schemas import SearchFilters, SearchResponse
from search_api.search.consistent import search_one_generation

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse)
async def search_measures(
    engine: EngineDep,
    registry: LiveRegistryDep,
    snapshots: SnapshotsDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="plain Chinese or English")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    doc: Annotated[str | None, Query()] = None,
    unit: Annotated[str | None,
                    Query(description="canonical unit: lead, supporting or 责任单位 without a role")] = None,
    role: Annotated[Literal["lead", "supporting", "unassigned"] | None,
                    Query(description="with unit: lead, supporting or unassigned (责任单位 without a role)")] = None,
    year: Annotated[int | None, Query(description="deadline year")] = None,
    status: Annotated[DocStatus | None, Query(description="征求意见稿 / 代拟稿 / 送审稿 / 试行 / 正式 / 未知")] = None,
    mode: Annotated[Literal["hybrid", "dense", "sparse"], Query()] = "hybrid",
) -> Response:
    filters = SearchFilters(doc=doc, unit=unit, role=role, year=year, status=status)
    # the dense query embedding is CPU-bound: keep the event loop free. The index and the registry
    # are read at one generation, even while a build is between its two phases (consistent.py).
    found = await run_in_threadpool(search_one_generation, engine, registry, snapshots, q, k, filters, mode)
    # Serialised once, by pydantic: returning the model would have FastAPI dump it, validate the
    # dump against the response model again and encode that, over ten times the cost of this.
    # response_model above still documents the shape in the OpenAPI schema.
    return Response(found.model_dump_json(), media_type="application/json")
