"""Schema migrations: a registry made by an older taizhang is upgraded in place when opened,
without losing a row, on SQLite and on PostgreSQL; a fresh database and an upgraded one end up
with the same schema, the models' own; a failed migration leaves the database as it was; a
database newer than this taizhang is refused with a message."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, inspect, insert, select, text
from sqlalchemy.engine import Engine

from extractors.registry.migrations import (
    LATEST_VERSION, MIGRATIONS, Migration, create_first_schema, migrate, schema_transaction, schema_version,
)
from extractors.registry.rows import document_rows
from extractors.registry.store import Registry
from extractors.registry.tables import Base, make_engine
from extractors.registry.version_links import VersionLinkBase
from extractors.tracking.tables import TrackingBase
from pipeline.errors import RegistryError
from pipeline.settings import Settings
from tests.extractors.test_registry import make_ledger

_FORK = multiprocessing.get_context("fork")
LONG_ID = "关于印发" + "某某" * 126 + "-2025"  # 259 characters: a version-1 PostgreSQL refused it


def make_first_version_registry(engine: Engine, doc_ids: tuple[str, ...] = ("old-a", "old-b")) -> dict:
    """A registry as taizhang made it before migrations were recorded: the first schema (made
    by ``create_all``, VARCHAR limits included), its state row, and two documents' rows.
    Returns what was stored, to compare with what the upgraded registry gives back."""
    with engine.begin() as conn:
        create_first_schema(conn)
        tables = MetaData()
        tables.reflect(conn)
        conn.execute(insert(tables.tables["registry_state"]).values(
            id=1, schema_version=1, epoch="oldepoch0001", generation=len(doc_ids)))
        stored: dict = {"tasks": [], "targets": [], "documents": list(doc_ids)}
        for doc_id in doc_ids:
            doc, tasks, targets = make_ledger(doc_id)
            rows = document_rows(doc, tasks, targets, fingerprint=f"fp-{doc_id}")
            conn.execute(insert(tables.tables["documents"]),
                         [{**rows.document, "updated_at": dt.datetime(2025, 1, 2, tzinfo=dt.UTC)}])
            conn.execute(insert(tables.tables["tasks"]), rows.tasks)
            conn.execute(insert(tables.tables["task_units"]), rows.units)
            conn.execute(insert(tables.tables["targets"]), rows.targets)
            stored["tasks"] += tasks
            stored["targets"] += targets
    return stored


def recorded_versions(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version FROM schema_migrations ORDER BY version")).scalars())


MODEL_TABLES = {**Base.metadata.tables, **VersionLinkBase.metadata.tables, **TrackingBase.metadata.tables}


def schema_of(engine: Engine) -> dict[str, tuple[frozenset, frozenset]]:
    """Per table of the models: its column names and its index names (with their columns)."""
    found = inspect(engine)
    return {table: (frozenset(c["name"] for c in found.get_columns(table)),
                    frozenset((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)))
            for table in MODEL_TABLES}


def models_schema() -> dict[str, tuple[frozenset, frozenset]]:
    return {name: (frozenset(table.columns.keys()),
                   frozenset((i.name, tuple(c.name for c in i.columns)) for i in table.indexes))
            for name, table in MODEL_TABLES.items()}


def assert_upgraded_without_loss(registry: Registry, stored: dict) -> None:
    assert [d.doc_id for d in registry.documents()] == sorted(stored["documents"])
    assert registry.tasks() == sorted(stored["tasks"], key=lambda t: (t.doc_id, t.task_id))
    assert registry.targets() == sorted(stored["targets"], key=lambda t: (t.doc_id, t.target_id))
    assert registry.generation() == f"oldepoch0001-{len(stored['documents'])}"  # epoch and count kept
    assert {u.canonical for u in registry.units()} >= {"市经济和信息化局", "市发展和改革委员会"}
    lead = registry.tasks(unit="市经济和信息化局", role="lead")  # served by migration 3's index
    assert {t.doc_id for t in lead} == set(stored["documents"])


# ----------------------------------------------------------------------------- SQLite


def test_a_first_version_sqlite_file_is_upgraded_in_place_without_losing_rows(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.registry_url)
    stored = make_first_version_registry(engine)
    with engine.connect() as conn:
        assert schema_version(conn) == 1
    inode = Path(engine.url.database).stat().st_ino
    engine.dispose()

    with Registry.open(settings) as registry:
        assert_upgraded_without_loss(registry, stored)
        registry.store(document_rows(*make_ledger("new-c"), fingerprint="fp"))  # and it takes writes
        assert registry.generation() == "oldepoch0001-3"
        assert Path(registry.engine.url.database).stat().st_ino == inode  # the same file
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]
        assert schema_of(registry.engine) == models_schema()
        with registry.engine.connect() as conn:
            assert conn.execute(text("SELECT schema_version FROM registry_state")).scalar() == LATEST_VERSION


def test_a_fresh_database_gets_every_migration_and_the_models_schema(tmp_path: Path) -> None:
    with Registry.open(Settings(data_dir=tmp_path)) as registry:
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]
        assert schema_of(registry.engine) == models_schema()
        assert registry.generation().endswith("-0")
    with Registry.open(Settings(data_dir=tmp_path)) as registry:  # opening again changes nothing
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]


def _open(url: str, start: float, out) -> None:
    time.sleep(max(0.0, start - time.time()))
    try:
        Registry(make_engine(url)).close()
        out.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        out.put(f"{exc.__class__.__name__}: {exc}")


def _open_at_once(url: str, processes: int = 4) -> list[str]:
    out = _FORK.Queue()
    start = time.time() + 0.5
    procs = [_FORK.Process(target=_open, args=(url, start, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    return sorted(out.get(timeout=5) for _ in procs)


def test_processes_opening_an_old_sqlite_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.registry_url)
    stored = make_first_version_registry(engine)
    engine.dispose()
    assert _open_at_once(settings.registry_url) == ["ok"] * 4
    with Registry.open(settings) as registry:
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]
        assert_upgraded_without_loss(registry, stored)


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    Registry.open(settings).close()
    engine = make_engine(settings.registry_url)

    def half_then_fail(conn) -> None:
        Table("half_made", MetaData(), Column("id", Integer, primary_key=True)).create(conn)
        conn.execute(text("UPDATE registry_state SET generation = 99"))
        raise RuntimeError("the migration broke halfway")

    broken = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "breaks", half_then_fail))
    with pytest.raises(RuntimeError, match="halfway"):
        with schema_transaction(engine) as conn:
            migrate(conn, broken)
    assert "half_made" not in inspect(engine).get_table_names()
    assert recorded_versions(engine) == [m.version for m in MIGRATIONS]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT generation FROM registry_state")).scalar() == 0
    engine.dispose()


def test_a_database_from_a_newer_taizhang_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with Registry.open(settings) as registry, registry.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_migrations VALUES (:v, 'from the future', :t)"),
                     {"v": LATEST_VERSION + 5, "t": dt.datetime.now(dt.UTC)})
    said = rf"结构版本 {LATEST_VERSION + 5}，本版本只认识到 {LATEST_VERSION}.*请升级 taizhang"
    with pytest.raises(RegistryError, match=said):
        Registry.open(settings)


# ----------------------------------------------------------------------------- PostgreSQL


def test_a_first_version_postgresql_registry_is_upgraded_and_takes_long_ids(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    stored = make_first_version_registry(engine)
    with engine.begin() as conn, pytest.raises(Exception, match="too long"):
        conn.execute(text("UPDATE documents SET doc_id = :long WHERE doc_id = 'old-a'"), {"long": LONG_ID})
    engine.dispose()

    assert _open_at_once(postgres_url) == ["ok"] * 4  # replicas opening it at once
    with Registry(make_engine(postgres_url)) as registry:
        assert_upgraded_without_loss(registry, stored)
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]
        assert schema_of(registry.engine) == models_schema()
        types = {c["name"]: str(c["type"]) for c in inspect(registry.engine).get_columns("documents")}
        assert types["doc_id"] == types["fingerprint"] == "TEXT"
        registry.store(document_rows(*make_ledger(LONG_ID), fingerprint="fp"))
        assert LONG_ID in {d.doc_id for d in registry.documents()}
        with registry.engine.connect() as conn:
            assert conn.execute(select(Base.metadata.tables["documents"].c.doc_id)
                                .where(Base.metadata.tables["documents"].c.doc_id == LONG_ID)).scalar() == LONG_ID


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_tracked_registry_from_before_migration_5_keeps_its_corrections(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Before version 5 the tracking store made its own tables (``create_all``): a registry
    that had corrections then is at version 4 with the tables present; opening it records
    version 5 and keeps every row. (A registry never tracked gets the tables: the first-version
    tests above compare the whole schema with the models'.)"""
    from extractors.tracking.model import Correction, Origin
    from extractors.tracking.tables import TrackingStore

    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    settings = Settings(data_dir=tmp_path, db_url=url)
    correction = Correction(task_id="d:1", doc_id="d", field="lead", before="甲", after="乙",
                            source_text="原文", char_start=0, char_end=2,
                            origin=Origin(file="a.xlsx", sheet="任务分工表", row=2, column="牵头单位(E)"),
                            created_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    with Registry.open(settings) as registry:
        TrackingStore(registry).record_import([correction], [])
        with registry.engine.begin() as conn:  # as a taizhang of version 4 left it
            conn.execute(text("DELETE FROM schema_migrations WHERE version >= 5"))
            conn.execute(text("UPDATE registry_state SET schema_version = 4"))
        with registry.engine.connect() as conn:
            assert schema_version(conn) == 4
    with Registry.open(settings) as registry:
        assert recorded_versions(registry.engine) == [m.version for m in MIGRATIONS]
        assert schema_of(registry.engine) == models_schema()
        assert [c.after for c in TrackingStore(registry).corrections()] == ["乙"]
