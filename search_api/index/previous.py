"""The live index generation, read by the next build so that it copies what did not change.

A build lays documents out in doc_id order whether it starts from nothing or from a previous
generation, and a document's cards, passages, vectors and BM25 terms depend on that document
alone. So the rows of an unchanged document (same fingerprint) are copied from the previous
generation, bytes for bytes but for their row numbers, and only a new or changed document is
read from the registry, cut into passages, embedded and tokenized. A removed document is simply
not copied. The generation written is the one a build from nothing writes, file for file: the
tests compare the two (tests/search_api/test_incremental_index.py).

Why copy forward rather than add to and delete from the live files (a FAISS ``IndexIDMap2``
with ``remove_ids``, or segments with tombstones): search must give exactly the answers a full
rebuild gives, and those depend on the layout, not only on the set of passages. Equal scores are
common (documents repeat sentences: 各单位要高度重视…), and FAISS and the BM25 top-k take tied
rows in row order; ``remove_ids`` compacts the rows and appends new ones at the end, so a
changed document would move and win or lose its ties differently than after a rebuild. BM25
stores each entry's score, and every score depends on the number of passages and their mean
length, which any document changes: they are computed again from the copied integers (term
counts, lengths, document frequencies), which costs a few numpy passes, not a tokenization. The
price of copying is that a build still writes the whole generation (its cost grows with the
index's size in bytes, not with its texts); writing a new generation, never changing a served
one, is also what keeps a served, memory-mapped index safe and a crash harmless.

What makes a previous generation unusable (then the build starts from nothing): another
embedding model, another indexer version, terms cut another way (jieba, its user
words, the stopwords), a file missing or unreadable, or no ``documents.json`` (an index written
before this code).
"""

from __future__ import annotations

import json
import mmap
import os
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search_api.index import index as index_files
from search_api.index.index import COLLECTIONS, DocumentRows, GenerationWriter, IndexMeta, read_meta
from search_api.index.vectors import flat_vectors
from search_api.sparse.sparse_build import ROW_FILES, SparseBuilder

_PID = re.compile(rb'\{"pid":(\d+),')  # how a passage opens: its row
_CARD = re.compile(rb'\{"item_id":"')  # how a card opens
_SEPARATOR = b", "  # between items (GenerationWriter)
COPY_ROWS = 1 << 16  # clause rows copied per step: bounds what a copy holds at once


class PreviousUnreadable(Exception):
    """A file of the previous generation could not be read as written: the build starts again
    from nothing (``update_index``), which needs none of them."""


class _JsonItems:
    """A JSON array file of a generation, memory-mapped, cut where each item opens (``opening``
    matches there and nowhere else: inside a string JSON escapes every quote). ``numbered``:
    the opening holds the item's row, checked to run 0, 1, 2…"""

    def __init__(self, path: Path, opening: re.Pattern[bytes], count: int, numbered: bool = False) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""
        starts = array("q")
        for row, m in enumerate(opening.finditer(self._map)):
            if numbered and int(m.group(1)) != row:
                raise ValueError(f"{path.name}: row {row} is numbered {m.group(1).decode()}")
            starts.append(m.start())
        if len(starts) != count:
            raise ValueError(f"{path.name}: {len(starts)} items, its documents account for {count}")
        starts.append(self._map.rfind(b"]") + len(_SEPARATOR))  # where a next item would open
        self._starts, self._name = np.frombuffer(starts, dtype=np.int64), path.name

    def items(self, first: int, stop: int) -> bytes:
        """Items ``first:stop`` as the file holds them, joined by ", "."""
        if stop <= first:
            return b""
        a, b = int(self._starts[first]), int(self._starts[stop]) - len(_SEPARATOR)
        if stop < len(self._starts) - 1 and self._map[b:b + len(_SEPARATOR)] != _SEPARATOR:
            raise ValueError(f"{self._name}: item {stop - 1} does not end where the next begins")
        return self._map[a:b]


@dataclass
class _Collection:
    """One collection of the previous generation, opened lazily (only when something is copied)."""

    folder: Path
    name: str
    starts: np.ndarray  # per document, its first row
    _passages: _JsonItems | None = None
    _rows: dict[str, np.ndarray] = field(default_factory=dict)
    _entry_starts: np.ndarray | None = None
    _terms: list[str] | None = None
    _vectors: np.ndarray | None = None

    def passages(self, first: int, stop: int, new_first: int) -> bytes:
        """Rows ``first:stop`` as the passages file holds them, renumbered from ``new_first``."""
        if self._passages is None:
            self._passages = _JsonItems(self.folder / f"{self.name}.passages.json", _PID,
                                        int(self.starts[-1]), numbered=True)
        raw, delta = self._passages.items(first, stop), new_first - first
        return _PID.sub(lambda m: b'{"pid":%d,' % (int(m.group(1)) + delta), raw) if delta else raw

    def vectors(self, first: int, stop: int) -> np.ndarray:
        if self._vectors is None:
            self._vectors = flat_vectors(self.folder / f"{self.name}.faiss")
        return self._vectors[first:stop]

    def terms(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """(term ids, counts, widths, lengths, vocabulary) of rows ``first:stop``, for
        ``SparseBuilder.add_counted``."""
        if self._entry_starts is None:
            rows = self.folder / f"{self.name}.rows"
            self._rows = {name: np.load(rows / name, mmap_mode="r") for name in ROW_FILES}
            widths = self._rows["widths.npy"]
            self._entry_starts = np.concatenate([[0], np.cumsum(widths, dtype=np.int64)])
            if int(self._entry_starts[-1]) != len(self._rows["ids.npy"]) or len(widths) != len(self._rows["lengths.npy"]):
                raise ValueError(f"{self.name}.rows: its files disagree")
            vocab_file = self.folder / f"{self.name}.bm25" / "vocab.index.json"
            vocab = json.loads(vocab_file.read_text(encoding="utf-8")) if vocab_file.exists() else {}
            self._terms = [""] * len(vocab)
            for term, i in vocab.items():
                self._terms[i] = term
        e0, e1 = int(self._entry_starts[first]), int(self._entry_starts[stop])
        return (np.asarray(self._rows["ids.npy"][e0:e1]), np.asarray(self._rows["tfs.npy"][e0:e1]),
                np.asarray(self._rows["widths.npy"][first:stop]), np.asarray(self._rows["lengths.npy"][first:stop]),
                self._terms or [])


class PreviousGeneration:
    """The documents of the live generation and the means to copy runs of them into a new one."""

    def __init__(self, folder: Path, meta: IndexMeta, documents: list[DocumentRows]) -> None:
        self.folder, self.dim, self.meta = folder, meta.dim, meta
        self.documents = documents
        self.position = {d.doc_id: i for i, d in enumerate(documents)}
        self._collections = {
            name: _Collection(folder, name, _starts([d.rows(name) for d in documents])) for name in COLLECTIONS
        }
        self._card_starts = _starts([d.cards for d in documents])
        self._cards: _JsonItems | None = None

    def holds(self, fingerprints: list[tuple[str, str]]) -> bool:
        """True when this generation was built from exactly these (doc_id, fingerprint), in order."""
        return [(d.doc_id, d.fingerprint) for d in self.documents] == fingerprints

    def unchanged(self, doc_id: str, fingerprint: str) -> int | None:
        """The position of ``doc_id`` here when it was built from the same fingerprint."""
        at = self.position.get(doc_id)
        return at if at is not None and self.documents[at].fingerprint == fingerprint else None

    def copy(self, first: int, stop: int, gen: GenerationWriter, sparse: dict[str, SparseBuilder],
             rows: dict[str, int]) -> list[DocumentRows]:
        """Write documents ``first:stop`` (positions here) into ``gen`` and ``sparse``, their
        rows numbered from ``rows[name]`` (advanced). Returns their entries. Raises
        PreviousUnreadable when a file here is missing or not as this code writes it."""
        try:
            return self._copy(first, stop, gen, sparse, rows)
        except (OSError, ValueError, KeyError, IndexError) as exc:
            raise PreviousUnreadable(f"{self.folder.name}: {exc.__class__.__name__}: {exc}") from exc

    def _copy(self, first: int, stop: int, gen: GenerationWriter, sparse: dict[str, SparseBuilder],
              rows: dict[str, int]) -> list[DocumentRows]:
        if self._cards is None:
            self._cards = _JsonItems(self.folder / "cards.json", _CARD, int(self._card_starts[-1]))
        clauses = self._collections["clauses"].starts
        at = first
        while at < stop:  # a step at a time: what is held is bounded, whatever the run's length
            end = int(np.searchsorted(clauses, clauses[at] + COPY_ROWS, side="right")) - 1
            end = min(max(end, at + 1), stop)
            c0, c1 = int(self._card_starts[at]), int(self._card_starts[end])
            gen.copy_cards(self._cards.items(c0, c1), c1 - c0)
            for name, col in self._collections.items():
                r0, r1 = int(col.starts[at]), int(col.starts[end])
                if r1 > r0:
                    gen.copy_passages(name, col.passages(r0, r1, rows[name]), r1 - r0, col.vectors(r0, r1))
                    sparse[name].add_counted(*col.terms(r0, r1))
                    rows[name] += r1 - r0
            at = end
        return self.documents[first:stop]


def _starts(counts: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))]).astype(np.int64)


def open_previous(index_dir: Path, model_id: str, terms: str) -> PreviousGeneration | None:
    """The live generation when its documents can be copied into a build with this model (which
    fixes the vector size) and these terms; else None (the build starts from nothing)."""
    folder = index_files.current_generation_folder(index_dir)
    if folder is None or not (folder / "documents.json").exists():
        return None
    try:
        meta: IndexMeta = read_meta(folder)
        if (meta.format, meta.indexer, meta.model_id, meta.terms) != (
                index_files.FORMAT_VERSION, index_files.INDEXER_VERSION, model_id, terms):
            return None
        documents = [DocumentRows(**d) for d in json.loads((folder / "documents.json").read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None
    return PreviousGeneration(folder, meta, documents)
