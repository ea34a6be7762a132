"""PostgreSQL correctness of the registry, on the session's real server (tests/conftest.py):
schema creation by several processes at once, long ids and long unit names, the cross-process
build lock (on PostgreSQL and on a SQLite data dir), stale-index detection by generation."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from extractors.registry.locks import build_lock
from extractors.registry.rows import document_rows
from extractors.registry.store import Registry
from extractors.registry.tables import make_engine
from pipeline.model import UnitMention
from pipeline.settings import Settings
from tests.extractors.test_registry import make_ledger

_FORK = multiprocessing.get_context("fork")


def _open_registry(url: str, start: float, out) -> None:
    time.sleep(max(0.0, start - time.time()))  # all processes open the empty database at once
    try:
        Registry(make_engine(url)).close()
        out.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        out.put(f"{exc.__class__.__name__}: {exc}")


def test_processes_opening_an_empty_database_at_once_all_succeed(postgres_url: str) -> None:
    out = _FORK.Queue()
    start = time.time() + 0.5
    procs = [_FORK.Process(target=_open_registry, args=(postgres_url, start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert sorted(out.get(timeout=5) for _ in procs) == ["ok"] * 4
    with Registry(make_engine(postgres_url)) as registry:
        assert registry.generation().endswith("-0")  # one state row, written once


def test_long_ids_and_unit_names_are_stored_as_sqlite_stored_them(postgres_url: str, tmp_path: Path) -> None:
    long_id = "关于印发" + "某某" * 126 + "-2025"  # a long file name: 259 characters
    doc, tasks, targets = make_ledger(long_id)
    long_unit = "市" + "某" * 6000 + "局"
    first = tasks[0]
    mention = first.lead[0]
    tasks[0] = first.model_copy(update={"lead": (UnitMention(
        name=mention.name, canonical=long_unit, role="lead", span=mention.span),)})
    for url in (postgres_url, None):
        with Registry.open(Settings(data_dir=tmp_path, db_url=url)) as registry:
            registry.store(document_rows(doc, tasks, targets, "fp"))
            assert [m.doc_id for m in registry.documents()] == [long_id]
            assert long_unit in {u.canonical for u in registry.units()}


def _hold(who: str, settings: Settings, seconds: float, out) -> None:
    with build_lock(settings):
        out.put((who, "in", time.time()))
        time.sleep(seconds)
        out.put((who, "out", time.time()))  # taken before the lock is released


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_builds_on_one_store_take_turns(backend: str, tmp_path: Path, request) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    settings = Settings(data_dir=tmp_path, db_url=url)
    out = _FORK.Queue()
    first = _FORK.Process(target=_hold, args=("first", settings, 1.0, out))
    first.start()
    assert out.get(timeout=20)[:2] == ("first", "in")
    second = _FORK.Process(target=_hold, args=("second", settings, 0.0, out))
    second.start()
    # by time, not by arrival: two processes' queue writes may arrive in either order
    events = {(who, what): at for who, what, at in (out.get(timeout=20) for _ in range(3))}
    first.join(10)
    second.join(10)
    assert events[("second", "in")] >= events[("first", "out")]  # the second waited for the first


def test_a_stale_index_is_reported_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from search_api.cli_search import stale_warning

    settings = Settings(data_dir=tmp_path, db_url=postgres_url)
    with Registry.open(settings) as registry:
        built_from = registry.generation()
        assert stale_warning(settings, built_from, built_at=0.0) is None
        registry.store(document_rows(*make_ledger("a-2025"), "fp"))
    assert "索引建立后有更新" in stale_warning(settings, built_from, built_at=0.0)


def test_version_links_follow_replacements_and_prunes_on_postgres(postgres_url: str) -> None:
    """The version-link table is part of the PostgreSQL schema too, with the same behaviour."""
    from tests.extractors.test_versions import check_links_follow_replacements_and_prunes

    with Registry(make_engine(postgres_url)) as registry:
        check_links_follow_replacements_and_prunes(registry)


def test_units_and_tasks_leave_out_the_documents_asked_on_both_databases(postgres_url: str, tmp_path: Path) -> None:
    """``Registry.units(without)`` / ``tasks(without=…)``: what /units and /tasks use to count the
    latest version of each document only (the older version's doc_ids are left out in SQL)."""
    for url in (postgres_url, None):
        with Registry.open(Settings(data_dir=tmp_path / (url and "pg" or "lite"), db_url=url)) as registry:
            for doc_id in ("draft-2025", "final-2025"):
                registry.store(document_rows(*make_ledger(doc_id), "fp-" + doc_id))
            lead = {u.canonical: u.lead_count for u in registry.units()}
            assert lead["市经济和信息化局"] == 2
            assert {u.canonical: u.lead_count for u in registry.units({"draft-2025"})}["市经济和信息化局"] == 1
            assert {t.doc_id for t in registry.tasks(unit="市经济和信息化局", without={"draft-2025"})} == {"final-2025"}
            assert {t.doc_id for t in registry.tasks(without=())} == {"draft-2025", "final-2025"}
