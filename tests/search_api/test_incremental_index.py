"""An index updated document by document is the index a build from nothing makes.

Random sequences of adds, changes and removals over small documents that share measures (so
passages tie on both retrievers, which is where a different layout would show); after every
step the incrementally updated index is compared with a full rebuild of the same documents in a
fresh data dir: file for file, and by the hits, ranks and scores of searches. Also: what the
update reads from the registry (only new and changed documents), when it starts from nothing
(another model, indexer or tokenizer), and that a failed update leaves the live generation.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pytest

from search_api.embedding.embed import FakeEmbedder
from search_api.index import index as index_module
from search_api.index import indexing, previous
from search_api.index.index import current_generation_folder, load_index, read_meta
from search_api.index.indexing import index_is_current, update_index
from search_api.search.search import index_lookups, search_index
from search_api.sparse import sparse_build
from search_api.sparse.sparse import tokenize
from search_api.sparse.sparse_build import ROW_FILES, SparseBuilder
from tests.search_api.search_fixtures import (
    MEASURES_16,
    MEASURES_FENGONG,
    MEASURES_TONGZHI,
    PREAMBLE_TONGZHI,
    fake_settings,
    make_document,
)

POOL = [*MEASURES_16, *MEASURES_TONGZHI, *MEASURES_FENGONG]
PREAMBLES = ["为聚焦产业建圈强链，特制定如下措施。", PREAMBLE_TONGZHI, "为促进消费扩容提质，制定本分工方案。", ""]
QUERIES = ["融资担保", "土地要素保障", "化工园区安全等级", "市商务局以旧换新", "园区", "审批", "消费环境",
           "what is this"]


class VersionedRegistry:
    """The part of the registry indexing reads, over documents made up of measures of ``POOL``;
    ``read`` lists the documents indexing read (the others it copied)."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple] = {}
        self.fingerprints: dict[str, str] = {}
        self.changes = 0
        self.read: list[str] = []

    def put(self, doc_id: str, rng: random.Random) -> None:
        preamble = rng.randrange(len(PREAMBLES))
        chosen = sorted(rng.sample(range(len(POOL)), rng.randint(0, 4)))  # none, with no preamble: an empty document
        doc, tasks = make_document(doc_id, f"文件{doc_id}", rng.choice(["正式", "征求意见稿"]), PREAMBLES[preamble],
                                   [POOL[i] for i in chosen])
        self.docs[doc_id] = (doc, tasks)
        self.fingerprints[doc_id] = hashlib.sha256(repr((doc_id, preamble, chosen, doc.meta.status)).encode()).hexdigest()
        self.changes += 1

    def remove(self, doc_id: str) -> None:
        del self.docs[doc_id], self.fingerprints[doc_id]
        self.changes += 1

    def generation(self) -> str:
        return f"test-{self.changes}"

    def documents(self):
        return [doc.meta for doc, _ in reversed(self.docs.values())]  # any order: the build sorts

    def document_hashes(self) -> dict[str, str]:
        return dict(self.fingerprints)

    def document(self, doc_id):
        self.read.append(doc_id)
        return self.docs[doc_id][0]

    def tasks(self, doc_id=None, unit=None, role=None):
        return list(self.docs[doc_id][1])

    def targets(self, doc_id=None):
        return []


def generation_files(folder: Path) -> dict[str, bytes]:
    """Every file of a generation but meta.json (its stamp and time differ by nature)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "meta.json"}


def searches(index_dir: Path) -> list[list[tuple[str, float, float | None, float | None]]]:
    index = load_index(index_dir)
    lookups = index_lookups(index)
    out = []
    for query in QUERIES:
        for mode in ("hybrid", "dense", "sparse"):
            response = search_index(query, index, lookups, FakeEmbedder(), k=10, mode=mode)
            out.append([(h.card.item_id, h.scores.fused, h.scores.dense, h.scores.sparse) for h in response.hits])
    return out


def same_searches(a: list, b: list) -> None:
    assert len(a) == len(b)
    for hits_a, hits_b in zip(a, b):
        assert [h[0] for h in hits_a] == [h[0] for h in hits_b]  # the same items in the same order
        for x, y in zip(hits_a, hits_b):
            assert x[1:] == pytest.approx(y[1:], abs=1e-6)


def full_rebuild(tmp_path: Path, registry: VersionedRegistry) -> Path:
    """A build from the registry alone, in a data dir of its own (copying nothing)."""
    settings = fake_settings(tmp_path / "full")
    update_index(settings, registry, full=True)
    return settings.index_dir


@pytest.mark.parametrize(("seed", "copy_rows"), [(1, None), (2, 3), (3, 1)])
def test_updates_in_any_order_equal_a_full_rebuild(seed: int, copy_rows: int | None, tmp_path: Path,
                                                    monkeypatch) -> None:
    """copy_rows: clause rows copied per step (a few: runs are copied in several steps)."""
    if copy_rows is not None:
        monkeypatch.setattr(previous, "COPY_ROWS", copy_rows)
    rng = random.Random(seed)
    registry = VersionedRegistry()
    for doc_id in ("doc-b", "doc-d", "doc-f"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path / "live")
    update_index(settings, registry)
    names = [f"doc-{c}" for c in "abcdefgh"]
    for step in range(7):
        present = sorted(registry.docs)
        action = rng.choice(["add", "change", "remove", "nothing"] if len(present) > 1 else ["add", "change"])
        if action == "add" and len(present) < len(names):
            doc_id = rng.choice(sorted(set(names) - set(present)))
            registry.put(doc_id, rng)
            changed = {doc_id}
        elif action in ("change", "add"):
            doc_id = rng.choice(present)
            registry.put(doc_id, rng)
            changed = {doc_id}
        elif action == "remove":
            registry.remove(rng.choice(present))
            changed = set()
        else:
            registry.changes += 1  # a correction: the registry moved on, its documents did not
            changed = set()
        registry.read.clear()
        report = update_index(settings, registry)
        assert set(registry.read) == changed, action  # the others were copied
        assert report.copied == len(registry.docs) - len(changed)
        assert report.documents == len(registry.docs)
        full = full_rebuild(tmp_path, registry)
        live, rebuilt = current_generation_folder(settings.index_dir), current_generation_folder(full)
        assert generation_files(live) == generation_files(rebuilt), (seed, step, action)
        assert read_meta(live).counts == read_meta(rebuilt).counts
        same_searches(searches(settings.index_dir), searches(full))
        assert index_is_current(settings, registry)


def test_a_removed_document_leaves_no_card_passage_or_term(tmp_path: Path) -> None:
    rng = random.Random(7)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-b"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    update_index(settings, registry)
    registry.remove("doc-a")
    update_index(settings, registry)
    index = load_index(settings.index_dir)
    assert {c.doc_id for c in index.cards.values()} == {"doc-b"}
    for collection in index.collections.values():
        assert {collection.passages[r].doc_id for r in range(len(collection.passages))} == {"doc-b"}
        assert collection.dense.size == collection.sparse.size == len(collection.passages)


def test_another_model_indexer_or_tokenizer_rebuilds_everything(tmp_path: Path, monkeypatch) -> None:
    rng = random.Random(11)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-b", "doc-c"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    update_index(settings, registry)
    registry.read.clear()
    update_index(settings, registry)
    assert registry.read == []  # same model: everything copied

    other = FakeEmbedder(128)
    assert other.model_id != FakeEmbedder().model_id
    report = update_index(settings, registry, embedder=other)
    assert sorted(registry.read) == ["doc-a", "doc-b", "doc-c"] and report.embedded > 0
    meta = read_meta(current_generation_folder(settings.index_dir))
    assert (meta.model_id, meta.dim) == (other.model_id, 128)

    registry.read.clear()
    monkeypatch.setattr(index_module, "INDEXER_VERSION", index_module.INDEXER_VERSION + 1)
    update_index(settings, registry, embedder=other)
    assert sorted(registry.read) == ["doc-a", "doc-b", "doc-c"]

    registry.read.clear()
    monkeypatch.setattr(indexing, "terms_identity", lambda: "another-jieba")
    update_index(settings, registry, embedder=other)
    assert sorted(registry.read) == ["doc-a", "doc-b", "doc-c"]


def test_a_failed_update_leaves_the_live_generation(tmp_path: Path, monkeypatch) -> None:
    rng = random.Random(5)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-c"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    first = update_index(settings, registry)
    before = generation_files(Path(first.path))
    registry.put("doc-b", rng)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexing.GenerationWriter, "publish", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        update_index(settings, registry)
    assert current_generation_folder(settings.index_dir) == Path(first.path)
    assert generation_files(Path(first.path)) == before
    assert not list(settings.index_dir.glob(".*tmp*"))


def _renumber_first_passage(folder: Path) -> None:
    path = folder / "measures.passages.json"
    path.write_text(path.read_text(encoding="utf-8").replace('{"pid":0,', '{"pid":5,', 1), encoding="utf-8")


def _cut_vectors(folder: Path) -> None:
    path = folder / "clauses.faiss"
    path.write_bytes(path.read_bytes()[:-8])


@pytest.mark.parametrize("damage", [
    lambda folder: (folder / "clauses.rows" / "ids.npy").unlink(),
    _renumber_first_passage,
    _cut_vectors,
], ids=["terms file gone", "rows renumbered", "vectors cut short"])
def test_a_damaged_previous_generation_is_rebuilt_not_copied(damage, tmp_path: Path, capsys) -> None:
    rng = random.Random(3)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-b"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    first = update_index(settings, registry)
    damage(Path(first.path))
    registry.put("doc-c", rng)
    registry.read.clear()
    update_index(settings, registry)
    assert "无法复用" in capsys.readouterr().err
    assert set(registry.read) == {"doc-a", "doc-b", "doc-c"}  # doc-c twice: the abandoned try, then anew
    assert generation_files(current_generation_folder(settings.index_dir)) == generation_files(
        current_generation_folder(full_rebuild(tmp_path, registry)))


TEXTS = ["强化土地要素保障机制", "", "融资担保机构为制造业企业提供融资增信，融资增信", "化工园区安全等级由一般风险升级",
         "土地 土地 土地", "推进惠企助困政策免申即享", "化工园区", "开展放心消费行动，畅通消费维权渠道"]


@pytest.mark.parametrize("spill", [False, True], ids=["in memory", "spilled to files"])
def test_terms_read_back_give_the_bm25_of_the_texts(spill: bool, tmp_path: Path, monkeypatch) -> None:
    """``save_rows`` then ``add_counted`` (a run of rows of an earlier build, between texts cut
    now) writes the same BM25 files as cutting every text."""
    if spill:
        monkeypatch.setattr(sparse_build, "SPILL_ENTRIES", 5)
    terms = [tokenize(t) for t in TEXTS]
    earlier = SparseBuilder(tmp_path / "spill-1" if spill else None)
    for t in terms:
        earlier.add(t)
    earlier.save_rows(tmp_path / "rows")
    earlier.save(tmp_path / "earlier")
    rows = {name: np.load(tmp_path / "rows" / name) for name in ROW_FILES}
    starts = np.concatenate([[0], np.cumsum(rows["widths.npy"])])
    vocab = json.loads((tmp_path / "earlier" / "vocab.index.json").read_text(encoding="utf-8"))
    words = sorted(vocab, key=vocab.get)

    def copied(first: int, stop: int) -> tuple:
        e0, e1 = starts[first], starts[stop]
        return (rows["ids.npy"][e0:e1], rows["tfs.npy"][e0:e1], rows["widths.npy"][first:stop],
                rows["lengths.npy"][first:stop], words)

    direct, mixed = SparseBuilder(tmp_path / "spill-2" if spill else None), SparseBuilder(tmp_path / "spill-3" if spill else None)
    for t in [*terms[:2], tokenize("新的文件：土地保障"), *terms[4:]]:
        direct.add(t)
    mixed.add_counted(*copied(0, 2))
    mixed.add(tokenize("新的文件：土地保障"))
    mixed.add_counted(*copied(4, len(terms)))
    direct.save(tmp_path / "direct")
    mixed.save(tmp_path / "mixed")
    assert generation_files(tmp_path / "mixed") == generation_files(tmp_path / "direct")


def test_a_server_swaps_in_the_updated_generation_and_the_build_says_what_it_kept(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from search_api.search.engine import SearchEngine

    rng = random.Random(13)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-c"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    update_index(settings, registry)
    engine = SearchEngine(settings, embedder=FakeEmbedder())
    served = engine.search("园区").index_generation
    registry.put("doc-b", rng)
    out = StringIO()
    assert indexing.index_step(settings, registry, Console(file=out, width=400))
    assert "2 个未变文件沿用上一版索引" in out.getvalue()
    engine.reload()
    response = engine.search("园区")
    assert response.index_generation != served
    assert response.index_generation == read_meta(current_generation_folder(settings.index_dir)).generation
    assert "doc-b" in {c.doc_id for c in engine.index().cards.values()}


def test_a_registry_that_moved_without_its_documents_shares_the_files(tmp_path: Path) -> None:
    """A correction moves the registry's generation, not its documents: the new generation
    hard-links the live one's files (which no one ever writes to again) under a new meta."""
    rng = random.Random(17)
    registry = VersionedRegistry()
    for doc_id in ("doc-a", "doc-b"):
        registry.put(doc_id, rng)
    settings = fake_settings(tmp_path)
    first = Path(update_index(settings, registry).path)
    registry.changes += 1
    registry.read.clear()
    report = update_index(settings, registry)
    second = Path(report.path)
    assert second != first and registry.read == [] and report.copied == 2
    assert generation_files(second) == generation_files(first)
    assert (second / "clauses.faiss").stat().st_ino == (first / "clauses.faiss").stat().st_ino
    assert read_meta(second).registry_generation == registry.generation() and index_is_current(settings, registry)
    shared = generation_files(second)
    registry.put("doc-c", rng)  # the next update copies from the linked generation as from any
    update_index(settings, registry)
    assert generation_files(current_generation_folder(settings.index_dir)) == generation_files(
        current_generation_folder(full_rebuild(tmp_path, registry)))
    assert generation_files(second) == shared  # the shared files were left as they were
    same_searches(searches(settings.index_dir), searches(tmp_path / "full" / "index"))


def test_without_hard_links_the_files_are_copied(tmp_path: Path, monkeypatch) -> None:
    rng = random.Random(19)
    registry = VersionedRegistry()
    registry.put("doc-a", rng)
    settings = fake_settings(tmp_path)
    first = Path(update_index(settings, registry).path)

    def no_links(source, target):
        raise OSError("Operation not permitted")

    monkeypatch.setattr(index_module.os, "link", no_links)
    registry.changes += 1
    second = Path(update_index(settings, registry).path)
    assert generation_files(second) == generation_files(first)
    assert (second / "clauses.faiss").stat().st_ino != (first / "clauses.faiss").stat().st_ino


def test_a_document_with_nothing_to_index_is_copied_like_any(tmp_path: Path, capsys) -> None:
    registry = VersionedRegistry()
    registry.docs["doc-0"] = make_document("doc-0", "空文件", "正式", "", [])  # no clause, no card
    registry.fingerprints["doc-0"] = "empty"
    registry.put("doc-a", random.Random(23))
    settings = fake_settings(tmp_path)
    update_index(settings, registry)
    registry.put("doc-a", random.Random(29))  # changed: the empty document is a run of its own
    registry.read.clear()
    update_index(settings, registry)
    assert registry.read == ["doc-a"] and "无法复用" not in capsys.readouterr().err
    assert generation_files(current_generation_folder(settings.index_dir)) == generation_files(
        current_generation_folder(full_rebuild(tmp_path, registry)))
