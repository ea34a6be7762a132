"""A request reads one generation: the search index served and the registry it was built from.

A build writes the registry first and publishes the new index after. In between, a server that
searched the old index and read the new registry answered with a mix: a load test saw 3,680
follow-up ``/tasks/{id}`` 404s and 8,456 stale titles in 30 s of searching during a build. So
every read of the API goes through ``served_registry``: the registry as of the index being
served (``extractors.registry.snapshot``), the old one whole until the new index is in, then
the new one whole. ``/search`` takes the generation once and reads both halves from it.

Where no snapshot of that generation can be had (PostgreSQL, whose index is the database's
live tables; a server started in the middle of a build; an index from before the digest), the
live registry is read, and ``hits_in_registry`` leaves out the hits whose measure or document
it no longer holds, so a hit never points at something the API does not have.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from extractors.registry.snapshot import SnapshotPool
from extractors.registry.store import Registry
from pipeline.errors import TaizhangError

from search_api.schemas import SearchFilters, SearchMode, SearchResponse
from search_api.search.engine import SearchEngine, ServedIndex


@contextmanager
def served_registry(engine: SearchEngine, live: Registry, pool: SnapshotPool | None,
                    served: ServedIndex | None = None) -> Iterator[Registry]:
    """The registry of the generation ``engine`` answers from (``served``, default the one it
    serves now), for one request; ``live`` when there is no index or no snapshot of it."""
    if pool is None or engine.on_postgres:
        yield live
        return
    if served is None:
        try:
            served = engine.served()
        # no index, or one that cannot be read: nothing is searched, and the registry as it is
        # is the only generation to show (a page that lists documents must not fail for it)
        except (TaizhangError, OSError, ValueError):
            yield live
            return
    digest = served.index.meta.documents_digest
    if not digest:
        yield live
        return
    with pool.reading(digest) as snapshot:
        yield snapshot if snapshot is not None else live


def search_one_generation(engine: SearchEngine, live: Registry, pool: SnapshotPool | None, query: str,
                          k: int, filters: SearchFilters, mode: SearchMode) -> SearchResponse:
    """``engine.search`` with the registry of the same generation (blocking: run it in a thread)."""
    served = None if engine.on_postgres else engine.served()
    found = engine.search(query, k, filters, mode, served=served)
    if served is None:  # PostgreSQL: the index is the live tables, published with the registry
        return found
    with served_registry(engine, live, pool, served) as registry:
        return hits_in_registry(found, served, registry)


def hits_in_registry(found: SearchResponse, served: ServedIndex, registry: Registry) -> SearchResponse:
    """``found`` without the hits whose measure or document the registry no longer holds."""
    if found.index_generation == served.index.meta.generation \
            and served.index.meta.registry_generation == registry.generation():
        return found  # the index answering was built from the registry as it is: nothing to check
    tasks, docs = registry.present((h.card.task_id for h in found.hits if h.card.task_id),
                                   (h.card.doc_id for h in found.hits))
    kept = [h for h in found.hits if h.card.doc_id in docs and (h.card.task_id is None or h.card.task_id in tasks)]
    if len(kept) == len(found.hits):
        return found
    return found.model_copy(update={"hits": tuple(h.model_copy(update={"rank": n}) for n, h in enumerate(kept, 1))})
