"""The index's embedding on Ray Data (``taizhang build --ray`` with the registry in PostgreSQL).

Before the PostgreSQL index is brought up to date (``sync_pg_index``), the texts it is about to
embed and that no machine has embedded yet (not in ``embedding_cache``) go through one Ray Data
pipeline: ``map_batches`` with a callable class, so each Ray worker loads the embedding model
once (in ``__init__``) and then embeds batch after batch, writing the vectors straight into the
shared ``embedding_cache``. The index step that follows finds every vector there and embeds
nothing itself. ``ray.init`` joins the cluster at ``RAY_ADDRESS`` when it is set, else starts a
local one (``extractors/registry/ray_build.start_ray``): the same command on a laptop and on a
cluster, whose workers only need to reach the same PostgreSQL.

On the embedded default (SQLite) the cache is a local file a cluster cannot write to, so
``--ray`` there parses and extracts on Ray and embeds in the build's process, as before.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from extractors.registry.ray_build import start_ray
from pipeline.settings import Settings

from search_api.embedding.embed import EmbeddingCache, make_embedder
from search_api.index.pg_caches import PgEmbeddingCache, pg_engine

BATCH_TEXTS = 64  # texts per model call (as embed_with_cache): fuller batches, more lost on a crash
# Fewer new texts than this are embedded in the build's process: starting a pipeline and its
# workers (each loading the model) takes seconds, more than one uploaded document's ~150 texts.
MIN_TEXTS = 1000
KEY_CHUNK = 5000  # texts whose keys are looked up in the cache at once


@dataclass(frozen=True)
class RayEmbedReport:
    """What the pipeline did: texts embedded, and the worker instances that did it (each
    loaded the model once) with the batches they embedded."""

    embedded: int
    workers: int
    batches: int


class EmbedIntoSharedCache:
    """Ray Data's callable class: the model is made once per worker, in ``__init__``."""

    def __init__(self, settings_json: str) -> None:
        settings = Settings.model_validate_json(settings_json)
        self.embedder = make_embedder(settings, "passages")
        self.engine = pg_engine(settings.registry_url)
        self.cache = PgEmbeddingCache(self.engine)
        self.worker = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = self.embedder.embed_passages(texts)
        self.cache.put_many([(EmbeddingCache.key(self.embedder.model_id, t), v) for t, v in zip(texts, vectors)])
        return {"worker": np.array([self.worker]), "count": np.array([len(texts)])}


def missing_texts(texts: Iterable[str], model_id: str, cache: PgEmbeddingCache) -> list[str]:
    """The distinct ``texts`` whose vector for ``model_id`` the shared cache lacks, in order."""
    seen: set[str] = set()
    missing: list[str] = []
    chunk: list[str] = []

    def check() -> None:
        keys = [EmbeddingCache.key(model_id, t) for t in chunk]
        known = cache.get_many(keys)
        missing.extend(t for t, k in zip(chunk, keys) if k not in known)
        chunk.clear()

    for text in texts:
        if text not in seen:
            seen.add(text)
            chunk.append(text)
            if len(chunk) >= KEY_CHUNK:
                check()
    if chunk:
        check()
    return missing


def embed_on_ray(texts: list[str], settings: Settings, concurrency: int | None = None) -> RayEmbedReport:
    """Embed ``texts`` on Ray Data into the shared cache (see the module docstring); fewer than
    ``MIN_TEXTS`` are left to the caller.

    concurrency: worker instances (each holds one model); default: one per CPU of the
        cluster. More workers embed in parallel but each holds the model's memory.
    """
    if len(texts) < MIN_TEXTS:
        return RayEmbedReport(0, 0, 0)  # the index step embeds them (see MIN_TEXTS)
    import ray.data

    workers = concurrency or start_ray(settings)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the build prints its own one-line summary
    context.print_on_execution_start = False
    dataset = ray.data.from_items([{"text": t} for t in texts]).map_batches(
        EmbedIntoSharedCache, fn_constructor_args=(settings.model_dump_json(exclude={"api_token"}),),
        batch_size=BATCH_TEXTS, compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1)
    counts: dict[str, int] = {}
    batches = 0
    for row in dataset.iter_rows():
        counts[row["worker"]] = counts.get(row["worker"], 0) + int(row["count"])
        batches += 1
    return RayEmbedReport(embedded=sum(counts.values()), workers=len(counts), batches=batches)
