"""Corrections, progress reports and imported files: tables in the registry's own database.

They sit beside the extraction's tables and are never touched by a build: a build replaces a
document's tasks, never a correction. Same engine, portable types, so a ``postgresql://``
registry URL serves them too. They are made, and will be changed, by the registry's ordered
migrations (``extractors/registry/migrations.py``, version 5), like every other table. Every import is written in ONE transaction that also bumps the
registry generation: a process killed mid-import leaves the old state or the new, never half
(tests/robustness/test_import_killed.py kills one at named points inside and after it).

A record model (``Correction``, ``ProgressReport``) and its table are declared once: the table's
columns are the model's fields by name (``origin`` stored as JSON), rows are written and read by
those names, and a test fails when the two drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Date, DateTime, Integer, String, Text, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipeline.errors import RegistryError
from pipeline.stop_points import stop_point

from extractors.registry.store import Registry
from extractors.registry.tables import RegistryState
from extractors.tracking.model import Correction, Origin, ProgressReport


class TrackingBase(DeclarativeBase):
    pass


class _Recorded:
    """The columns every record a person adds has: whose task, where from, when."""

    task_id: Mapped[str] = mapped_column(Text, index=True)
    origin_json: Mapped[str] = mapped_column(Text)  # ``Origin`` as JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CorrectionRow(_Recorded, TrackingBase):
    """A ``Correction``: its fields are these columns (``origin`` as ``origin_json``)."""

    __tablename__ = "corrections"

    correction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(Text, index=True)
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    source_text: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    task_json: Mapped[str | None] = mapped_column(Text)


class ProgressRow(_Recorded, TrackingBase):
    """A ``ProgressReport``: its fields are these columns (``origin`` as ``origin_json``)."""

    __tablename__ = "progress_reports"

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    report_date: Mapped[dt.date] = mapped_column(Date, index=True)


# each record model and its table, declared once above: the rows are read and written by name
RECORD_TABLES: dict[type[Correction] | type[ProgressReport], type[_Recorded]] = {
    Correction: CorrectionRow, ProgressReport: ProgressRow,
}
Record = TypeVar("Record", Correction, ProgressReport)
_KEYS = {Correction: "correction_id", ProgressReport: "report_id"}  # given by the database


class ImportedFileRow(TrackingBase):
    """Each workbook imported, by content hash: the same file twice changes nothing."""

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    corrections: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)


class TrackingStore:
    """Reads and writes the tracking tables through the registry's engine."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._engine = registry.engine  # its tables: made by the registry's migration 5

    @property
    def registry(self) -> Registry:
        return self._registry

    def epoch(self) -> str:
        """The registry's identity (new for every fresh database): a workbook carries it."""
        return self._registry.generation().partition("-")[0]

    # ------------------------------------------------------------------------------ writes

    def record_import(self, corrections: Sequence[Correction], reports: Sequence[ProgressReport],
                      files: Sequence[tuple[str, str, str]] = ()) -> None:
        """Store ``corrections`` and ``reports`` and note ``files`` ((sha256, name, kind)) in
        ONE transaction; the registry generation moves so the exports and index know."""
        now = dt.datetime.now(dt.UTC)
        try:
            with self._engine.begin() as conn:
                for records in (corrections, reports):
                    if records:
                        table = RECORD_TABLES[type(records[0])].__table__
                        conn.execute(insert(table), [_row(r) for r in records])
                for sha, name, kind in files:
                    conn.execute(insert(ImportedFileRow.__table__), [{
                        "sha256": sha, "name": name, "kind": kind, "imported_at": now,
                        "corrections": sum(c.origin.file_sha256 == sha for c in corrections),
                        "reports": sum(r.origin.file_sha256 == sha for r in reports),
                    }])
                _bump(conn)
                stop_point("import-before-commit")  # everything written, nothing committed
        except SQLAlchemyError as exc:
            raise RegistryError(self._registry.url, f"导入未写入：{exc.__class__.__name__}: {exc}",
                                "the registry still holds its state before the import") from exc
        stop_point("import-after-commit")

    # ------------------------------------------------------------------------------- reads

    def corrections(self) -> list[Correction]:
        """Every correction ever made, oldest first (the later of two on one field wins)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(CorrectionRow.__table__).order_by(CorrectionRow.correction_id)).all()
        return [_record(Correction, r) for r in rows]

    def reports(self, task_id: str | None = None) -> list[ProgressReport]:
        """Progress reports, oldest first by report date then by arrival."""
        query = select(ProgressRow.__table__).order_by(ProgressRow.report_date, ProgressRow.report_id)
        if task_id is not None:
            query = query.where(ProgressRow.task_id == task_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_record(ProgressReport, r) for r in rows]

    def imported(self, sha256: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(
                select(ImportedFileRow.id).where(ImportedFileRow.sha256 == sha256).limit(1)
            ).first() is not None


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time stored here was written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _bump(conn: Connection) -> None:
    state = RegistryState.__table__
    conn.execute(update(state).where(state.c.id == 1).values(generation=state.c.generation + 1))


def _row(record: Correction | ProgressReport) -> dict:
    """The table row of ``record``: its fields by name, the database's id left for it to give."""
    row = record.model_dump(exclude={"origin", _KEYS[type(record)]})
    row["origin_json"] = record.origin.model_dump_json()
    return row


def _record(model: type[Record], row: Row) -> Record:
    """The record a table row holds (times back in UTC: SQLite returns them naive)."""
    fields = dict(row._mapping)
    origin = Origin.model_validate_json(fields.pop("origin_json"))
    return model.model_validate({**fields, "origin": origin, "created_at": _utc(fields["created_at"])})
