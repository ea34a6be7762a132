"""Building the BM25 index in memory that does not grow with Python objects.

``bm25s.BM25.index`` wants every text's token list at once: at 10,000 documents that is ~1.5
million lists of ~60 million ``str`` objects, gigabytes before scoring starts. ``SparseBuilder``
takes one text at a time and keeps only integers: a vocabulary (term → id), and per text its
distinct term ids and their counts, in compact arrays that spill to a file past a bound. At
the end it computes exactly the scores ``bm25s`` computes (method ``lucene``; a test checks
the two agree bit for bit) and fills the same CSC arrays, so ``SparseIndex.load`` and the
query path read the result unchanged.

Tokenizing (jieba, ~1 ms a clause) was most of the build's time. ``TokenCache`` keeps the terms
of every normalised text in SQLite, as ``EmbeddingCache`` keeps vectors: a rebuild tokenizes
only texts it has not seen, and a text repeated across documents is cut once.

Every BM25 score depends on the number of texts and their mean length, which one new text
changes; so a generation also keeps each text's term ids, counts and length (``save_rows``),
and a build that copies an unchanged document reads those back (``add_counted``) and scores
every entry again from integers, exactly as a build from nothing does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from search_api.sparse.sparse import (
    PARAMS_FILE, SparseIndex, document_tokenizer, freq_db_name, normalise, stopwords, terms_of, tokenize,
)

# Bump when ``sparse.terms_of`` changes what it returns for a normalised text: cached terms of
# older code are then ignored. (The jieba version, its user words and the stopwords are part of
# the cache key already; simplification is not, it happens before the key is taken.)
TERMS_VERSION = 1
SPILL_ENTRIES = 1 << 20  # term ids kept in memory before they are appended to the spill file
CHUNK_ENTRIES = 1 << 19  # entries scored per numpy step at the end (~40 MB of temporaries)
RANGE_ENTRIES = 1 << 22  # entries of the result held at once while it is written (32 MB)
ROW_FILES = ("ids.npy", "tfs.npy", "widths.npy", "lengths.npy")  # SparseBuilder.save_rows


@functools.cache
def _key_prefix() -> bytes:
    h = hashlib.sha256(f"terms-{TERMS_VERSION}\0{freq_db_name()}\0".encode())
    for word in sorted(stopwords()):
        h.update(word.encode() + b"\0")
    return h.digest()


def terms_identity() -> str:
    """Names how ``tokenize`` cuts here (jieba, user words, stopwords, this code): a build copies
    no terms from an index that recorded another (``search_api/index/previous.py``)."""
    return _key_prefix().hex()[:16]


class TermCache(Protocol):
    """Where ``tokenize_many`` keeps terms by ``TokenCache.key``: ``TokenCache`` (a local
    SQLite file) or ``PgTokenCache`` (``search_api/index/pg_caches.py``, shared through
    PostgreSQL)."""

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, list[str]]: ...

    def put_many(self, items: Sequence[tuple[bytes, list[str]]]) -> None: ...


class TokenCache:
    """SQLite table of BM25 terms keyed by sha256(tokenizer id, normalised text). Safe to
    delete any time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose recent rows, not corrupt
        self._db.execute("CREATE TABLE IF NOT EXISTS terms (key BLOB PRIMARY KEY, terms TEXT)")

    @staticmethod
    def key(norm: str) -> bytes:
        return hashlib.sha256(_key_prefix() + norm.encode("utf-8")).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, list[str]]:
        found: dict[bytes, list[str]] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, terms FROM terms WHERE key IN ({marks})", chunk)
            for key, joined in rows:
                found[key] = joined.split("\n") if joined else []
        return found

    def put_many(self, items: Sequence[tuple[bytes, list[str]]]) -> None:
        # Terms are joined by newlines: jieba yields whitespace as tokens of its own, which are
        # dropped, so no term holds one (a text whose terms did would simply not be cached).
        rows = [(k, joined) for k, terms in items
                if (joined := "\n".join(terms)).count("\n") == max(len(terms) - 1, 0)]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def tokenize_many(texts: Sequence[str], cache: TermCache | None) -> tuple[list[list[str]], int]:
    """``sparse.tokenize`` of each text, cutting only texts the cache does not hold (and each
    distinct text once). Returns the term lists and how many texts were cut."""
    norms = [normalise(t) for t in texts]
    keys = [TokenCache.key(n) for n in norms]
    known = cache.get_many(keys) if cache is not None else {}
    new: dict[bytes, list[str]] = {}
    out = []
    for norm, key in zip(norms, keys):
        terms = known.get(key)
        if terms is None:
            terms = new.get(key)
            if terms is None:
                terms = new[key] = terms_of(norm, document_tokenizer())
        out.append(terms)
    if cache is not None and new:
        cache.put_many(list(new.items()))
    return out, len(new)


class SparseBuilder:
    """Add texts' terms one after another (row i is the i-th added), then ``save(folder)``
    (streamed to disk) or ``build()`` (in memory).

    spill_dir: where term ids, counts and scores go once more than ``SPILL_ENTRIES`` are held
        (None: keep them in memory, for small indexes). With it, what the builder holds is the
        vocabulary and 16 bytes per text; ``save`` adds ``CHUNK_ENTRIES`` and ``RANGE_ENTRIES``
        worth of temporaries, whatever the number of texts.
    k1, b: as ``build_sparse_index``.
    """

    def __init__(self, spill_dir: Path | None = None, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self._lengths = array("q")  # terms per text, repeats included (BM25's document length)
        self._widths = array("q")  # distinct terms per text
        self._ids, self._tfs = array("i"), array("i")
        self._scores: array | np.ndarray = array("f")  # filled at the end (in memory when not spilled)
        self._spill_dir = spill_dir
        self._spill: tuple[BinaryIO, BinaryIO, BinaryIO] | None = None
        self._spilled = 0

    @property
    def size(self) -> int:
        return len(self._lengths)

    def add(self, terms: Sequence[str]) -> None:
        counts = Counter(terms or [""])  # an empty text is one empty term, as bm25s indexes it
        vocab = self.vocab
        for term, n in counts.items():
            self._ids.append(vocab.setdefault(term, len(vocab)))
            self._tfs.append(n)
        self._lengths.append(max(len(terms), 1))
        self._widths.append(len(counts))
        if self._spill_dir is not None and len(self._ids) >= SPILL_ENTRIES:
            self._flush()

    def add_counted(self, ids: np.ndarray, tfs: np.ndarray, widths: np.ndarray, lengths: np.ndarray,
                    terms: Sequence[str]) -> None:
        """Many texts' terms as ``save_rows`` wrote them (ids into ``terms``, counts, ``widths``
        of them per text, lengths): exactly what ``add`` on each text again would hold (new ids
        in order of first appearance), without tokenizing or counting."""
        if not len(widths):
            return
        seen, first = np.unique(ids, return_index=True)
        remap, vocab = np.zeros(len(terms), dtype=np.int64), self.vocab
        for old in seen[np.argsort(first, kind="stable")].tolist():
            remap[old] = vocab.setdefault(terms[old], len(vocab))
        self._ids.frombytes(remap[ids].astype(np.int32).tobytes())
        self._tfs.frombytes(np.ascontiguousarray(tfs, dtype=np.int32).tobytes())
        self._widths.frombytes(np.ascontiguousarray(widths, dtype=np.int64).tobytes())
        self._lengths.frombytes(np.ascontiguousarray(lengths, dtype=np.int64).tobytes())
        if self._spill_dir is not None and len(self._ids) >= SPILL_ENTRIES:
            self._flush()

    def save_rows(self, folder: Path) -> None:
        """Write what ``add_counted`` reads back (``ROW_FILES``; ids into the vocabulary ``save``
        writes). Call before ``save``, which frees the builder."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, values in (("widths.npy", self._widths), ("lengths.npy", self._lengths)):
            np.save(folder / name, np.array(values, dtype=np.int64))
        if self._spill is not None:
            self._flush()  # every entry in the spill files
        for which, name in ((0, "ids.npy"), (1, "tfs.npy")):
            with open(folder / name, "wb") as out:
                if self._spill is None:
                    np.save(out, np.frombuffer((self._ids, self._tfs)[which], dtype=np.int32))
                    continue
                np.lib.format.write_array_header_1_0(out, {"descr": "<i4", "fortran_order": False, "shape": (self._spilled,)})
                self._spill[which].flush()
                self._spill[which].seek(0)
                shutil.copyfileobj(self._spill[which], out, 1 << 22)

    def _flush(self) -> None:
        if self._spill is None:
            assert self._spill_dir is not None
            self._spill_dir.mkdir(parents=True, exist_ok=True)
            names = ("ids.bin", "tfs.bin", "scores.bin")
            self._spill = tuple(open(self._spill_dir / name, "w+b") for name in names)
        self._spill[0].write(self._ids.tobytes())
        self._spill[1].write(self._tfs.tobytes())
        self._spilled += len(self._ids)
        self._ids, self._tfs = array("i"), array("i")

    def _read(self, which: int, start: int, stop: int, dtype=np.int32) -> np.ndarray:
        """Entries ``start:stop`` of the term ids (0), counts (1) or scores (2), from the spill
        files once there are any (``_score`` moves every entry there first)."""
        if self._spill is None:
            return np.frombuffer((self._ids, self._tfs, self._scores)[which], dtype=dtype)[start:stop]
        f = self._spill[which]
        f.seek(start * 4)
        return np.fromfile(f, dtype=dtype, count=stop - start)

    def _score(self) -> _Layout:
        """Document frequencies, idf and every entry's score (kept beside the term ids)."""
        if self._spill is not None:
            self._flush()  # everything on disk: entries are then read from the files alone
            for f in self._spill:
                f.flush()
        n_docs, n_vocab = self.size, len(self.vocab)
        lengths = np.frombuffer(self._lengths, dtype=np.int64)
        widths = np.frombuffer(self._widths, dtype=np.int64)
        ends = np.cumsum(widths)
        chunks = []  # (first text, last text, first entry, last entry): whole texts per chunk
        first = 0
        while first < n_docs:
            e0 = int(ends[first - 1]) if first else 0
            last = min(max(int(np.searchsorted(ends, e0 + CHUNK_ENTRIES, side="right")), first + 1), n_docs)
            chunks.append((first, last, e0, int(ends[last - 1])))
            first = last
        df = np.zeros(n_vocab, dtype=np.int64)
        for _, _, e0, e1 in chunks:
            df += np.bincount(self._read(0, e0, e1), minlength=n_vocab)
        idf = _lucene_idf(df, n_docs)
        avg_len = lengths.mean()
        scores = self._spill[2] if self._spill is not None else None
        held = []
        for first, last, e0, e1 in chunks:
            ids, tfs = self._read(0, e0, e1), self._read(1, e0, e1)
            chunk = _lucene_scores(tfs, np.repeat(lengths[first:last], widths[first:last]), idf[ids],
                                   avg_len, self.k1, self.b)
            if scores is not None:
                scores.write(chunk.tobytes())
            else:
                held.append(chunk)
        if scores is not None:
            scores.flush()
        else:
            self._scores = np.concatenate(held)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return _Layout(n_docs, widths, chunks, indptr)

    def _column_runs(self, layout: _Layout) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The CSC ``(data, indices)`` of consecutive column ranges, in column order, each range
        holding at most ~``RANGE_ENTRIES`` entries: one scan of the entries per range."""
        indptr = layout.indptr
        v0, n_vocab = 0, len(indptr) - 1
        while v0 < n_vocab:
            v1 = int(np.searchsorted(indptr, indptr[v0] + RANGE_ENTRIES, side="right")) - 1
            v1 = min(max(v1, v0 + 1), n_vocab)  # at least one column, however long
            base = int(indptr[v0])
            data = np.empty(int(indptr[v1]) - base, dtype=np.float32)
            indices = np.empty(len(data), dtype=np.int32)
            cursor = indptr[v0:v1] - base
            for first, last, e0, e1 in layout.chunks:
                ids = self._read(0, e0, e1)
                inside = (ids >= v0) & (ids < v1)
                if not inside.any():
                    continue
                local = ids[inside] - v0
                rows = np.repeat(np.arange(first, last, dtype=np.int32), layout.widths[first:last])[inside]
                scores = self._read(2, e0, e1, np.float32)[inside]
                order = np.argsort(local, kind="stable")  # rows stay ascending within a column
                local = local[order]
                run_starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
                run_lengths = np.diff(np.r_[run_starts, len(local)])
                at = cursor[local] + np.arange(len(local)) - np.repeat(run_starts, run_lengths)
                indices[at] = rows[order]
                data[at] = scores[order]
                cursor[local[run_starts]] += run_lengths
            yield data, indices
            v0 = v1

    def _vocab_dict(self) -> dict[str, int]:
        vocab = self.vocab
        if "" not in vocab:
            vocab[""] = len(vocab)  # as bm25s adds it (queries never look it up)
        return vocab

    def build(self) -> SparseIndex:
        """The index, in memory (for small collections; ``save`` streams to disk instead)."""
        import bm25s

        retriever = bm25s.BM25(k1=self.k1, b=self.b)
        if self.size == 0:
            return SparseIndex(retriever, 0)
        layout = self._score()
        runs = list(self._column_runs(layout))
        retriever.scores = {"data": np.concatenate([d for d, _ in runs]),
                            "indices": np.concatenate([i for _, i in runs]),
                            "indptr": layout.indptr, "num_docs": layout.n_docs}
        retriever.vocab_dict = self._vocab_dict()
        retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
        retriever.nonoccurrence_array = None
        self.close()
        return SparseIndex(retriever, layout.n_docs)

    def save(self, folder: Path) -> None:
        """Write the index as ``SparseIndex.save`` would (the files bm25s reads), one column range
        at a time, so the result is never held whole. Frees the builder."""
        import bm25s

        if self.size == 0:
            self.close()
            SparseIndex(bm25s.BM25(k1=self.k1, b=self.b), 0).save(folder)
            return
        layout = self._score()
        folder.mkdir(parents=True, exist_ok=True)
        nnz = int(layout.indptr[-1])
        with open(folder / "data.csc.index.npy", "wb") as data_file, \
                open(folder / "indices.csc.index.npy", "wb") as indices_file:
            for f, dtype in ((data_file, "<f4"), (indices_file, "<i4")):
                np.lib.format.write_array_header_1_0(f, {"descr": dtype, "fortran_order": False, "shape": (nnz,)})
            for data, indices in self._column_runs(layout):
                data_file.write(data.tobytes())
                indices_file.write(indices.tobytes())
        np.save(folder / "indptr.csc.index.npy", layout.indptr)
        vocab = json.dumps(self._vocab_dict(), ensure_ascii=False)
        (folder / "vocab.index.json").write_text(vocab, encoding="utf-8")
        params = _bm25s_params(self.k1, self.b, layout.n_docs)
        (folder / "params.index.json").write_text(json.dumps(params, indent=4))
        (folder / PARAMS_FILE).write_text(json.dumps({"size": layout.n_docs}), encoding="utf-8")
        self.close()

    def close(self) -> None:
        """Drop the held arrays and the spill files."""
        self._ids, self._tfs, self._scores = array("i"), array("i"), array("f")
        self._lengths, self._widths = array("q"), array("q")
        if self._spill is not None:
            for f in self._spill:
                f.close()
                Path(f.name).unlink(missing_ok=True)
            self._spill = None


@dataclass
class _Layout:
    n_docs: int
    widths: np.ndarray  # distinct terms per text
    chunks: list[tuple[int, int, int, int]]  # first text, last text, first entry, last entry
    indptr: np.ndarray  # CSC column starts (one column per vocabulary id)


def _bm25s_params(k1: float, b: float, n_docs: int) -> dict:
    """``params.index.json`` as ``bm25s.BM25.save`` writes it for a default retriever."""
    import bm25s

    r = bm25s.BM25(k1=k1, b=b)
    return {"k1": r.k1, "b": r.b, "delta": r.delta, "method": r.method, "idf_method": r.idf_method,
            "dtype": r.dtype, "int_dtype": r.int_dtype, "num_docs": n_docs, "version": bm25s.__version__,
            "backend": r.backend}


def _lucene_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """bm25s's lucene idf, float32, computed with ``math.log`` as bm25s does (numpy's log may
    differ in the last bit); one log per distinct document frequency."""
    values, inverse = np.unique(df, return_inverse=True)
    logs = np.array([math.log(1 + (n_docs - v + 0.5) / (v + 0.5)) if v else 0.0 for v in values.tolist()])
    return logs.astype(np.float32)[inverse.reshape(-1)]


def _lucene_scores(tfs: np.ndarray, lengths: np.ndarray, idf: np.ndarray, avg_len: np.float64,
                   k1: float, b: float) -> np.ndarray:
    """Per entry ``idf * tf / (k1 * (1 - b + b * len / avg) + tf)``, with bm25s's operation
    order and precisions (float64 arithmetic on a float32 idf, stored as float32)."""
    tf = tfs.astype(np.float64)
    saturation = k1 * ((1 - b) + b * lengths / avg_len)
    return (idf.astype(np.float64) * (tf / (saturation + tf))).astype(np.float32)


def build_sparse_index(texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> SparseIndex:
    """A BM25 index over ``texts``. k1: term-frequency saturation (lower: repeated words count
    less; policy texts repeat their key words a lot). b: length normalisation (1 = full)."""
    builder = SparseBuilder(k1=k1, b=b)
    for text in texts:
        builder.add(tokenize(text))
    return builder.build()
