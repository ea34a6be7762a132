"""The registry's SQL tables and the engine that opens them.

Each object is stored twice: as its pydantic JSON (the source of truth, so a reload gives back an
equal object and a Decimal stays exactly what was written) and as a few plain columns used for
filtering and counting. Only portable types: text columns are ``Text``, never ``VARCHAR(n)``,
which PostgreSQL enforces and SQLite ignores. ``migrations.py`` brings an older database to
these tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    doc_id: Mapped[str] = mapped_column(Text, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None]
    doc_type: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    source_path: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(16))
    raw_sha256: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)
    meta_json: Mapped[str] = mapped_column(Text)
    document_json: Mapped[str] = mapped_column(Text, deferred=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TaskRow(Base):
    __tablename__ = "tasks"

    task_id: Mapped[str] = mapped_column(Text, primary_key=True)
    doc_id: Mapped[str] = mapped_column(
        Text, ForeignKey("documents.doc_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order within the document
    number: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    has_lead: Mapped[bool] = mapped_column(Boolean)
    assigned: Mapped[bool] = mapped_column(Boolean)
    deadline_year: Mapped[int | None] = mapped_column(Integer, index=True)
    task_json: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_tasks_doc_position", "doc_id", "position"),)  # migration 3


class TaskUnitRow(Base):
    __tablename__ = "task_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tasks.task_id", ondelete="CASCADE"), index=True
    )
    doc_id: Mapped[str] = mapped_column(Text, index=True)
    canonical: Mapped[str] = mapped_column(Text, index=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), index=True)
    known: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_task_units_canonical_task", "canonical", "task_id", "role"),
                      Index("ix_task_units_role_task", "role", "task_id"))  # migration 3


class TargetRow(Base):
    __tablename__ = "targets"

    target_id: Mapped[str] = mapped_column(Text, primary_key=True)
    doc_id: Mapped[str] = mapped_column(
        Text, ForeignKey("documents.doc_id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    comparator: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text)  # Decimal as written by str()
    value_max: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    target_json: Mapped[str] = mapped_column(Text)


class DocumentReplacementRow(Base):
    """A file's older version and the document that replaced it. The build removes the old
    version's rows; this row says where its line went, so what people attached to the old
    version (the secretariat's corrections) can follow it to the new one."""

    __tablename__ = "document_replacements"

    old_doc_id: Mapped[str] = mapped_column(Text, primary_key=True)
    new_doc_id: Mapped[str] = mapped_column(Text, index=True)
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RegistryState(Base):
    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    epoch: Mapped[str] = mapped_column(String(32))  # new for every fresh database
    generation: Mapped[int] = mapped_column(Integer)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")  # a build and the API may write/read at once
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, the folder is created and the pragmas set per connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
