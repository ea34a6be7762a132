"""The task registry: documents, measures (Task), unit mentions and targets in one database.

SQLite by default (``Settings.registry_url``, WAL journal, foreign keys on); a ``postgresql://``
URL works unchanged (the tables: ``tables.py``; a document's rows: ``rows.py``).

Every write runs in ONE transaction that also bumps ``registry_state.generation``: a crash
leaves the old rows or the new ones, never half, and an index built at generation *g* can tell
it is stale by comparing with ``Registry.generation()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from extractors.registry.migrations import (
    LATEST_VERSION,
    NewerSchemaError,
    migrate,
    schema_transaction,
    schema_version,
)
from extractors.registry.rows import DocumentRows, document_rows
from extractors.registry.tables import (
    DocumentReplacementRow,
    DocumentRow,
    RegistryState,
    TargetRow,
    TaskRow,
    TaskUnitRow,
    make_engine,
)
from extractors.registry.version_links import (
    VersionLink,
    drop_links,
    read_links,
    record_link,
    repoint_links,
)
from pipeline.errors import RegistryError
from pipeline.model import Document, DocumentMeta, Target, Task
from pipeline.settings import Settings

ROLES = ("lead", "supporting", "unassigned")


class UnitLoad(BaseModel):
    """How much one unit carries: measures it leads, supports, or is named in without a role."""

    model_config = ConfigDict(frozen=True)

    canonical: str
    names_as_written: list[str]
    lead_count: int
    supporting_count: int
    unassigned_count: int


class DocStats(NamedTuple):
    measures: int
    assigned: int
    targets: int


class Registry:
    """The ledger store. Cheap to open; thread-safe (one session per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._init_schema()

    @classmethod
    def open(cls, settings: Settings) -> Registry:
        try:
            return cls(make_engine(settings.registry_url))
        except SQLAlchemyError as exc:
            raise RegistryError(
                settings.registry_url, f"cannot open the registry: {exc.__class__.__name__}: {exc}",
                "check --data-dir / TAIZHANG_DB_URL and that the database is reachable",
            ) from exc

    @property
    def engine(self) -> Engine:
        """The engine, for stores that keep their own tables in the same database (tracking)."""
        return self._engine

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _init_schema(self) -> None:
        """Bring the database to the newest schema (``migrations.py``: ordered migrations, one
        transaction, under the advisory lock on PostgreSQL so processes opening an empty database
        at once wait for the first instead of racing on CREATE TABLE) and make its state row.
        An up-to-date database is only read."""
        state = RegistryState.__table__
        try:
            with self._engine.connect() as conn:
                if schema_version(conn) == LATEST_VERSION and conn.execute(
                        select(state.c.schema_version).where(state.c.id == 1)).scalar() == LATEST_VERSION:
                    return
            with schema_transaction(self._engine) as conn:
                migrate(conn)
                if conn.execute(select(state.c.id).where(state.c.id == 1)).first() is None:
                    conn.execute(insert(state).values(id=1, schema_version=LATEST_VERSION,
                                                      epoch=uuid.uuid4().hex[:12], generation=0))
                else:  # the version an older taizhang checks (and refuses: it would misread it)
                    conn.execute(update(state).where(state.c.id == 1).values(schema_version=LATEST_VERSION))
        except NewerSchemaError as exc:
            raise RegistryError.because(self.url, "registry_newer_schema", found=exc.found,
                                        known=exc.known) from exc

    # ---------------------------------------------------------------------------------- writes

    def replace_document(
        self, doc: Document, tasks: Sequence[Task], targets: Sequence[Target], fingerprint: str
    ) -> None:
        """Replace everything stored for ``doc.doc_id`` in one transaction."""
        self.store(document_rows(doc, tasks, targets, fingerprint))

    def store(self, rows: DocumentRows, replaces: Sequence[str] = ()) -> None:
        """Replace everything stored for ``rows.doc_id`` with ``rows``, in one transaction (which
        also removes the documents ``replaces`` names: older versions of the same file)."""
        try:
            self._write([rows], new=frozenset(), replaces={rows.doc_id: tuple(replaces)})
        except SQLAlchemyError as exc:
            raise RegistryError.because(rows.source_path, "could_not_store", doc_id=rows.doc_id,
                                        detail=f"{exc.__class__.__name__}: {exc}") from exc

    def store_many(self, batch: Sequence[DocumentRows], new: Iterable[str] = (),
                   replaces: Mapping[str, Sequence[str]] | None = None) -> dict[str, RegistryError]:
        """Store several documents in ONE transaction (a build's batch: each commit costs about
        as much as writing a document), each still replacing its old rows completely.

        new: doc_ids the caller knows the registry does not hold (not there when its build
            started, not written since): their deletes are skipped. A guess that turns out
            wrong (another writer got there first) costs a retry, not a wrong row.
        replaces: doc_id → the documents it replaces (an older version of the same file),
            removed in the same transaction as it is written.
        Returns doc_id → why, for the documents that could not be stored: if the batch fails,
        each document is retried in its own transaction, so one bad document costs only itself.
        """
        if not batch:
            return {}
        replaces = replaces or {}
        try:
            self._write(batch, new=frozenset(new), replaces=replaces)
            return {}
        except SQLAlchemyError:
            pass
        failures = {}
        for rows in batch:
            try:
                self.store(rows, replaces.get(rows.doc_id, ()))
            except RegistryError as exc:
                failures[rows.doc_id] = exc
        return failures

    def _write(self, batch: Sequence[DocumentRows], new: frozenset[str],
               replaces: Mapping[str, Sequence[str]]) -> None:
        now = dt.datetime.now(dt.UTC)
        with self._engine.begin() as conn:
            for rows in batch:
                if rows.doc_id not in new:
                    self._delete_rows(conn, rows.doc_id)
                replaced = DocumentReplacementRow.__table__
                older = [old for old in replaces.get(rows.doc_id, ()) if old != rows.doc_id]
                # a version that comes back (a file reverted) is current again, not replaced
                conn.execute(delete(replaced).where(replaced.c.old_doc_id.in_([rows.doc_id, *older])))
                for old in older:
                    repoint_links(conn, old, rows.doc_id)  # a person's version links follow the file
                    self._delete_rows(conn, old)
                    conn.execute(insert(replaced).values(old_doc_id=old, new_doc_id=rows.doc_id, replaced_at=now))
                conn.execute(insert(DocumentRow.__table__), [{**rows.document, "updated_at": now}])
                self._insert_tasks(conn, rows.tasks, rows.units)
                self._insert_targets(conn, rows.targets)
                if rows.version_of is not None:
                    record_link(conn, rows.doc_id, rows.version_of, now)
            self._bump(conn)

    def remove_document(self, doc_id: str) -> None:
        self.remove_documents([doc_id])

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Remove each of ``doc_ids`` with all its rows, in one transaction."""
        with self._engine.begin() as conn:
            for doc_id in doc_ids:
                drop_links(conn, doc_id)
                self._delete_rows(conn, doc_id)
            self._bump(conn)

    def link_version(self, doc_id: str, previous_id: str) -> None:
        """Record that ``doc_id`` is a later version of ``previous_id`` (both registered)."""
        _, found = self.present((), (doc_id, previous_id))
        missing = sorted({doc_id, previous_id} - found)
        if missing:
            raise RegistryError(missing[0], "任务台账中没有这个文件编号", "用 taizhang versions 或 export --format json 查看编号")
        with self._engine.begin() as conn:
            record_link(conn, doc_id, previous_id, dt.datetime.now(dt.UTC))
            self._bump(conn)

    def move_source(self, doc_id: str, source_path: str) -> None:
        """The file of ``doc_id`` (same bytes) now lives at ``source_path``: a moved file."""
        doc = self.document(doc_id)
        if doc is None:
            return
        moved = doc.model_copy(update={"source_path": source_path})
        table = DocumentRow.__table__
        with self._engine.begin() as conn:
            conn.execute(update(table).where(table.c.doc_id == doc_id).values(
                source_path=source_path, document_json=moved.model_dump_json()))
            self._bump(conn)

    # Core statements on a connection, not the ORM session: a build writes thousands of rows per
    # second and the unit of work is the larger part of that cost.
    @staticmethod
    def _delete_rows(conn: Connection, doc_id: str) -> None:
        # children first: correct with or without ON DELETE CASCADE being enforced
        for table in (TaskUnitRow, TaskRow, TargetRow, DocumentRow):
            conn.execute(delete(table.__table__).where(table.__table__.c.doc_id == doc_id))

    @staticmethod
    def _insert_tasks(conn: Connection, tasks: list[dict[str, Any]], units: list[dict[str, Any]]) -> None:
        if tasks:
            conn.execute(insert(TaskRow.__table__), tasks)
        if units:
            conn.execute(insert(TaskUnitRow.__table__), units)

    @staticmethod
    def _insert_targets(conn: Connection, targets: list[dict[str, Any]]) -> None:
        if targets:
            conn.execute(insert(TargetRow.__table__), targets)

    @staticmethod
    def _bump(conn: Connection) -> None:
        state = RegistryState.__table__
        conn.execute(update(state).where(state.c.id == 1).values(generation=state.c.generation + 1))

    # ----------------------------------------------------------------------------------- reads

    def generation(self) -> str:
        """Changes whenever registry content changes (also across a deleted and rebuilt database)."""
        with self._sessions() as s:
            state = s.get(RegistryState, 1)
            return f"{state.epoch}-{state.generation}" if state else "none"

    def document_hashes(self) -> dict[str, str]:
        with self._sessions() as s:
            return dict(s.execute(select(DocumentRow.doc_id, DocumentRow.fingerprint)).all())

    def version_links(self) -> list[VersionLink]:
        """The version links people recorded (``--as-version-of``), oldest first."""
        with self._engine.connect() as conn:
            return read_links(conn)

    def source_paths(self) -> dict[str, str]:
        """doc_id → the path the document was read from (as given at build time)."""
        with self._sessions() as s:
            return dict(s.execute(select(DocumentRow.doc_id, DocumentRow.source_path)).all())

    def current_versions(self) -> dict[str, str]:
        """Replaced doc_id → the doc_id of its latest version in the registry now (following
        every replacement since), for each replaced document whose line still has one."""
        with self._sessions() as s:
            links = dict(s.execute(select(DocumentReplacementRow.old_doc_id, DocumentReplacementRow.new_doc_id)).all())
            present = set(s.scalars(select(DocumentRow.doc_id)).all())
        current: dict[str, str] = {}
        for old, new in links.items():
            seen = {old}
            while new not in present and new in links and new not in seen:
                seen.add(new)
                new = links[new]
            if new in present:
                current[old] = new
        return current

    def documents(self) -> list[DocumentMeta]:
        with self._sessions() as s:
            rows = s.scalars(select(DocumentRow.meta_json).order_by(DocumentRow.doc_id)).all()
        return [DocumentMeta.model_validate_json(r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        with self._sessions() as s:
            blob = s.scalar(select(DocumentRow.document_json).where(DocumentRow.doc_id == doc_id))
        return Document.model_validate_json(blob) if blob is not None else None

    def tasks(self, doc_id: str | None = None, unit: str | None = None,
              role: str | None = None, without: Collection[str] = ()) -> list[Task]:
        """Measures in document order; ``unit`` is a canonical name, ``role`` lead|supporting|unassigned;
        ``without``: doc_ids left out (older versions the ledger does not list)."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        query = select(TaskRow.task_json).order_by(TaskRow.doc_id, TaskRow.position)
        if doc_id is not None:
            query = query.where(TaskRow.doc_id == doc_id)
        if without:
            query = query.where(TaskRow.doc_id.not_in(sorted(without)))
        if unit is not None or role is not None:
            mention = select(TaskUnitRow.id).where(TaskUnitRow.task_id == TaskRow.task_id)
            if unit is not None:
                mention = mention.where(TaskUnitRow.canonical == unit)
            if role is not None:
                mention = mention.where(TaskUnitRow.role == role)
            query = query.where(exists(mention))
        with self._sessions() as s:
            rows = s.scalars(query).all()
        return [Task.model_validate_json(r) for r in rows]

    def present(self, task_ids: Iterable[str], doc_ids: Iterable[str]) -> tuple[set[str], set[str]]:
        """Which of ``task_ids`` and of ``doc_ids`` the registry holds now."""
        tasks, docs = sorted(set(task_ids)), sorted(set(doc_ids))
        with self._sessions() as s:
            found_tasks = set(s.scalars(select(TaskRow.task_id).where(TaskRow.task_id.in_(tasks)))) if tasks else set()
            found_docs = set(s.scalars(select(DocumentRow.doc_id).where(DocumentRow.doc_id.in_(docs)))) if docs else set()
        return found_tasks, found_docs

    def task(self, task_id: str) -> Task | None:
        with self._sessions() as s:
            blob = s.scalar(select(TaskRow.task_json).where(TaskRow.task_id == task_id))
        return Task.model_validate_json(blob) if blob is not None else None

    def targets(self, doc_id: str | None = None) -> list[Target]:
        query = select(TargetRow.target_json).order_by(TargetRow.doc_id, TargetRow.position)
        if doc_id is not None:
            query = query.where(TargetRow.doc_id == doc_id)
        with self._sessions() as s:
            rows = s.scalars(query).all()
        return [Target.model_validate_json(r) for r in rows]

    def units(self, without: Collection[str] = ()) -> list[UnitLoad]:
        """Every canonical unit with its load, busiest first. Counts are measures, not mentions,
        of every document but ``without`` (doc_ids: older versions the ledger does not list)."""
        query = select(TaskUnitRow.canonical, TaskUnitRow.name, TaskUnitRow.role, TaskUnitRow.task_id)
        if without:
            query = query.where(TaskUnitRow.doc_id.not_in(sorted(without)))
        with self._sessions() as s:
            rows = s.execute(query).all()
        names: dict[str, set[str]] = defaultdict(set)
        per_role: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for canonical, name, role, task_id in rows:
            names[canonical].add(name)
            per_role[canonical][role].add(task_id)
        loads = [
            UnitLoad(
                canonical=c, names_as_written=sorted(names[c]),
                lead_count=len(per_role[c]["lead"]), supporting_count=len(per_role[c]["supporting"]),
                unassigned_count=len(per_role[c]["unassigned"]),
            )
            for c in names
        ]
        return sorted(loads, key=lambda u: (-(u.lead_count + u.supporting_count), -u.lead_count, u.canonical))

    def document_stats(self) -> dict[str, DocStats]:
        """doc_id → (measures, measures with a lead or supporting unit, targets), counted in SQL."""
        with self._sessions() as s:
            task_counts = s.execute(
                select(TaskRow.doc_id, TaskRow.assigned, func.count()).group_by(TaskRow.doc_id, TaskRow.assigned)
            ).all()
            target_counts = dict(s.execute(
                select(TargetRow.doc_id, func.count()).group_by(TargetRow.doc_id)
            ).all())
            doc_ids = s.scalars(select(DocumentRow.doc_id)).all()
        measures: Counter[str] = Counter()
        assigned: Counter[str] = Counter()
        for doc_id, is_assigned, n in task_counts:
            measures[doc_id] += n
            if is_assigned:
                assigned[doc_id] += n
        return {d: DocStats(measures[d], assigned[d], target_counts.get(d, 0)) for d in doc_ids}
