"""The corpus manifest: what is known of each bundled document (title, issuer, date, status).

A ``manifest.json`` is taizhang's when it is a JSON object with a ``documents`` list. Another
tool's file of that name (a web app manifest, a package description) is not refused: it is
ignored, with one note. A taizhang manifest with a bad entry keeps its good entries; each bad
one is named by file, entry and field, and its document takes its metadata from its own text.
Nothing here stops a batch: the notes are ``Manifest.problems``, printed once per folder by the
command that reads it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.messages import warning, warning_table
from pipeline.model import DocumentMeta

MANIFEST_NAME = "manifest.json"


class ManifestEntry(DocumentMeta):
    model_config = ConfigDict(frozen=True, extra="ignore")
    file: str
    source_format: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    documents: tuple[ManifestEntry, ...] = ()
    problems: tuple[str, ...] = ()  # in Chinese, each naming the file (and entry, field)

    def for_file(self, path: Path) -> ManifestEntry | None:
        for entry in self.documents:
            if entry.file == path.name:
                return entry
        return None


def _field_problem(path: Path, number: int, raw: object, error: dict) -> str:
    name = raw.get("file") if isinstance(raw, dict) else None
    field = ".".join(str(p) for p in error.get("loc", ())) or "（整条）"
    reason = warning_table().manifest_fields.reason(error.get("type", ""))
    given = "" if error.get("type") == "missing" else f"（现为 {json.dumps(error.get('input'), ensure_ascii=False)[:60]}）"
    if name:
        return warning("manifest_bad_entry", path=path, number=number, name=name, field=field, reason=reason,
                       given=given)
    return warning("manifest_bad_entry_unnamed", path=path, number=number, field=field, reason=reason, given=given)


def read_manifest(path: Path) -> Manifest:
    """``path`` read as a manifest; never raises for its content (see the module docstring)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return Manifest(problems=(warning("manifest_not_utf8", path=path),))
    except json.JSONDecodeError as exc:
        return Manifest(problems=(warning("manifest_not_json", path=path, line=exc.lineno, column=exc.colno),))
    except OSError as exc:
        return Manifest(problems=(warning("manifest_unreadable", path=path, why=exc.strerror),))
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        return Manifest(problems=(warning("manifest_foreign", path=path),))
    entries: list[ManifestEntry] = []
    problems: list[str] = []
    for number, raw in enumerate(data["documents"], 1):
        try:
            entries.append(ManifestEntry.model_validate(raw))
        except ValidationError as exc:
            problems += [_field_problem(path, number, raw, e) for e in exc.errors()]
    return Manifest(documents=tuple(entries), problems=tuple(problems))


def load_manifest(folder: Path) -> Manifest:
    """``folder/manifest.json`` if present, else an empty manifest (metadata comes from content)."""
    path = folder / MANIFEST_NAME
    return read_manifest(path) if path.exists() else Manifest()
