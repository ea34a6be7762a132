"""The tracking tables: one transaction per import (a failure midway leaves nothing), the
schema PostgreSQL accepts, the same store on PostgreSQL: the session's own server
(tests/conftest.py), or the one TAIZHANG_TEST_PG_URL names."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateTable

from extractors.registry.store import Registry
from extractors.registry.tables import Base, make_engine
from extractors.tracking import tables
from extractors.tracking.model import Correction, Origin, ProgressReport
from extractors.tracking.tables import TrackingBase, TrackingStore
from pipeline.errors import RegistryError
from pipeline.settings import Settings

PG_URL = os.environ.get("TAIZHANG_TEST_PG_URL")
NOW = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    if request.param == "postgresql":
        url = PG_URL or request.getfixturevalue("postgres_url")  # a fresh database, or a named one emptied
        engine = make_engine(url)
        TrackingBase.metadata.drop_all(engine)
        Base.metadata.drop_all(engine)
        engine.dispose()
        settings = Settings(data_dir=tmp_path, db_url=url)
    with Registry.open(settings) as registry:
        yield TrackingStore(registry)


def _correction(n: int) -> Correction:
    return Correction(task_id=f"d:{n}", doc_id="d", field="lead", before="甲", after="乙", source_text="原文",
                      char_start=0, char_end=2, origin=Origin(file="a.xlsx", sheet="任务分工表", row=n + 1,
                                                              column="牵头单位(E)"), created_at=NOW)


def _report(n: int) -> ProgressReport:
    return ProgressReport(task_id=f"d:{n}", unit="市财政局", status="推进中", progress="进展",
                          report_date=dt.date(2025, 5, n), origin=Origin(user="u"), created_at=NOW)


def test_corrections_and_reports_read_back_as_written(store: TrackingStore) -> None:
    store.record_import([_correction(1), _correction(2)], [_report(2), _report(1)], [("ab" * 32, "a.xlsx", "k")])
    got = store.corrections()
    assert [c.model_copy(update={"correction_id": None}) for c in got] == [_correction(1), _correction(2)]
    assert got[0].correction_id < got[1].correction_id
    assert [r.report_date.day for r in store.reports()] == [1, 2]  # by report date
    assert store.imported("ab" * 32) and not store.imported("cd" * 32)


def test_an_import_that_fails_midway_leaves_nothing(store: TrackingStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.record_import([_correction(1)], [])
    generation = store.registry.generation()

    row = tables._row

    def fail(record: Correction | ProgressReport) -> dict:
        if isinstance(record, ProgressReport):  # corrections already inserted, then this
            raise OperationalError("INSERT", {}, Exception("the disk is gone"))
        return row(record)

    monkeypatch.setattr(tables, "_row", fail)
    with pytest.raises(RegistryError, match="导入未写入"):
        store.record_import([_correction(2), _correction(3)], [_report(1)], [("ef" * 32, "b.xlsx", "k")])
    assert [c.task_id for c in store.corrections()] == ["d:1"]
    assert store.reports() == [] and not store.imported("ef" * 32)
    assert store.registry.generation() == generation


@pytest.mark.parametrize("model", sorted(tables.RECORD_TABLES, key=lambda m: m.__name__))
def test_each_record_is_its_table_declared_once(model: type) -> None:
    """A field added to the model and not to the table (or the reverse) fails here, not as a
    silently dropped value: rows are written and read by field name."""
    columns = set(tables.RECORD_TABLES[model].__table__.columns.keys())
    assert columns == set(model.model_fields) - {"origin"} | {"origin_json"}


@pytest.mark.parametrize("table", sorted(TrackingBase.metadata.tables))
def test_schema_compiles_for_postgresql(table: str) -> None:
    assert "CREATE TABLE" in str(CreateTable(TrackingBase.metadata.tables[table]).compile(dialect=postgresql.dialect()))
