"""The index on disk: FAISS search, atomic generations, loading, and what goes into it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import search_api.index.index as index_module
import search_api.index.vectors as vectors_module
from pipeline.errors import IndexNotBuiltError
from pipeline.model import DocTable, Span
from search_api.embedding.embed import FakeEmbedder
from search_api.index.index import (
    CURRENT_FILE,
    GenerationWriter,
    current_generation_folder,
    load_index,
    write_index,
)
from search_api.index.indexing import update_index
from search_api.index.items import document_items, section_item_id, table_row_texts
from search_api.index.json_arrays import array_items
from search_api.index.vectors import DenseIndex, FlatVectorWriter
from search_api.schemas import Passage
from tests.search_api.search_fixtures import FakeRegistry, fake_settings, small_corpus, tiny_index


def test_dense_index_is_exact_cosine_and_round_trips(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    texts = ["土地要素保障", "融资担保增信", "化工园区安全等级"]
    index = DenseIndex.build(fake.embed_passages(texts), fake.dim)
    query = fake.embed_query("融资增信")
    hits = index.search(query, 3)
    expected = fake.embed_passages(texts) @ query
    assert [r for r, _ in hits] == list(np.argsort(-expected))
    assert [s for _, s in hits] == pytest.approx(sorted(expected, reverse=True), abs=1e-5)
    index.save(tmp_path / "x.faiss")
    assert DenseIndex.load(tmp_path / "x.faiss").search(query, 1) == hits[:1]
    assert DenseIndex.build(np.zeros((0, fake.dim), np.float32), fake.dim).search(query, 5) == []


def test_generations_are_published_atomically_and_old_ones_removed(tmp_path: Path) -> None:
    for n in range(3):
        meta, cards, collections = tiny_index(f"g{n}")
        folder = write_index(tmp_path, meta, cards, collections)
        assert current_generation_folder(tmp_path) == folder
        assert (tmp_path / CURRENT_FILE).read_text() == folder.name
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-g1", "gen-g2"]  # live + previous
    assert not list(tmp_path.glob(".*tmp*"))
    loaded = load_index(tmp_path)
    assert loaded.meta.generation == "g2" and list(loaded.cards) == ["d:1"]


def test_missing_or_broken_index_says_run_build(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuiltError, match="taizhang build"):
        load_index(tmp_path)
    meta, cards, collections = tiny_index("g0")
    folder = write_index(tmp_path, meta, cards, collections)
    (folder / "cards.json").write_text("{not json")
    with pytest.raises(IndexNotBuiltError, match="taizhang build"):
        load_index(tmp_path)


def test_clauses_map_to_the_measure_containing_them_else_to_their_section() -> None:
    (doc, tasks, targets), _ = small_corpus()
    items = document_items(doc, tasks, targets)
    by_item: dict[str, list[str]] = {}
    for p in items.clauses:
        by_item.setdefault(p.item_id, []).append(p.text)
        assert doc.text[p.span.start:p.span.end] == p.text  # provenance holds
    assert any("耕地占补平衡" in t for t in by_item["doc-16tiao:十二"])
    assert by_item["doc-16tiao:前言"] == ["为聚焦产业建圈强链，特制定如下措施。"]
    kinds = {c.item_id: c.kind for c in items.cards}
    assert kinds["doc-16tiao:十二"] == "measure" and kinds["doc-16tiao:前言"] == "context"
    assert {p.kind for p in items.measures} == {"measure", "section"}
    assert len(items.measures) == len(items.measure_texts) == len(items.cards)
    unit_text = items.measure_texts[[p.item_id for p in items.measures].index("doc-16tiao:十二")]
    assert "市自然资源和规划局" in unit_text  # units are searchable with their measure


def test_context_ids_follow_the_task_id_scheme() -> None:
    (doc, _, _), _ = small_corpus()
    assert section_item_id(doc, "s2") == "doc-16tiao:十二"
    assert section_item_id(doc, "s0") == "doc-16tiao:前言"
    assert section_item_id(doc, None) == "doc-16tiao:前言"


def test_target_table_rows_stay_whole() -> None:
    rows = (("指标名称", "“十四五”目标", "属性"), ("规上工业总产值", "2500亿元以上", "预期性"),
            ("单位工业增加值能耗下降幅度", "完成省下达目标", "约束性"))
    texts = table_row_texts("“十四五”期间工业园区重要指标", rows)
    assert texts == [
        "“十四五”期间工业园区重要指标｜指标名称：规上工业总产值；“十四五”目标：2500亿元以上；属性：预期性",
        "“十四五”期间工业园区重要指标｜指标名称：单位工业增加值能耗下降幅度；“十四五”目标：完成省下达目标；属性：约束性",
    ]
    (doc, tasks, targets), _ = small_corpus()
    table = DocTable(table_id="t1", caption="表 2—2 指标", section_id="s0", rows=rows)
    items = document_items(doc.model_copy(update={"tables": (table,)}), tasks, targets)
    row_passages = [p for p in items.clauses if p.kind == "table_row"]
    assert [p.text for p in row_passages] == table_row_texts("表 2—2 指标", rows)


def test_update_index_reuses_cached_vectors(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    registry = FakeRegistry(small_corpus())
    first = update_index(settings, registry)
    assert first.embedded > 0 and first.cache_hits == 0
    assert first.measures == 6 and first.registry_generation == "test-1"
    second = update_index(settings, FakeRegistry(small_corpus(), generation="test-2"), full=True)
    assert second.embedded == 0 and second.cache_hits == first.embedded
    copied = update_index(settings, FakeRegistry(small_corpus(), generation="test-3"))
    assert copied.embedded == copied.cache_hits == 0  # every document copied from the live generation
    meta = json.loads((Path(second.path) / "meta.json").read_text())
    assert meta["registry_generation"] == "test-2" and meta["freq_db"]
    assert "measures" in str(second) and "from cache" in str(second)


def test_text_after_a_measure_in_its_own_section_is_context_not_the_measure() -> None:
    (doc, tasks, targets), _ = small_corpus()
    last = tasks[-1]
    tail = [c for c in doc.clauses if c.section_id == "s4"][-1]
    shortened = last.model_copy(update={"span": Span(start=last.span.start, end=tail.span.start)})
    items = document_items(doc, [*tasks[:-1], shortened], targets)
    moved = [p for p in items.clauses if p.clause_id == tail.clause_id][0]
    assert moved.item_id == "doc-16tiao:十五#context"
    assert {c.item_id for c in items.cards} >= {"doc-16tiao:十五", "doc-16tiao:十五#context"}


@pytest.mark.parametrize("layout_known", [True, False])
def test_vector_file_written_batch_by_batch_is_what_faiss_writes(layout_known: bool, tmp_path: Path,
                                                                 monkeypatch) -> None:
    if not layout_known:  # a faiss whose file layout differs: vectors collected in memory instead
        monkeypatch.setattr(vectors_module, "_flat_file_header", lambda dim: None)
    fake = FakeEmbedder()
    vectors = fake.embed_passages(["土地要素保障", "融资担保增信", "化工园区安全等级", "人才引进"])
    DenseIndex.build(vectors, fake.dim).save(tmp_path / "whole.faiss")
    writer = FlatVectorWriter(tmp_path / "batches.faiss", fake.dim)
    for batch in (vectors[:1], vectors[1:1], vectors[1:]):
        writer.add(batch)
    writer.close()
    assert (tmp_path / "batches.faiss").read_bytes() == (tmp_path / "whole.faiss").read_bytes()
    empty = FlatVectorWriter(tmp_path / "empty.faiss", fake.dim)
    empty.close()
    assert DenseIndex.load(tmp_path / "empty.faiss").size == 0


def _generation_files(folder: Path) -> dict[str, object]:
    """What a generation holds, comparable across builds (BM25 arrays by file, meta without
    its generation stamp and time)."""
    out: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "meta.json":
            out[str(path.relative_to(folder))] = (
                json.loads(path.read_text()) if path.suffix == ".json" else path.read_bytes())
    meta = json.loads((folder / "meta.json").read_text())
    out["meta"] = {k: v for k, v in meta.items() if k not in ("generation", "created")}
    return out


def test_a_build_in_many_small_rounds_writes_the_same_index(tmp_path: Path) -> None:
    corpus = small_corpus()
    whole = update_index(fake_settings(tmp_path / "a"), FakeRegistry(corpus), batch_passages=10**6)
    rounds = update_index(fake_settings(tmp_path / "b"), FakeRegistry(corpus), batch_passages=1)
    assert _generation_files(Path(whole.path)) == _generation_files(Path(rounds.path))
    assert whole.model_dump(exclude={"generation", "seconds", "path"}) == rounds.model_dump(
        exclude={"generation", "seconds", "path"})


class _FailingEmbedder(FakeEmbedder):
    model_id = "fails-midway"  # nothing cached for it

    def __init__(self, after: int) -> None:
        super().__init__()
        self.left = after

    def embed_passages(self, texts):
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("embedding failed")
        return super().embed_passages(texts)


def test_a_failed_build_leaves_the_previous_generation_and_no_work_files(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    first = update_index(settings, FakeRegistry(small_corpus()))
    with pytest.raises(RuntimeError, match="embedding failed"):
        update_index(settings, FakeRegistry(small_corpus(), generation="test-2"),
                     embedder=_FailingEmbedder(after=1), batch_passages=1)
    assert current_generation_folder(settings.index_dir) == Path(first.path)
    assert not list(settings.index_dir.glob(".*tmp*"))
    assert load_index(settings.index_dir).meta.registry_generation == "test-1"


def test_generation_writer_rejects_rows_without_vectors(tmp_path: Path) -> None:
    _, _, collections = tiny_index("g0")
    with GenerationWriter(tmp_path, "g0") as gen:
        with pytest.raises(ValueError, match="1 passages but 0 vectors"):
            gen.add_passages("clauses", collections[0].passages, np.zeros((0, 4), np.float32))
    assert not list(tmp_path.glob(".*tmp*")) and current_generation_folder(tmp_path) is None


def test_loaded_passages_are_the_passages_written(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    report = update_index(settings, FakeRegistry(small_corpus()))
    loaded = load_index(settings.index_dir)
    folder = Path(report.path)
    for name, collection in loaded.collections.items():
        written = [Passage.model_validate(p)
                   for p in json.loads((folder / f"{name}.passages.json").read_text(encoding="utf-8"))]
        table = collection.passages
        assert isinstance(table, index_module.PassageTable) and len(table) == len(written) > 0
        assert list(table) == written  # every field, the span included, row by row
        assert table.item_ids == [p.item_id for p in written]
        assert [table.text(r) for r in range(len(table))] == [p.text for p in written]
        assert table[-1] == written[-1]
        with pytest.raises(IndexError):
            table[len(table)]


def test_passages_out_of_row_order_make_the_index_unreadable(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    report = update_index(settings, FakeRegistry(small_corpus()))
    path = Path(report.path) / "clauses.passages.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows[0], rows[1] = rows[1], rows[0]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IndexNotBuiltError, match="unreadable"):
        load_index(settings.index_dir)


@pytest.mark.parametrize("items", [[], [{"a": 1}], [{"a": "逗号，括号]"}, [1, 2], "x", {"b": None}]])
def test_array_items_reads_what_json_reads(items: list, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    for text in (json.dumps(items, ensure_ascii=False), "[" + ", ".join(json.dumps(i) for i in items) + "]\n",
                 json.dumps(items, indent=2)):
        path.write_text(text, encoding="utf-8")
        assert list(array_items(path)) == items


def test_a_truncated_passage_file_makes_the_index_unreadable(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    report = update_index(settings, FakeRegistry(small_corpus()))
    path = Path(report.path) / "measures.passages.json"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(IndexNotBuiltError, match="unreadable"):
        load_index(settings.index_dir)


def test_an_index_meta_with_a_field_from_a_later_version_still_reads(tmp_path: Path) -> None:
    from search_api.index.index import read_meta

    meta = {"generation": "g", "registry_generation": "e-1", "model_id": "fake", "dim": 8, "created": 0.0,
            "counts": {}, "documents_digest": "abc", "a_field_added_later": True}
    (tmp_path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    read = read_meta(tmp_path)
    assert (read.generation, read.documents_digest) == ("g", "abc")
