"""The search index on disk: dense vectors (FAISS), BM25 (bm25s), passages and cards.

Layout under ``Settings.index_dir``::

    CURRENT                      name of the live generation folder (replaced atomically)
    gen-<stamp>/meta.json        generation, registry generation, model id, counts
    gen-<stamp>/cards.json       one ItemCard per answerable item
    gen-<stamp>/<collection>.passages.json, .faiss, .bm25/   for "measures" and "clauses"
    gen-<stamp>/<collection>.rows/    each passage's BM25 term ids, counts and length (not read
                                 by search: a later build copies unchanged documents from them)
    gen-<stamp>/documents.json   per document, in row order: its fingerprint and how many cards
                                 and rows of each collection it has (``DocumentRows``)

A build writes a complete new generation into a temporary folder, file by file as its
documents stream past (documents in doc_id order; an unchanged document's cards, passages,
vectors and terms copied from the previous generation, see ``previous.py`` (``GenerationWriter``: JSON arrays appended to, vectors written straight
to the faiss file), renames the folder, then swaps ``CURRENT``. Readers resolve ``CURRENT``
once per load, so they see an old index or a new one, never a mix; the previous generation is
kept for readers that are still loading it.

This is the one description of the on-disk format: its writer (``GenerationWriter``) and its
reader (``load_index``) live here together so they agree on it; the vector files themselves
(``DenseIndex``, ``FlatVectorWriter``) are ``vectors.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from pipeline.errors import IndexNotBuiltError

from search_api.index.json_arrays import array_items
from search_api.index.passages import PassageTable
from search_api.index.vectors import DenseIndex, FlatVectorWriter
from search_api.schemas import ItemCard, Passage
from search_api.sparse.sparse import FREQ_DB_PREFIX, SparseIndex
from search_api.sparse.sparse_build import build_sparse_index

if TYPE_CHECKING:
    from search_api.sparse.sparse_build import SparseBuilder

FORMAT_VERSION = 1
# Bump when what goes into the index changes (passages, texts, vectors): `taizhang build` then
# rebuilds an index that is otherwise up to date with the registry.
INDEXER_VERSION = 2  # 2: cards carry the 责任单位 named without a role (unassigned_units)
COLLECTIONS = ("measures", "clauses")
CURRENT_FILE = "CURRENT"


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Collection:
    """A collection built whole in memory, to be written (``GenerationWriter.add_collection``)."""

    name: str
    passages: Sequence[Passage]
    dense: DenseIndex
    sparse: SparseIndex


@dataclass
class LoadedCollection:
    """A collection read back for search: its passages as a table."""

    name: str
    passages: PassageTable
    dense: DenseIndex
    sparse: SparseIndex


@dataclass
class IndexMeta:
    generation: str
    registry_generation: str
    model_id: str
    dim: int
    created: float
    counts: dict[str, int]
    format: int = FORMAT_VERSION
    freq_db: str | None = None  # jieba frequency table for queries, in the index folder
    indexer: int = 0  # version of the code that chose and built the passages
    # the registry's documents it was built from (extractors.registry.snapshot.documents_digest):
    # a server reads the registry of that generation while a build is between its two phases
    documents_digest: str = ""
    # what the terms were cut with (``sparse_build.terms_identity``): a later build copies them
    # from this generation only when it would cut them the same way
    terms: str = ""


@dataclass
class DocumentRows:
    """One document's share of a generation (``documents.json``, in row order): ``cards`` items
    of cards.json, ``measures`` and ``clauses`` rows of those collections; ``measure_cards`` and
    ``context_cards`` count its cards by kind as the build counts them (before de-duplication)."""

    doc_id: str
    fingerprint: str
    cards: int = 0
    measures: int = 0
    clauses: int = 0
    measure_cards: int = 0
    context_cards: int = 0

    def rows(self, collection: str) -> int:
        return self.measures if collection == "measures" else self.clauses


@dataclass
class LoadedIndex:
    meta: IndexMeta
    cards: dict[str, ItemCard]
    collections: dict[str, LoadedCollection]
    folder: Path


def new_generation_stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"


class GenerationWriter:
    """A new generation, written piece by piece into ``.gen-<stamp>.tmp`` and published whole.

        with GenerationWriter(index_dir, generation) as gen:
            gen.add_cards(cards)
            gen.add_passages("clauses", passages, vectors)   # as often as needed, rows in order
            gen.save_sparse("clauses", sparse)
            folder = gen.publish(meta)

    Leaving the block without ``publish`` (an error) removes the folder; a killed build's folder
    is removed by the next build (``_remove_abandoned_work``).
    """

    def __init__(self, index_dir: Path, generation: str) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.index_dir = index_dir
        self.folder = index_dir / f"gen-{generation}"
        self.work = index_dir / f".gen-{generation}.tmp"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self._json: dict[str, tuple[TextIO, list[int]]] = {}
        self._vectors: dict[str, FlatVectorWriter | None] = {}  # None: file written whole
        self.documents: list[DocumentRows] = []  # written at publish (documents.json)

    def __enter__(self) -> "GenerationWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.abandon()

    def scratch(self, name: str) -> Path:
        """A folder for temporary files of this build (removed before publishing)."""
        return self.work / ".scratch" / name

    def _append(self, file_name: str, models: Iterable[ItemCard | Passage]) -> None:
        if file_name not in self._json:
            f = open(self.work / file_name, "w", encoding="utf-8")
            f.write("[")
            self._json[file_name] = (f, [0])
        f, count = self._json[file_name]
        for model in models:
            f.write((", " if count[0] else "") + model.model_dump_json())
            count[0] += 1

    def _append_bytes(self, file_name: str, items: bytes, count: int) -> None:
        """``count`` items as the UTF-8 JSON of an earlier generation's file (joined by ", ")."""
        if not count:
            return
        self._append(file_name, ())
        f, written = self._json[file_name]
        f.write(", " if written[0] else "")
        f.flush()  # what the text layer holds goes first
        f.buffer.write(items)
        written[0] += count

    def add_cards(self, cards: Iterable[ItemCard]) -> None:
        self._append("cards.json", cards)

    def copy_cards(self, items: bytes, count: int) -> None:
        """``count`` cards as an earlier generation's cards.json holds them (joined by ", ")."""
        self._append_bytes("cards.json", items, count)

    def copy_passages(self, name: str, items: bytes, count: int, vectors: np.ndarray) -> None:
        """The next ``count`` rows of ``name`` as an earlier generation's passages file holds
        them (joined by ", ", their ``pid`` already their new row), and their vectors."""
        if count != len(vectors):
            raise ValueError(f"{name}: {count} passages but {len(vectors)} vectors")
        self._append_bytes(f"{name}.passages.json", items, count)
        self._add_vectors(name, vectors)

    def _add_vectors(self, name: str, vectors: np.ndarray) -> None:
        if name not in self._vectors:
            self._vectors[name] = FlatVectorWriter(self.work / f"{name}.faiss", vectors.shape[1])
        self._vectors[name].add(vectors)

    def add_passages(self, name: str, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """The next rows of collection ``name``: passages (their ``pid`` is their row) and vectors."""
        if len(passages) != len(vectors):
            raise ValueError(f"{name}: {len(passages)} passages but {len(vectors)} vectors")
        self._append(f"{name}.passages.json", passages)
        self._add_vectors(name, vectors)

    def save_sparse(self, name: str, sparse: SparseIndex | SparseBuilder) -> None:
        if not isinstance(sparse, SparseIndex):
            sparse.save_rows(self.work / f"{name}.rows")  # before save, which frees the builder
        sparse.save(self.work / f"{name}.bm25")

    def add_collection(self, col: Collection) -> None:
        """A collection built whole in memory."""
        self._append(f"{col.name}.passages.json", col.passages)
        col.dense.save(self.work / f"{col.name}.faiss")
        self._vectors[col.name] = None
        self.save_sparse(col.name, col.sparse)

    def publish(self, meta: IndexMeta) -> Path:
        """Complete the files (empty collections included), make the generation current."""
        for name in COLLECTIONS:
            self._append(f"{name}.passages.json", ())
            if name not in self._vectors:
                self._vectors[name] = FlatVectorWriter(self.work / f"{name}.faiss", meta.dim)
            if not (self.work / f"{name}.bm25").exists():
                self.save_sparse(name, build_sparse_index([]))
        self._append("cards.json", ())
        self._close_files()
        if self.documents:
            atomic_write_text(self.work / "documents.json",
                              json.dumps([asdict(d) for d in self.documents], ensure_ascii=False))
        shutil.rmtree(self.work / ".scratch", ignore_errors=True)
        return self._make_current(meta)

    def publish_links(self, previous: Path, meta: IndexMeta) -> Path:
        """Make current a generation holding ``previous``'s files, hard-linked (a generation's
        files never change after publishing, so two can share them), under ``meta``: the
        registry moved on (a correction) and its documents did not. Nothing else may have been
        written to this generation."""
        for path in previous.iterdir():
            if path.is_dir():
                shutil.copytree(path, self.work / path.name, copy_function=_link_or_copy)
            elif path.name != "meta.json":
                _link_or_copy(path, self.work / path.name)
        return self._make_current(meta)

    def _make_current(self, meta: IndexMeta) -> Path:
        atomic_write_text(self.work / "meta.json", json.dumps(meta.__dict__, indent=2))
        os.replace(self.work, self.folder)
        previous = current_generation_folder(self.index_dir)
        atomic_write_text(self.index_dir / CURRENT_FILE, self.folder.name)
        _remove_old_generations(self.index_dir, keep={self.folder.name, previous.name if previous else ""})
        return self.folder

    def _close_files(self) -> None:
        for f, _ in self._json.values():
            if not f.closed:
                f.write("]")
                f.close()
        for writer in self._vectors.values():
            if writer is not None:
                writer.close()

    def abandon(self) -> None:
        """Remove the work folder (nothing once published)."""
        for f, _ in self._json.values():
            f.close()
        for writer in self._vectors.values():
            if writer is not None:
                writer.discard()
        shutil.rmtree(self.work, ignore_errors=True)


def _link_or_copy(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def write_index(
    index_dir: Path, meta: IndexMeta, cards: list[ItemCard], collections: list[Collection]
) -> Path:
    """Write a complete generation from in-memory collections and make it current."""
    with GenerationWriter(index_dir, meta.generation) as gen:
        gen.add_cards(cards)
        for col in collections:
            gen.add_collection(col)
        return gen.publish(meta)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_work(index_dir: Path) -> None:
    """Temporary folders and files of builds that were killed (their pid is gone), with the
    journal SQLite keeps beside a table it was writing."""
    for path in [*index_dir.glob(".*.tmp"), *index_dir.glob(".*.tmp-journal")]:
        pid = next((int(p) for p in re.findall(r"[.-](\d+)[.-]", path.name) if 1 < int(p) < 1 << 22), None)
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue  # another build is writing it right now
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _remove_old_generations(index_dir: Path, keep: set[str]) -> None:
    _remove_abandoned_work(index_dir)
    for path in index_dir.glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    live = {read_meta(index_dir / name).freq_db for name in keep if (index_dir / name / "meta.json").exists()}
    for path in index_dir.glob(f"{FREQ_DB_PREFIX}*.sqlite"):
        if path.name not in live:
            path.unlink(missing_ok=True)


def current_generation_folder(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = index_dir / name
    return folder if (folder / "meta.json").exists() else None


def read_meta(folder: Path) -> IndexMeta:
    data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    # a field a later taizhang added is left aside (an older server can still serve its index;
    # what it cannot read well, like an unknown format, is judged by the fields it knows)
    return IndexMeta(**{k: v for k, v in data.items() if k in IndexMeta.__dataclass_fields__})


def _not_built(index_dir: Path, reason: str) -> IndexNotBuiltError:
    return IndexNotBuiltError(
        index_dir, reason, "run `taizhang build` (add --data-dir if you use one) to build it"
    )


def load_index(index_dir: Path) -> LoadedIndex:
    """Read the current generation. Raises IndexNotBuiltError with what to run when absent."""
    folder = current_generation_folder(index_dir)
    if folder is None:
        raise _not_built(index_dir, "no search index here")
    try:
        meta = read_meta(folder)
        if meta.format != FORMAT_VERSION:
            raise _not_built(folder, f"index format {meta.format}, this taizhang reads {FORMAT_VERSION}")
        cards = {c["item_id"]: ItemCard.model_validate(c) for c in array_items(folder / "cards.json")}
        collections = {}
        for name in COLLECTIONS:
            collections[name] = LoadedCollection(
                name=name,
                passages=PassageTable(array_items(folder / f"{name}.passages.json")),
                dense=DenseIndex.load(folder / f"{name}.faiss"),
                sparse=SparseIndex.load(folder / f"{name}.bm25"),
            )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _not_built(folder, f"search index is unreadable ({exc.__class__.__name__}: {exc})") from exc
    return LoadedIndex(meta=meta, cards=cards, collections=collections, folder=folder)
