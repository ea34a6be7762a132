"""Results stored as they come: a build's finished files are written in batches, each in one
transaction, so a slow or runaway file never holds back what is done; and each stored file is
checked for its old self (changed, renamed, moved) or a version the user named."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.registry.build_report import (
    BuildFailure,
    BuildItem,
    BuildReport,
    IdentityClash,
    Status,
)
from extractors.registry.identity import IdentityIndex

if TYPE_CHECKING:
    from extractors.registry.rows import DocumentRows
    from extractors.registry.store import Registry


def one_line(text: str) -> str:
    return " ".join(str(text).split())


class BatchWriter:
    """A build's registry writes: a few documents per transaction (a commit costs about as much
    as a document's rows), flushed at BATCH documents or after MAX_WAIT_S, so a crash loses at
    most a second of work and never leaves a document half-written."""

    BATCH = 16
    MAX_WAIT_S = 1.0

    def __init__(self, registry: Registry, stored: dict[str, str], report: BuildReport,
                 by_path: dict[str, list[str]], identity: IdentityIndex | None = None,
                 as_version_of: str | None = None, kept_versions: set[str] | None = None) -> None:
        self._registry, self._stored, self._report = registry, stored, report
        self._by_path = by_path  # resolved path → the doc_ids stored from it
        self._identity, self._as_version_of = identity, as_version_of
        self._kept_versions = kept_versions or set()  # never replaced: a person kept them
        self._because: dict[str, str] = {}  # new doc_id → why a file elsewhere was its old self
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
            if self._as_version_of is not None:  # the user keeps both and links them
                result = dataclasses.replace(result, version_of=self._as_version_of)
                previous = ()
            elif len(results) == 1 and not previous:
                previous = self._same_document(path, result)
            if len(results) == 1 and previous:
                self._replaces[result.doc_id] = previous  # the same file, changed: a new version
            self._queued.add(result.doc_id)
            if not self._pending:
                self._since = time.monotonic()
            self._pending.append((path, result))
        if len(self._pending) >= self.BATCH or time.monotonic() - self._since >= self.MAX_WAIT_S:
            self.flush()

    def _same_document(self, path: Path, rows: DocumentRows) -> tuple[str, ...]:
        """The registered document this file is (same bytes, 文号, or title + issuer) if that
        document's file is gone (renamed, moved); one whose file is still there is reported,
        not replaced."""
        if self._identity is None:
            return ()
        claimed = {old for olds in self._replaces.values() for old in olds} | self._kept_versions
        meta = rows.meta
        content = rows.document["fingerprint"].partition("+")[0]  # the file's sha256, as for the stored
        match = self._identity.match(meta, content, path, taken=claimed)
        self._identity.add(meta, content, path)
        if match is None:
            return ()
        if not match.file_exists:
            self._because[rows.doc_id] = match.label
            return (match.doc_id,)
        if match.same_status:  # a draft beside its final text is a version, not a copy
            self._report.clashes.append(IdentityClash(str(path), rows.doc_id, match.doc_id, match.label))
        return ()

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
                                                len(rows.tasks), rows.assigned, len(rows.targets), old,
                                                self._because.get(rows.doc_id, ""), rows.warnings))
            if rows.version_of is not None:
                self._report.linked.append((rows.doc_id, rows.version_of))


def report_failure(report: BuildReport, failure: BuildFailure) -> None:
    report.failed.append(failure)
    print(failure.message, file=sys.stderr, flush=True)  # every message names its file


def fill_unchanged(report: BuildReport, registry: Registry) -> None:
    """Counts and titles of unchanged documents, read from the registry (no JSON parsing)."""
    if not report.unchanged:
        return
    stats = registry.document_stats()
    titles = {m.doc_id: m.title for m in registry.documents()}
    report.items = [
        BuildItem(i.path, i.doc_id, titles.get(i.doc_id, ""), i.status, *stats.get(i.doc_id, (0, 0, 0)))
        if i.status == "unchanged" else i
        for i in report.items
    ]
