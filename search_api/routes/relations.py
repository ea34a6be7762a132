"""Documents in relation: versions of one document and their diff, upper → lower 承接 links.
Documents are named by doc id only (the API never reads a path a caller gives)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from extractors.relations.diff import VersionDiff, diff_versions
from extractors.relations.load import registry_extraction
from extractors.relations.trace import TraceReport
from extractors.relations.versions import DocumentVersions, version_groups, versions_of
from pipeline.model import DocumentMeta

from search_api.deps import EmbedderDep, RegistryDep
from search_api.trace_cli import trace_extractions

router = APIRouter(prefix="/relations", tags=["relations"])


@router.get("/versions", response_model=list[list[DocumentMeta]])
def versions(registry: RegistryDep) -> list[list[DocumentMeta]]:
    """Registered documents that are versions of one another (linked with ``--as-version-of``,
    same title but for 征求意见稿 …, same 文号), each group earliest first."""
    return version_groups(registry.documents(), registry.version_links())


@router.get("/versions/{doc_id}", response_model=DocumentVersions)
def document_versions(registry: RegistryDep, doc_id: str) -> DocumentVersions:
    """The versions of one document, earliest first, each with why it belongs, and the one
    before it (``previous``: what a one-argument ``taizhang diff`` compares it with)."""
    documents = registry.documents()
    if not any(m.doc_id == doc_id for m in documents):
        raise HTTPException(404, f"任务台账中没有文件 {doc_id!r}")
    return versions_of(doc_id, documents, registry.version_links())


@router.get("/diff", response_model=VersionDiff)
def diff(registry: RegistryDep, old: Annotated[str, Query(description="doc id of the earlier version")],
         new: Annotated[str, Query(description="doc id of the later version")]) -> VersionDiff:
    """Measure-by-measure diff of two registered documents (added, removed, moved, changed)."""
    return diff_versions(registry_extraction(old, registry), registry_extraction(new, registry))


@router.get("/trace", response_model=TraceReport)
def trace(registry: RegistryDep, embedder: EmbedderDep,
          upper: Annotated[str, Query(description="doc id of the upper document")],
          lower: Annotated[list[str], Query(description="doc ids of the lower documents")]) -> TraceReport:
    """承接 links from the upper document's measures to the lower documents', with the gaps."""
    lowers = [registry_extraction(doc_id, registry) for doc_id in lower]
    return trace_extractions(registry_extraction(upper, registry), lowers, embedder)
