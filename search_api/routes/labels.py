"""``GET /labels``: the Chinese label of every internal value (pipeline/labels.yaml), so the web
page shows 冲突 / 严重 / ≥ where the API's fields hold conflict / high / ge, from one table."""

from __future__ import annotations

from fastapi import APIRouter

from pipeline.labels import Labels, labels

router = APIRouter(tags=["labels"])


@router.get("/labels", response_model=Labels)
async def get_labels() -> Labels:
    return labels()
