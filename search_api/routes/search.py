from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from pipeline.model import DocStatus

from ..deps import SettingsDep
from ..schemas import SearchFilters, SearchResponse

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse)
async def search_measures(
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="plain Chinese or English")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    doc: Annotated[str | None, Query()] = None,
    unit: Annotated[str | None, Query(description="canonical unit, lead or supporting")] = None,
    role: Annotated[Literal["lead", "supporting"] | None, Query()] = None,
    year: Annotated[int | None, Query(description="deadline year")] = None,
    status: Annotated[DocStatus | None, Query(description="征求意见稿 / 代拟稿 / 送审稿 / 试行 / 正式 / 未知")] = None,
    mode: Annotated[Literal["hybrid", "dense", "sparse"], Query()] = "hybrid",
) -> SearchResponse:
    from ..search import search

    filters = SearchFilters(doc=doc, unit=unit, role=role, year=year, status=status)
    # the dense query embedding is CPU-bound: keep the event loop free
    return await run_in_threadpool(search, q, settings, k, filters, mode)
