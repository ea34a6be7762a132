"""Typed dependencies shared by the routers: settings, the registry, the search engine (and
through it the index and the query embedder), the write token. All of them are made once, in
the app's lifespan (app.py), and only handed out here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request

from extractors.registry.snapshot import SnapshotPool
from extractors.registry.store import Registry
from extractors.relations.versions import superseded_documents
from pipeline.settings import Settings

from search_api.embedding.embed import Embedder
from search_api.index.index import LoadedIndex
from search_api.limits import token_refusal
from search_api.search.consistent import served_registry
from search_api.search.engine import SearchEngine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_live_registry(request: Request) -> Registry:
    return request.app.state.registry


def get_engine(request: Request) -> SearchEngine:
    return request.app.state.engine


def get_snapshots(request: Request) -> SnapshotPool | None:
    return request.app.state.snapshots


def get_registry(request: Request) -> Iterator[Registry]:
    """For reads: the registry the served search index was built from, for the whole request,
    so what a page lists, what a search finds and what a hit opens are one generation, even
    while a build is between its registry and its index (search/consistent.py)."""
    with served_registry(get_engine(request), get_live_registry(request), get_snapshots(request)) as registry:
        yield registry


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
# for writes (corrections, reports, uploads, imports) and what must see them at once
LiveRegistryDep = Annotated[Registry, Depends(get_live_registry)]
EngineDep = Annotated[SearchEngine, Depends(get_engine)]
SnapshotsDep = Annotated[SnapshotPool | None, Depends(get_snapshots)]

AllVersionsQuery = Annotated[bool, Query(description="include versions a later version of the same "
                                                    "document supersedes (default: latest only)")]


def left_out_versions(registry: RegistryDep, all_versions: AllVersionsQuery = False) -> frozenset[str]:
    """The doc_ids a ledger read leaves out: older versions of a document a later one
    supersedes (as ``taizhang export``), none when the request asks for ``all_versions``."""
    if all_versions:
        return frozenset()
    return frozenset(superseded_documents(registry.documents(), registry.version_links()))


LeftOutDep = Annotated[frozenset[str], Depends(left_out_versions)]


def get_index(engine: EngineDep) -> LoadedIndex:
    """The index generation being served (loaded on first use; 503 when there is none)."""
    return engine.index()


def get_embedder(engine: EngineDep) -> Embedder:
    """The query embedder (its model loads when it first embeds)."""
    return engine.embedder


IndexDep = Annotated[LoadedIndex, Depends(get_index)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]


def require_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Write endpoints need ``Authorization: Bearer <TAIZHANG_API_TOKEN>``; unset token = writes off.
    The app's RequestLimits checks this before the body is read; here it guards the route itself."""
    refusal = token_refusal(settings, authorization)
    if refusal is not None:
        raise HTTPException(*refusal)


TokenDep = Annotated[None, Depends(require_token)]
