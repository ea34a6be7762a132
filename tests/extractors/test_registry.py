"""The registry keeps exactly what it was given, replaces a document atomically, and filters right.

The objects are built by hand from a short real-style passage, so these tests do not depend on
the parser or the extractors; ``make_ledger`` is reused by the build and export tests.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from extractors.registry.store import Registry
from extractors.registry.tables import Base
from pipeline.errors import RegistryError
from pipeline.model import (
    Deadline,
    Document,
    DocumentMeta,
    OffsetMap,
    Span,
    Target,
    Task,
    UnitMention,
)
from pipeline.settings import Settings

PASSAGE = (
    "一、重点任务\n"
    "1.加快园区基础设施建设。完善园区道路、供水管网。（市经信局牵头，市发展改革委、市自然资源局配合；"
    "2025年底前完成）\n"
    "2.=SUM(A1)优化营商环境。（市政务管理局、市投促局负责）\n"
    "3.强化要素保障。\n"
    "到2025年，园区工业总产值达到16.40亿元。"
)


def _span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start=start, end=start + len(needle))


def _unit(doc: Document, name: str, canonical: str, role: str, **kw) -> UnitMention:
    return UnitMention(name=name, canonical=canonical, role=role, span=_span(doc.text, name), **kw)


def make_document(doc_id: str = "demo-2025-fangan", text: str = PASSAGE,
                  title: str = "园区提质行动方案") -> Document:
    return Document(
        doc_id=doc_id,
        meta=DocumentMeta(doc_id=doc_id, title=title, issuer="攀枝花市人民政府办公室",
                          date=dt.date(2025, 3, 1), doc_type="行动方案", status="正式"),
        source_path=f"/tmp/{doc_id}.txt", source_format="txt", raw_sha256="0" * 64, text=text,
        offsets=OffsetMap.identity(len(text)), raw_text=text,
    )


def make_ledger(doc_id: str = "demo-2025-fangan", text: str = PASSAGE, value: Decimal = Decimal("16.40"),
                title: str = "园区提质行动方案") -> tuple[Document, list[Task], list[Target]]:
    """A document with three measures (assigned, lead-less, no units) and one target."""
    doc = make_document(doc_id, text, title)
    path = ("一、重点任务",)

    def task(n: int, title: str, body_end: str, **kw) -> Task:
        span = Span(start=doc.text.index(f"{n}.{title}"), end=doc.text.index(body_end) + len(body_end))
        return Task(task_id=f"{doc_id}:一.{n}", doc_id=doc_id, number=f"{n}.", title=title,
                    text=span.slice(doc.text), section_path=path, span=span,
                    source=doc.source_ref(span, None), **kw)

    t1 = task(
        1, "加快园区基础设施建设", "完成）",
        lead=(_unit(doc, "市经信局", "市经济和信息化局", "lead"),),
        supporting=(_unit(doc, "市发展改革委", "市发展和改革委员会", "supporting"),
                    _unit(doc, "市自然资源局", "市自然资源和规划局", "supporting")),
        role_rule="牵头/配合 标注",
        deadlines=(Deadline(text="2025年底前", kind="by_date", date=dt.date(2025, 12, 31),
                            span=_span(doc.text, "2025年底前")),),
    )
    t2 = task(
        2, "=SUM(A1)优化营商环境", "负责）",
        unassigned_units=(
            _unit(doc, "市政务管理局", "市政务服务和大数据管理局", "unassigned",
                  flags=("possible_typo:市政务服务管理局",)),
            _unit(doc, "市投促局", "市投促局", "unassigned", known=False),
        ),
    )
    t3 = task(3, "强化要素保障", "强化要素保障。")
    found = re.search(r"园区工业总产值达到[\d.]+亿元", doc.text)
    quote = Span(start=found.start(), end=found.end())
    target = Target(
        target_id=f"{doc_id}:t1", doc_id=doc_id, text=f"到2025年，{found.group()}。",
        quote=quote.slice(doc.text), indicator="工业总产值", scope="园区", value=value, unit="亿元",
        comparator="ge", year=2025, binding="预期性", task_id=t3.task_id, span=quote,
        source=doc.source_ref(quote, None),
    )
    return doc, [t1, t2, t3], [target]


def _same_document(a: Document | None, b: Document) -> bool:
    """Field-by-field equality: ``==`` also compares Document's private page_line cache."""
    return a is not None and a.model_dump() == b.model_dump()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Registry:
    """Every registry test on both backends: PostgreSQL is the session's real server
    (tests/conftest.py), a fresh database per test."""
    settings = Settings(data_dir=tmp_path)
    if request.param == "postgresql":
        settings = Settings(data_dir=tmp_path, db_url=request.getfixturevalue("postgres_url"))
    with Registry.open(settings) as reg:
        yield reg


def test_round_trip_gives_back_equal_objects(registry: Registry) -> None:
    doc, tasks, targets = make_ledger()
    registry.replace_document(doc, tasks, targets, fingerprint="fp1")
    assert _same_document(registry.document(doc.doc_id), doc)
    assert registry.tasks() == tasks
    assert registry.task(tasks[1].task_id) == tasks[1]
    assert registry.targets() == targets
    assert registry.documents() == [doc.meta]
    assert registry.document_hashes() == {doc.doc_id: "fp1"}
    assert registry.source_paths() == {doc.doc_id: doc.source_path}


def test_missing_things_are_none(registry: Registry) -> None:
    assert registry.document("nope") is None
    assert registry.task("nope:1") is None
    assert registry.tasks(doc_id="nope") == []


@pytest.mark.parametrize("value", ["16.40", "0.1000000000000000055511151231257827", "-3E+5", "1234567890123456789.5"])
def test_decimal_survives_exactly(registry: Registry, value: str) -> None:
    doc, tasks, targets = make_ledger(value=Decimal(value))
    registry.replace_document(doc, tasks, targets, fingerprint="fp")
    (stored,) = registry.targets()
    assert isinstance(stored.value, Decimal)
    assert str(stored.value) == value


@hyp_settings(max_examples=40, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_round_trip_property(tmp_path_factory: pytest.TempPathFactory, value: Decimal) -> None:
    with Registry.open(Settings(data_dir=tmp_path_factory.getbasetemp() / "dec")) as reg:
        doc, tasks, targets = make_ledger(value=value)
        reg.replace_document(doc, tasks, targets, fingerprint="fp")
        assert str(reg.targets()[0].value) == str(value)


@pytest.mark.parametrize(
    ("unit", "role", "expected"),
    [
        ("市经济和信息化局", None, [1]),
        ("市经济和信息化局", "lead", [1]),
        ("市经济和信息化局", "supporting", []),
        ("市自然资源和规划局", "supporting", [1]),
        ("市投促局", "unassigned", [2]),
        (None, "unassigned", [2]),
        ("没有这个单位", None, []),
    ],
)
def test_task_filters(registry: Registry, unit: str | None, role: str | None, expected: list[int]) -> None:
    doc, tasks, targets = make_ledger()
    registry.replace_document(doc, tasks, targets, fingerprint="fp")
    got = registry.tasks(doc_id=doc.doc_id, unit=unit, role=role)
    assert [t.task_id for t in got] == [f"{doc.doc_id}:一.{n}" for n in expected]


def test_bad_role_is_refused(registry: Registry) -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        registry.tasks(role="牵头")


def test_units_count_measures_per_role(registry: Registry) -> None:
    for doc_id in ("a-doc", "b-doc"):
        doc, tasks, targets = make_ledger(doc_id)
        registry.replace_document(doc, tasks, targets, fingerprint="fp")
    loads = {u.canonical: u for u in registry.units()}
    assert loads["市经济和信息化局"].lead_count == 2
    assert loads["市经济和信息化局"].names_as_written == ["市经信局"]
    assert loads["市发展和改革委员会"].supporting_count == 2
    assert loads["市投促局"].unassigned_count == 2
    assert registry.units()[0].canonical == "市经济和信息化局"  # busiest first


def test_replace_drops_old_rows(registry: Registry) -> None:
    doc, tasks, targets = make_ledger()
    registry.replace_document(doc, tasks, targets, fingerprint="v1")
    registry.replace_document(doc, tasks[2:], [], fingerprint="v2")
    assert [t.task_id for t in registry.tasks()] == [tasks[2].task_id]
    assert registry.targets() == []
    assert registry.units() == []
    assert registry.document_hashes() == {doc.doc_id: "v2"}
    assert registry.document_stats() == {doc.doc_id: (1, 0, 0)}


def test_replace_is_atomic(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    doc, tasks, targets = make_ledger()
    registry.replace_document(doc, tasks, targets, fingerprint="v1")
    before = registry.generation()

    def crash(*_args: object) -> None:  # fails after the deletes and the task inserts ran
        raise RuntimeError("disk full")

    monkeypatch.setattr(Registry, "_insert_targets", staticmethod(crash))
    newer = make_document(doc.doc_id, title="新标题")
    with pytest.raises(RuntimeError, match="disk full"):
        registry.replace_document(newer, tasks[:1], targets, fingerprint="v2")
    assert _same_document(registry.document(doc.doc_id), doc)
    assert registry.tasks() == tasks
    assert registry.targets() == targets
    assert registry.document_hashes() == {doc.doc_id: "v1"}
    assert registry.generation() == before


def test_duplicate_ids_are_refused_before_writing(registry: Registry) -> None:
    doc, tasks, targets = make_ledger()
    with pytest.raises(RegistryError, match="duplicate task_id"):
        registry.replace_document(doc, [tasks[0], tasks[0]], targets, fingerprint="fp")
    assert registry.documents() == []


def test_generation_moves_on_every_write_only(registry: Registry) -> None:
    doc, tasks, targets = make_ledger()
    g0 = registry.generation()
    registry.replace_document(doc, tasks, targets, fingerprint="fp")
    g1 = registry.generation()
    registry.tasks()
    assert registry.generation() == g1 != g0
    registry.remove_document(doc.doc_id)
    assert registry.generation() not in (g0, g1)
    assert registry.tasks() == [] and registry.documents() == [] and registry.units() == []


def test_fresh_database_has_a_new_generation(tmp_path: Path) -> None:
    with Registry.open(Settings(data_dir=tmp_path / "a")) as a, \
            Registry.open(Settings(data_dir=tmp_path / "b")) as b:
        assert a.generation() != b.generation()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    with Registry.open(Settings(data_dir=tmp_path)) as registry, registry._engine.connect() as conn:
        assert conn.execute(sql("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sql("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_schema_compiles_for_postgresql(table: str) -> None:
    ddl = str(CreateTable(Base.metadata.tables[table]).compile(dialect=postgresql.dialect()))
    assert "CREATE TABLE" in ddl


def _rows(doc_id: str, fingerprint: str = "fp", title: str = "园区提质行动方案"):
    from extractors.registry.rows import document_rows

    return document_rows(*make_ledger(doc_id, title=title), fingerprint=fingerprint)


def test_store_many_writes_a_batch_in_one_generation(registry: Registry) -> None:
    before = registry.generation()
    failed = registry.store_many([_rows("a-2025"), _rows("b-2025")], new={"a-2025", "b-2025"})
    assert failed == {}
    assert registry.document_hashes() == {"a-2025": "fp", "b-2025": "fp"}
    assert {t.doc_id for t in registry.tasks()} == {"a-2025", "b-2025"}
    epoch, count = before.rsplit("-", 1)
    assert registry.generation() == f"{epoch}-{int(count) + 1}"  # one transaction, one step


def test_store_many_survives_a_wrong_guess_that_a_document_is_new(registry: Registry) -> None:
    registry.store(_rows("a-2025", "v1", title="旧标题"))
    failed = registry.store_many([_rows("a-2025", "v2", title="新标题"), _rows("b-2025")],
                                 new={"a-2025", "b-2025"})  # a-2025 is not new: the insert clashes
    assert failed == {}
    assert registry.document_hashes() == {"a-2025": "v2", "b-2025": "fp"}
    assert [m.title for m in registry.documents()] == ["新标题", "园区提质行动方案"]
    assert len(registry.tasks("a-2025")) == len(make_ledger("a-2025")[1])  # replaced, not doubled


def test_store_many_isolates_a_document_that_cannot_be_stored(registry: Registry, monkeypatch) -> None:
    good, bad = _rows("a-2025"), _rows("b-2025")
    original = Registry._insert_targets

    def refuse_b(conn, targets):
        if any(t["doc_id"] == "b-2025" for t in targets):
            raise OperationalError("INSERT INTO targets", {}, Exception("disk I/O error"))
        original(conn, targets)

    monkeypatch.setattr(Registry, "_insert_targets", staticmethod(refuse_b))
    failed = registry.store_many([good, bad], new={"a-2025", "b-2025"})
    assert set(failed) == {"b-2025"} and "无法写入任务台账：b-2025" in failed["b-2025"].message
    assert registry.document_hashes() == {"a-2025": "fp"}  # the good one landed, the bad one left nothing
