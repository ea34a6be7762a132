from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from search_api.deps import SettingsDep

router = APIRouter(tags=["export"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export.xlsx", response_class=FileResponse, responses={200: {"content": {XLSX: {}}}})
def export_xlsx(settings: SettingsDep) -> FileResponse:
    """The 任务分工表 workbook, built from the registry as it is now."""
    from extractors.tracking.service import run_tracked_export

    folder = Path(tempfile.mkdtemp(prefix="taizhang-export-"))
    path = run_tracked_export(settings, fmt="xlsx", out=folder / "taizhang.xlsx")
    return FileResponse(
        path, media_type=XLSX, filename="任务分工表.xlsx",
        background=BackgroundTask(lambda: (path.unlink(missing_ok=True), folder.rmdir())),
    )
