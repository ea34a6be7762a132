"""How a build's files are worked on and stored: each file in a worker process under its
budget (several workers for a big batch, or on Ray), results back in input order, and written to
the registry a few documents per transaction by the building process alone.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.registry.build_report import BuildFailure, BuildItem, BuildReport, Status
from pipeline.budget import FileBudget, crash_error, within_budget
from pipeline.errors import ResourceLimitError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from extractors.registry.store import DocumentRows, Registry


def one_line(text: str) -> str:
    return " ".join(str(text).split())


# How much parsing a byte of each format costs, relative to a byte of plain text. A text-layer
# PDF packs its text tightly (compressed streams, two-byte glyph ids) and every page goes
# through pdfium, so a PDF byte costs several times a text byte (``bench.run --only
# pdf_workers`` against ``build_workers``). The weight only decides when a batch is big enough
# to share among workers: a round figure serves.
PARSE_COST_PER_BYTE = {".pdf": 4}


def work_bytes(paths: list[Path]) -> int:
    """The batch's size in text-equivalent bytes: what ``parallel_min_bytes`` is compared with."""
    size = 0
    for path in paths:
        with contextlib.suppress(OSError):
            size += path.stat().st_size * PARSE_COST_PER_BYTE.get(path.suffix.lower(), 1)
    return size


def worker_count(settings: Settings, paths: list[Path]) -> int:
    """How many worker processes share the batch (1 with a per-file budget is still a worker
    process: see ``run_per_file``)."""
    from pipeline.parallel import usable_cpus

    wanted = settings.build_workers or usable_cpus()
    if wanted <= 1 or len(paths) < 2:
        return 1
    return min(wanted, len(paths)) if work_bytes(paths) >= settings.parallel_min_bytes else 1


def run_per_file(todo: list[tuple[Path, str]], settings: Settings, work: Callable[..., list[Any]],
               on_wait: Callable[[], None] | None = None) -> Iterator[list[Any]]:
    """``work`` (``_parse_and_extract_item``: registry rows; ``_documents_in_item``: documents)
    of each (path, fingerprint), in order. With a per-file budget (the default) every file is
    read in a worker process under it (``pipeline.budget``), several workers for big batches;
    without one, small batches stay in this process. The registry is written by this process
    only; ``on_wait`` runs before waiting on a file that is not done."""
    from pipeline.parallel import WorkerCrash, map_in_order

    budget = FileBudget.from_settings(settings)
    work = functools.partial(work, settings=settings)
    if settings.build_ray:
        from extractors.registry.ray_build import ray_map_in_order

        # the per-file budget applies where Ray runs a task in its worker's main thread
        results = ray_map_in_order(work, todo, settings)
    else:
        workers = worker_count(settings, [p for p, _ in todo])
        results = map_in_order(work, todo, workers, isolate=budget.enabled, on_wait=on_wait)
    for (path, _), result in zip(todo, results):
        if isinstance(result, WorkerCrash):
            yield [BuildFailure(str(path), one_line(crash_error(path, budget, result.exitcode).message))]
        else:
            yield result


def within_file_budget(path: Path, settings: Settings, work: Callable[[], list[Any]]) -> list[Any]:
    """``work()`` under the file's budget when there is one (then this is a worker process)."""
    budget = FileBudget.from_settings(settings)
    if not budget.enabled:
        return work()
    try:
        return within_budget(path, budget, work)
    except ResourceLimitError as exc:
        return [BuildFailure(str(path), one_line(exc.message))]


class BatchWriter:
    """A build's registry writes: a few documents per transaction (a commit costs about as much
    as a document's rows), flushed at BATCH documents or after MAX_WAIT_S, so a crash loses at
    most a second of work and never leaves a document half-written."""

    BATCH = 16
    MAX_WAIT_S = 1.0

    def __init__(self, registry: Registry, stored: dict[str, str], report: BuildReport,
                 by_path: dict[str, list[str]]) -> None:
        self._registry, self._stored, self._report = registry, stored, report
        self._by_path = by_path  # resolved path → the doc_ids stored from it
        self._replaces: dict[str, tuple[str, ...]] = {}  # new doc_id → the previous versions it replaces
        self._pending: list[tuple[Path, DocumentRows]] = []
        self._new: set[str] = set()  # doc_ids neither stored before this build nor queued since
        self._queued: set[str] = set()
        self._since = 0.0

    def add(self, path: Path, results: list[DocumentRows | BuildFailure]) -> None:
        for result in results:
            if isinstance(result, BuildFailure):
                report_failure(self._report, result)
                return  # as before: a file with a failed part stores nothing after it
            if result.doc_id not in self._stored and result.doc_id not in self._queued:
                self._new.add(result.doc_id)
            previous = tuple(d for d in self._by_path.get(str(path.resolve()), ())
                             if d != result.doc_id and d not in self._queued)
            if len(results) == 1 and previous:
                self._replaces[result.doc_id] = previous  # the same file, changed: a new version
            self._queued.add(result.doc_id)
            if not self._pending:
                self._since = time.monotonic()
            self._pending.append((path, result))
        if len(self._pending) >= self.BATCH or time.monotonic() - self._since >= self.MAX_WAIT_S:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        replaces = {rows.doc_id: self._replaces[rows.doc_id] for _, rows in batch if rows.doc_id in self._replaces}
        failed = self._registry.store_many([rows for _, rows in batch], new=self._new, replaces=replaces)
        for path, rows in batch:
            if rows.doc_id in failed:
                report_failure(self._report, BuildFailure(str(path), one_line(failed[rows.doc_id].message)))
                continue
            old = ", ".join(self._replaces.get(rows.doc_id, ()))
            status: Status = "updated" if rows.doc_id in self._stored or old else "added"
            self._report.items.append(BuildItem(str(path), rows.doc_id, rows.title, status,
                                                len(rows.tasks), rows.assigned, len(rows.targets), old))


def report_failure(report: BuildReport, failure: BuildFailure) -> None:
    report.failed.append(failure)
    print(failure.message, file=sys.stderr, flush=True)  # every message names its file
