from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from pipeline.locate import SourceSnippet, locate
from pipeline.model import Clause, DocumentMeta, Section, Target, Task

from search_api.deps import RegistryDep, SettingsDep
from search_api.paths import public_message, public_path

router = APIRouter(tags=["documents"])


class DocumentView(BaseModel):
    """A document as the web page shows it: cleaned text, structure, and what was extracted."""

    meta: DocumentMeta
    source_path: str = Field(description="relative to the folder it was built from (uploads/… for uploads)")
    text: str
    sections: list[Section]
    clauses: list[Clause]
    tasks: list[Task]
    targets: list[Target]
    warnings: list[str]


@router.get("/documents", response_model=list[DocumentMeta])
async def list_documents(registry: RegistryDep) -> list[DocumentMeta]:
    return registry.documents()


@router.get("/documents/{doc_id}", response_model=DocumentView)
async def get_document(doc_id: str, registry: RegistryDep, settings: SettingsDep) -> DocumentView:
    doc = registry.document(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id!r}")
    return DocumentView(
        meta=doc.meta,
        source_path=public_path(doc.source_path, settings),
        text=doc.text,
        sections=list(doc.sections),
        clauses=list(doc.clauses),
        tasks=registry.tasks(doc_id=doc_id),
        targets=registry.targets(doc_id=doc_id),
        warnings=[public_message(w, settings) for w in doc.warnings],  # never the server's folders
    )


@router.get("/show", response_model=SourceSnippet)
async def show_source(
    registry: RegistryDep,
    settings: SettingsDep,
    doc: Annotated[str, Query(description="doc_id")],
    start: Annotated[int, Query(ge=0)],
    end: Annotated[int, Query(ge=0)],
) -> SourceSnippet:
    """The raw lines of the original file around a span, with page and line: one click to verify."""
    document = registry.document(doc)
    if document is None:
        raise HTTPException(404, f"no document {doc!r}")
    try:
        snippet = locate(document, start, end)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return snippet.model_copy(update={"source_path": public_path(snippet.source_path, settings)})
