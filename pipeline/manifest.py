"""The corpus manifest: what is known of each bundled document (title, issuer, date, status)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pipeline.errors import TaizhangError
from pipeline.model import DocumentMeta


class ManifestEntry(DocumentMeta):
    model_config = ConfigDict(frozen=True, extra="ignore")
    file: str
    source_format: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    documents: tuple[ManifestEntry, ...] = ()

    def for_file(self, path: Path) -> ManifestEntry | None:
        for entry in self.documents:
            if entry.file == path.name:
                return entry
        return None


def load_manifest(folder: Path) -> Manifest:
    """``folder/manifest.json`` if present, else an empty manifest (metadata comes from content)."""
    path = folder / "manifest.json"
    if not path.exists():
        return Manifest()
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as exc:
        raise TaizhangError(path, f"manifest is not valid: {exc}", "fix or remove manifest.json") from exc
