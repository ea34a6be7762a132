"""The embedded index as a server uses it: FAISS threads in request threads, BM25 top-k by
partial selection, and one load per new index generation however many threads ask for it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import faiss
import numpy as np
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.settings import Settings
from search_api.app import create_app
from search_api.embedding.embed import FakeEmbedder
from search_api.index.index import (
    COLLECTIONS,
    LoadedIndex,
    load_index,
    write_index,
)
from search_api.index.vectors import DenseIndex
from search_api.search.engine import SearchEngine
from search_api.sparse.sparse import top_scores
from tests.search_api.search_fixtures import tiny_index

# ----------------------------------------------------------------------------- BM25 top-k


def full_sort_top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The reference: every row sorted (stable), the first k with a score above 0."""
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


# few distinct values, so ties (at the k-th place too) and zeros are common
tied_scores = st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 1.5, 2.25, 7.0]), max_size=300)
free_scores = st.lists(st.floats(min_value=0, max_value=50, width=32), max_size=300)


@hypothesis_settings(max_examples=300, deadline=None)
@given(values=st.one_of(tied_scores, free_scores), k=st.integers(min_value=0, max_value=320))
def test_top_scores_equals_the_full_sort(values: list[float], k: int) -> None:
    scores = np.asarray(values, dtype=np.float32)
    assert top_scores(scores, k) == full_sort_top(scores, k)


def test_top_scores_on_a_large_random_array() -> None:
    rng = np.random.default_rng(7)
    scores = np.where(rng.random(200_000) < 0.1, rng.random(200_000) * 20, 0).astype(np.float32)
    scores[rng.integers(0, len(scores), 500)] = scores.max()  # ties at the top
    for k in (1, 300, 20_000, 200_000):
        assert top_scores(scores, k) == full_sort_top(scores, k)


# ----------------------------------------------------------------------------- FAISS threads


class ThreadRecordingIndex:
    """A faiss index that notes, on every search, OpenMP's thread count in the searching thread."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seen: list[tuple[int, int]] = []  # (thread id, omp max threads) per search

    @property
    def ntotal(self) -> int:
        return self.inner.ntotal

    def search(self, query, k):
        self.seen.append((threading.get_ident(), faiss.omp_get_max_threads()))
        return self.inner.search(query, k)


def test_a_search_runs_faiss_single_threaded_whatever_its_thread_was_set_to() -> None:
    fake = FakeEmbedder()
    vectors = fake.embed_passages(["土地要素保障", "融资担保增信", "化工园区安全等级"])
    recording = ThreadRecordingIndex(DenseIndex.build(vectors, fake.dim).faiss_index)
    dense = DenseIndex(recording)

    def request_thread() -> None:
        faiss.omp_set_num_threads(4)  # a thread whose OpenMP state says "many threads"
        dense.search(fake.embed_query("融资"), 2)

    worker = threading.Thread(target=request_thread)
    worker.start()
    worker.join()
    assert [threads for _, threads in recording.seen] == [1]


def recording_loader(recorders: list[ThreadRecordingIndex]):
    """``load_index`` with each collection's faiss index wrapped in a ThreadRecordingIndex."""
    def load(index_dir: Path) -> LoadedIndex:
        index = load_index(index_dir)
        for col in index.collections.values():
            recorders.append(ThreadRecordingIndex(col.dense.faiss_index))
            col.dense = DenseIndex(recorders[-1])
        return index
    return load


def test_faiss_runs_single_threaded_in_the_servers_request_threads(unsplit_settings: Settings) -> None:
    recorders: list[ThreadRecordingIndex] = []
    with TestClient(create_app(unsplit_settings)) as client:
        client.app.state.engine = SearchEngine(unsplit_settings, loader=recording_loader(recorders))
        for query in ("招商引资", "财政资金", "营商环境"):
            assert client.get("/search", params={"q": query}).status_code == 200
    seen = [s for r in recorders for s in r.seen]
    assert seen, "no FAISS search ran"
    assert {thread for thread, _ in seen} != {threading.get_ident()}  # request threads, not this one
    assert {threads for _, threads in seen} == {1}


# ----------------------------------------------------------------------------- one load per generation


def publish_generation(index_dir: Path, generation: str) -> None:
    write_index(index_dir, *tiny_index(generation, tuple(COLLECTIONS)))


class CountingLoader:
    """``load_index`` that counts its calls and, while ``gate`` is closed, holds each load."""

    def __init__(self) -> None:
        self.calls = 0
        self.loading = threading.Event()
        self.gate = threading.Event()
        self._count = threading.Lock()

    def __call__(self, index_dir: Path) -> LoadedIndex:
        with self._count:
            self.calls += 1
        self.loading.set()
        assert self.gate.wait(10), "the test never opened the gate"
        return load_index(index_dir)


def served_names(engine: SearchEngine, threads: int) -> tuple[list[str], list[threading.Thread]]:
    """Generation folder names ``engine.served()`` gave ``threads`` threads started at once."""
    names: list[str] = []
    start = threading.Barrier(threads)

    def ask() -> None:
        start.wait()
        names.append(engine.served().name)

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for w in workers:
        w.start()
    return names, workers


def test_a_new_generation_is_loaded_once_and_swapped_while_others_answer(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, embedding_model="fake")
    publish_generation(settings.index_dir, "g1")
    loader = CountingLoader()
    engine = SearchEngine(settings, loader=loader)

    # first load: nothing to answer from, so every thread waits for the one load
    names, workers = served_names(engine, 8)
    assert loader.loading.wait(5)
    loader.gate.set()
    for w in workers:
        w.join(10)
    assert names == ["gen-g1"] * 8 and loader.calls == 1

    # a build publishes g2: the first query to see it starts one load in the background and,
    # like every query meanwhile, answers from g1
    publish_generation(settings.index_dir, "g2")
    loader.gate.clear()
    loader.loading.clear()
    assert engine.served().name == "gen-g1"
    assert loader.loading.wait(5)
    names, workers = served_names(engine, 8)
    for w in workers:
        w.join(5)
    assert names == ["gen-g1"] * 8 and loader.calls == 2  # nobody waited, nobody loaded a copy
    loader.gate.set()
    deadline = time.monotonic() + 10
    while engine.served().name != "gen-g2" and time.monotonic() < deadline:
        time.sleep(0.01)
    names, workers = served_names(engine, 8)
    for w in workers:
        w.join(10)
    assert names == ["gen-g2"] * 8 and loader.calls == 2

    # a build run by the serving process itself waits for its generation (reload)
    publish_generation(settings.index_dir, "g3")
    assert engine.reload().name == "gen-g3" and engine.served().name == "gen-g3"
    assert loader.calls == 3


def test_an_unreadable_new_generation_leaves_the_old_one_answering(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, embedding_model="fake")
    publish_generation(settings.index_dir, "g1")
    loader = CountingLoader()
    loader.gate.set()
    engine = SearchEngine(settings, loader=loader)
    assert engine.served().name == "gen-g1"
    publish_generation(settings.index_dir, "g2")
    (settings.index_dir / "gen-g2" / "cards.json").write_text("{not json", encoding="utf-8")
    for _ in range(50):  # queries keep coming while the background load fails
        assert engine.served().name == "gen-g1"
        time.sleep(0.01)
    assert loader.calls == 2  # tried once, not once per query
    assert engine.search("措施", k=1).hits  # and the old generation still answers


def test_the_serving_bench_measures_an_index_in_process(unsplit_settings: Settings) -> None:
    from bench.serving import in_process

    measured = in_process(unsplit_settings.data_dir, reps=1)
    assert measured["passages"] > 0 and measured["load_s"] >= 0 and measured["rss_after_load_mb"] > 0
    for mode in ("hybrid", "sparse"):
        assert measured[f"query_{mode}"]["n"] > 0 and measured[f"query_{mode}"]["p50_ms"] > 0
