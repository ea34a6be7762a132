"""Keyword search: BM25 (bm25s) over jieba words.

Chinese has no spaces, so BM25 is only as good as the segmentation. jieba's own dictionary
cuts 格里坪 into 格里/坪 and 钒钛 into 钒/钛; it gets a user dictionary of unit names
(``extractors.units.names.unit_user_words``) and place / domain words (``lexicons/places.yaml``).
Traditional text and queries are mapped to Simplified first (``pipeline.chinese.to_simplified``)
so 區域 meets 区域. Question and function words (``lexicons/stopwords.yaml``) are dropped.
``cut_for_search`` also emits the short words inside long ones (钒钛高新区 → 钒钛, 高新区), so a
query may name a part of a long name.

The tokenizer is built lazily, once per process (about 1 s: jieba's dictionary plus ours);
queries use the same table from SQLite instead (see ``SqliteFreq``), which loads at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from extractors.lexicon import load_yaml

from search_api.sparse.synonyms import LEXICON_DIR

PARAMS_FILE = "taizhang_sparse.json"


@functools.cache
def place_words(folder: Path = LEXICON_DIR) -> tuple[str, ...]:
    data = load_yaml("places.yaml", folder)
    return tuple(w for group in data["groups"] for w in group["words"])


@functools.cache
def stopwords(folder: Path = LEXICON_DIR) -> frozenset[str]:
    data = load_yaml("stopwords.yaml", folder)
    return frozenset(
        w.lower() for key in ("question_words", "function_words", "english") for w in data[key]
    )


@functools.cache
def frame_words(folder: Path = LEXICON_DIR) -> frozenset[str]:
    """Words naming the kind of answer wanted (牵头, 目标, 多少), not its topic."""
    return frozenset(w.lower() for w in load_yaml("stopwords.yaml", folder).get("frame_words", ()))


def _unit_words() -> list[str]:
    from extractors.units.names import unit_user_words

    return unit_user_words()


@functools.cache
def document_tokenizer():
    """A private jieba Tokenizer (never the global one other code may configure)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in (*_unit_words(), *place_words()):
        if len(word) >= 2:
            tokenizer.add_word(word)
    return tokenizer


# --------------------------------------------------------------------------------------------
# Fast loading for queries. Loading jieba's dictionary (~500k entries, plus ours) costs about
# a second, most of a cold `taizhang search`. The index build saves the very same frequency
# table to SQLite; a query then looks up only the few hundred fragments it needs, so query
# tokens are identical to those of the full tokenizer, without the load.

FREQ_DB_PREFIX = "jieba-freq-"


class SqliteFreq(Mapping):
    """Read-only ``jieba.Tokenizer.FREQ`` backed by SQLite (word → freq; 0 marks a prefix)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: dict[str, int | None] = {}
        with self._lock:
            self.total = int(self._db.execute("SELECT value FROM meta WHERE key='total'").fetchone()[0])
            self._size = int(self._db.execute("SELECT value FROM meta WHERE key='size'").fetchone()[0])

    def get(self, key, default=None):
        if key not in self._cache:
            with self._lock:
                row = self._db.execute("SELECT freq FROM freq WHERE word=?", (key,)).fetchone()
            self._cache[key] = None if row is None else int(row[0])
        value = self._cache[key]
        return default if value is None else value

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self):
        raise TypeError("SqliteFreq is looked up, not iterated")

    def __len__(self) -> int:
        return self._size


def freq_db_name() -> str:
    """File name of the frequency table for this jieba and these user words."""
    import jieba

    h = hashlib.sha256(getattr(jieba, "__version__", "").encode())
    for word in sorted({*_unit_words(), *place_words()}):
        h.update(word.encode() + b"\0")
    return f"{FREQ_DB_PREFIX}{h.hexdigest()[:16]}.sqlite"


def ensure_freq_db(folder: Path) -> Path:
    """Write the full tokenizer's frequency table to ``folder`` unless it is already there."""
    path = folder / freq_db_name()
    if path.exists():
        return path
    full = document_tokenizer()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"  # a killed build's is swept by the next one
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    with db:
        db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", full.FREQ.items())
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("total", str(full.total)), ("size", str(len(full.FREQ)))])
    db.close()
    os.replace(tmp, path)
    return path


@functools.lru_cache(maxsize=4)
def _query_tokenizer(freq_db: str):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    freq = SqliteFreq(Path(freq_db))
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, freq.total, True
    return tokenizer


def simplified(text: str) -> str:
    from pipeline.chinese import to_simplified

    return to_simplified(text)


_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true


def normalise(text: str) -> str:
    """What the tokenizer reads: simplified, NFKC (全角 → half width), lower case."""
    return unicodedata.normalize("NFKC", simplified(text)).lower()


def terms_of(norm: str, tokenizer) -> list[str]:
    stop = stopwords()
    words = (w.strip() for w in tokenizer.cut_for_search(norm, HMM=True))
    return [w for w in words if w and w not in stop and _ALNUM.search(w)]


def tokenize(text: str, freq_db: Path | None = None) -> list[str]:
    """BM25 terms of ``text``: simplified, NFKC (全角 → half width), lower case, jieba search
    mode, stopwords and punctuation dropped. ``freq_db``: a table written by
    ``ensure_freq_db``: same tokens, without loading jieba's dictionary (for queries)."""
    tokenizer = _query_tokenizer(str(freq_db)) if freq_db else document_tokenizer()
    return terms_of(normalise(text), tokenizer)


def query_terms(query: str, extra: Iterable[tuple[str, float]] = (),
                freq_db: Path | None = None) -> list[tuple[str, float]]:
    """Weighted terms of a query: its own words weigh 1, expansion words their weight
    (a word reached both ways keeps its highest weight)."""
    weights: dict[str, float] = {}
    for word in tokenize(query, freq_db):
        weights[word] = 1.0
    for phrase, weight in extra:
        for word in tokenize(phrase, freq_db):
            weights[word] = max(weights.get(word, 0.0), weight)
    return list(weights.items())


def top_scores(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best ``(row, score)`` pairs with a score above 0, best first; ties in row order.

    The same list as ``np.argsort(-scores, kind="stable")[:k]`` without its zeros, without
    sorting every row: a BM25 query scores each of a collection's rows (1.7 million at 10,000
    documents) and only rows holding a query word score above 0. Those are kept, and when more
    than ``k`` remain ``np.argpartition`` finds the k-th best score in linear time; only the rows
    at or above it are sorted. Rows tied with the k-th score are taken in row order, as the
    stable sort takes them.
    """
    if k <= 0 or not len(scores):
        return []
    rows = np.flatnonzero(scores > 0)
    if len(rows) > k:
        kth = scores[rows[np.argpartition(scores[rows], len(rows) - k)[len(rows) - k]]]
        above = rows[scores[rows] > kth]
        tied = rows[scores[rows] == kth][: k - len(above)]
        rows = np.concatenate([above, tied])
    order = rows[np.lexsort((rows, -scores[rows]))]
    return [(int(r), float(scores[r])) for r in order]


class SparseIndex:
    """A BM25 index over a list of texts; row i scores text i."""

    def __init__(self, retriever, size: int) -> None:
        self._retriever = retriever
        self.size = size

    def scores(self, terms: Sequence[tuple[str, float]]) -> np.ndarray:
        """BM25 score of each row for weighted terms (``sum_t w_t * bm25(t, row)``)."""
        total = np.zeros(self.size, dtype=np.float32)
        if not self.size:
            return total
        vocab = self._retriever.vocab_dict
        for term, weight in terms:
            if term in vocab and term:
                total += weight * self._retriever.get_scores_from_ids([vocab[term]])
        return total

    @property
    def vocabulary(self) -> set[str]:
        return set(getattr(self._retriever, "vocab_dict", None) or {})

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency of ``term``; a term no row contains gets the
        highest value (it is the most specific thing a query can ask for)."""
        n = self.size
        vocab = getattr(self._retriever, "vocab_dict", None) or {}
        df = 0
        if term in vocab:
            indptr = self._retriever.scores["indptr"]
            token = vocab[term]
            df = int(indptr[token + 1] - indptr[token])
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._retriever.save(str(folder), show_progress=False)
        tmp = folder / f".{PARAMS_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps({"size": self.size}), encoding="utf-8")
        os.replace(tmp, folder / PARAMS_FILE)

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex":
        import bm25s

        size = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))["size"]
        if not size:
            return cls(bm25s.BM25(), 0)
        # memory-mapped, as the dense vectors are (``DenseIndex.load``): processes serving one
        # generation share its score arrays in the page cache
        retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False, verbosity=0)
        return cls(retriever, size)


def find_terms(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` spans of ``terms`` in ``text`` (compared on the simplified,
    lower-cased text, which has the same length, so spans are valid on ``text``)."""
    haystack = simplified(text)
    if len(haystack.lower()) == len(haystack):  # lower() may lengthen a few rare letters
        haystack = haystack.lower()
    spans: list[tuple[int, int]] = []
    for term in {t for t in terms if t}:
        start = haystack.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = haystack.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
