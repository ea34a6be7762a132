"""Write endpoints: upload a document, rebuild. Both need the operator's token.

Uploads are checked before anything touches the registry: a size limit enforced while reading,
the type sniffed from the content (never trusted from the name), and the stored file named by
its content hash, so a hostile file name can never become a path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from pipeline.load import sniff, zip_kind

from search_api.deps import EngineDep, LiveRegistryDep, SettingsDep, TokenDep
from search_api.paths import public_message, public_path

router = APIRouter(tags=["admin"])

_CHUNK = 1 << 16
_SNIFFED_EXT = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}


class BuildResult(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    failed: list[tuple[str, str]]
    replaced: list[tuple[str, str]] = []  # (new doc_id, the old version(s) it replaced)
    linked: list[tuple[str, str]] = []  # (doc_id, the registered document it is a later version of)
    clashes: list[tuple[str, str, str]] = []  # (doc_id, registered doc_id, 文号相同 …): both kept
    # doc_id → what the loader noticed reading its file (Chinese), for the files read now
    warnings: dict[str, list[str]] = {}


class UploadResult(BaseModel):
    stored_as: str
    sha256: str
    original_name: str
    build: BuildResult


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refused past ``limit`` while reading (never held whole first)."""
    chunks, size = [], 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"upload is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    if not size:
        raise HTTPException(422, "upload is empty")
    return b"".join(chunks)


def _build(paths: list[Path], settings, engine, as_version_of: str | None = None) -> BuildResult:
    """Registry, then the index when it is stale, embedding with the engine's passage embedder
    (its model loads once per process, however many builds follow)."""
    from extractors.registry.build import build_registry
    from extractors.registry.locks import build_lock

    with build_lock(settings):  # one build at a time per store, across processes
        report = build_registry(paths, settings, progress=False, as_version_of=as_version_of)
        from extractors.registry.store import Registry
        from search_api.index.indexing import refresh_index

        with Registry.open(settings) as registry:
            # nothing new: no model load, no write
            published = refresh_index(settings, registry, engine.passage_embedder) is not None
    if published and not engine.on_postgres:
        engine.reload()  # the uploader's next search finds the new document
    return BuildResult(
        added=list(report.added), updated=list(report.updated), unchanged=list(report.unchanged),
        replaced=report.replaced, linked=report.linked,
        clashes=[(c.doc_id, c.existing, c.reason) for c in report.clashes],
        warnings={i.doc_id: [public_message(w, settings) for w in i.warnings] for i in report.items if i.warnings},
        failed=[(public_path(p, settings), public_message(m, settings)) for p, m in report.failed],
    )


@router.post("/documents", response_model=UploadResult, status_code=201)
async def upload_document(file: UploadFile, settings: SettingsDep, engine: EngineDep, registry: LiveRegistryDep,
                          _: TokenDep, as_version_of: Annotated[str | None, Query(
                              description="doc id of the registered document this upload is a later version of "
                                          "(both are kept and linked, as `taizhang build --as-version-of`)")] = None,
                          ) -> UploadResult:
    """Add a document to the registry and the index (needs ``Authorization: Bearer <token>``)."""
    if as_version_of is not None and not registry.present((), (as_version_of,))[1]:
        raise HTTPException(422, f"任务台账中没有文件 {as_version_of!r}，无法登记为它的新版本")
    data = await read_limited(file, settings.max_file_bytes)
    kind = sniff(data[:2048])
    if kind == "zip":
        kind = zip_kind(data)
    if kind not in _SNIFFED_EXT:
        raise HTTPException(415, f"content is {kind}, not a PDF, DOCX, HTML or text document")
    digest = hashlib.sha256(data).hexdigest()
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest[:16]}{_SNIFFED_EXT[kind]}"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    result = await run_in_threadpool(_build, [target], settings, engine, as_version_of)
    if result.failed:
        target.unlink(missing_ok=True)  # a refused upload leaves nothing behind
        raise HTTPException(422, public_message("; ".join(message for _, message in result.failed), settings))
    return UploadResult(
        stored_as=target.name, sha256=digest, original_name=(file.filename or "")[:200], build=result
    )


@router.post("/rebuild", response_model=BuildResult)
async def rebuild(settings: SettingsDep, engine: EngineDep, _: TokenDep) -> BuildResult:
    """Re-run the incremental build over the corpus folder and the uploads."""
    paths = [settings.corpus_dir]
    uploads = settings.data_dir / "uploads"
    if uploads.exists():
        paths.append(uploads)
    return await run_in_threadpool(_build, paths, settings, engine)
