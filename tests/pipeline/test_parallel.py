"""Worker processes for big batches: same results, same order, a crashing input costs only itself."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from pipeline.parallel import WorkerCrash, map_in_order


def square(n: int) -> int:
    return n * n


def square_or_die(n: int) -> int:
    if n == 7:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer or a segfaulting library does
    return n * n


def pid_of_worker(_: int) -> int:
    return os.getpid()


def test_results_come_back_in_input_order() -> None:
    assert list(map_in_order(square, list(range(30)), workers=2, window=3)) == [n * n for n in range(30)]


def test_one_worker_runs_in_this_process() -> None:
    assert set(map_in_order(pid_of_worker, [1, 2, 3], workers=1)) == {os.getpid()}
    assert os.getpid() not in set(map_in_order(pid_of_worker, [1, 2, 3], workers=2))


def test_an_input_that_kills_its_worker_costs_only_itself() -> None:
    results = list(map_in_order(square_or_die, list(range(12)), workers=2))
    crashes = [r for r in results if isinstance(r, WorkerCrash)]
    assert [c.item for c in crashes] == [7]
    assert crashes[0].exitcode in (-signal.SIGKILL, None)  # None: reaped by another waiter first
    assert [r for r in results if not isinstance(r, WorkerCrash)] == [n * n for n in range(12) if n != 7]
    assert isinstance(results[7], WorkerCrash)


def test_stopping_early_leaves_no_worker_behind() -> None:
    import time

    results = map_in_order(pid_of_worker, list(range(100)), workers=2)
    worker = next(results)
    results.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"worker {worker} still runs after the caller stopped")


@pytest.mark.slow
def test_parallel_build_stores_what_a_sequential_build_stores(corpus_dir: Path, tmp_path: Path) -> None:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from pipeline.settings import Settings

    def build(name: str, workers: int) -> tuple[list, list]:
        settings = Settings(data_dir=tmp_path / name, build_workers=workers, parallel_min_bytes=0)
        report = build_registry([corpus_dir], settings, progress=False)
        assert not report.failed, report.failed
        with Registry.open(settings) as registry:
            tasks = [t.model_dump(mode="json") for t in registry.tasks()]
            targets = [t.model_dump(mode="json") for t in registry.targets()]
        return tasks, targets

    sequential, parallel = build("one", 1), build("two", 2)
    assert len(sequential[0]) > 40
    assert parallel == sequential
