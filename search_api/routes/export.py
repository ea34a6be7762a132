"""The workbook download. Building it costs seconds of CPU, so it is built
once per registry generation and kept in ``<data_dir>/exports/``: every request after the first
gets the same file until the registry changes. Building is serialised, and the app's
RequestLimits answers 429 past ``heavy_requests`` at once."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from search_api.deps import RegistryDep, SettingsDep

router = APIRouter(tags=["export"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BUILDING = threading.Lock()
_KEEP = 3  # workbooks of older generations kept a while, for downloads still streaming them


def cached_workbook(folder: Path, generation: str, build) -> Path:
    """The workbook of ``generation`` in ``folder``, made by ``build(path)`` when not there yet."""
    path = folder / f"workbook-{generation}.xlsx"
    if path.exists():
        return path
    with _BUILDING:
        if not path.exists():
            build(path)  # written atomically: a reader never sees half a workbook
            older = sorted(folder.glob("workbook-*.xlsx"), key=lambda p: p.stat().st_mtime)[:-_KEEP]
            for stale in older:
                stale.unlink(missing_ok=True)
    return path


@router.get("/export.xlsx", response_class=FileResponse, responses={200: {"content": {XLSX: {}}}})
def export_xlsx(settings: SettingsDep, registry: RegistryDep) -> FileResponse:
    """The 任务分工表 workbook of the registry as it is now, with the secretariat's corrections
    (an imported correction moves the registry generation too)."""
    from extractors.tracking.service import run_tracked_export

    path = cached_workbook(settings.data_dir / "exports", registry.generation(),
                           lambda out: run_tracked_export(settings, fmt="xlsx", out=out))
    return FileResponse(path, media_type=XLSX, filename="任务分工表.xlsx")
