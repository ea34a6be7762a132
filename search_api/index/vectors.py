"""The dense half of an index collection on disk: a FAISS ``IndexFlatIP`` file, searched
(``DenseIndex``) or written batch by batch as a build streams (``FlatVectorWriter``).

Vectors are L2-normalised, so inner product (``IndexFlatIP``) is cosine similarity. Flat search
is exact and takes ~1 ms per query at 10k passages (~17 ms at 100k).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

FAISS_THREADS = 1  # one query at a time per thread: OpenMP threads cost a query more than they save


class DenseIndex:
    """Exact inner-product search over normalised vectors.

    FAISS parallelises a search with OpenMP, whose thread count is a per-thread setting: a
    server answers each request in a thread of its pool, which never saw a setting made in the
    thread that loaded the index and ran searches with OpenMP's default (every core). Measured at
    1,000 documents, that made a query over HTTP 3× slower than in process (75 against 21 ms), so
    ``search`` sets the count in the thread that runs it, every call (a store into the thread's
    OpenMP state, well under a microsecond).
    """

    def __init__(self, index, threads: int = FAISS_THREADS) -> None:
        self._index = index
        self.threads = threads

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def faiss_index(self):
        """The faiss index searched (to save it elsewhere, or to wrap it)."""
        return self._index

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int) -> "DenseIndex":
        import faiss

        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(row, cosine)`` pairs, best first."""
        k = min(k, self.size)
        if k <= 0:
            return []
        import faiss

        faiss.omp_set_num_threads(self.threads)  # this thread's setting (see the class)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, rows = self._index.search(q, k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, path: Path) -> None:
        import faiss

        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, mapped: bool = True) -> "DenseIndex":
        """The index in ``path``. mapped (default True): the vectors are memory-mapped read-only
        from the file, not copied into this process. A generation's files never change, so
        every process serving it (``taizhang serve --workers N``, or a second server on the
        machine) shares one copy in the page cache instead of holding N; the cost is that the
        first searches read the file's pages in. A file faiss could not map safely (another
        layout) is read into memory as before; one whose size disagrees with its header is
        refused (ValueError) before mapping, because faiss crashes the process reading past
        the end of a mapped file."""
        import faiss

        if mapped and _whole_flat_file(path):
            return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC))
        return cls(faiss.read_index(str(path)))


class FlatVectorWriter:
    """Writes an ``IndexFlatIP`` file (what ``DenseIndex.save`` writes) batch by batch: vectors
    go straight to disk and the counts in the header are filled in by ``close()``, so a build
    never holds every vector (1.5 GB at 10,000 documents). The layout is checked against faiss's
    own serialisation first; were it ever different (another faiss), the vectors are collected
    in a faiss index in memory and saved the usual way."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path, self.dim, self.size = path, dim, 0
        self._empty = _flat_file_header(dim)
        self._file, self._memory = None, None
        if self._empty is not None:
            self._file = open(path, "wb")
            self._file.write(self._empty)
        else:
            import faiss

            self._memory = faiss.IndexFlatIP(dim)

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if self._file is not None:
            self._file.write(vectors.tobytes())
        else:
            self._memory.add(vectors)
        self.size += len(vectors)

    def close(self) -> None:
        if self._file is None:
            if self._memory is not None:
                DenseIndex(self._memory).save(self.path)
                self._memory = None
            return
        self._file.seek(0)
        self._file.write(_flat_header(self._empty, self.size, self.dim))
        self._file.close()
        self._file = None

    def discard(self) -> None:
        """Stop writing (the file is left for the caller to remove)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._memory = None


def _flat_header(empty: bytes, n: int, dim: int) -> bytes:
    # fourcc, d, ntotal, 2 unused, is_trained, metric; then the length of the data in floats
    out = bytearray(empty)
    out[8:16] = n.to_bytes(8, "little")
    out[-8:] = (n * dim).to_bytes(8, "little")
    return bytes(out)


@functools.lru_cache(maxsize=8)
def _flat_file_header(dim: int) -> bytes | None:
    """faiss's serialisation of an empty ``IndexFlatIP(dim)``, if ``_flat_header`` reproduces
    what faiss writes for vectors (checked on two); else None."""
    import faiss

    empty = faiss.serialize_index(faiss.IndexFlatIP(dim)).tobytes()
    probe = np.arange(2 * dim, dtype=np.float32).reshape(2, dim) / dim
    index = faiss.IndexFlatIP(dim)
    index.add(probe)
    written = faiss.serialize_index(index).tobytes()
    if _flat_header(empty, 0, dim) != empty or written != _flat_header(empty, 2, dim) + probe.tobytes():
        return None
    return empty


def flat_vectors(path: Path) -> np.ndarray:
    """The vectors of an ``IndexFlatIP`` file ``FlatVectorWriter`` wrote, memory-mapped read-only
    as a (rows, dim) array: a build copies the unchanged ones into its new generation without
    loading the index. ValueError for a file in another layout or cut short."""
    if not _whole_flat_file(path):
        raise ValueError(f"{path.name}: not a flat vector file this code can read")
    with open(path, "rb") as f:
        head = f.read(16)
    dim = int.from_bytes(head[4:8], "little", signed=True)
    count = int.from_bytes(head[8:16], "little")
    header = len(_flat_file_header(dim) or b"")
    if count == 0:
        return np.zeros((0, dim), dtype=np.float32)
    return np.memmap(path, dtype=np.float32, mode="r", offset=header, shape=(count, dim))


MAX_MAPPED_DIM = 1 << 16  # a larger vector size in a header is read as damage, not mapped


def _whole_flat_file(path: Path) -> bool:
    """True when ``path`` is an ``IndexFlatIP`` file in the layout ``FlatVectorWriter`` writes
    and holds exactly the vectors its header counts; False for a layout this code does not know
    (faiss reads it itself). Raises ValueError for a flat file cut short or padded."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(16)
        if len(head) < 16:
            raise ValueError(f"{path.name}: {size} bytes, too short for a vector index")
        dim = int.from_bytes(head[4:8], "little", signed=True)
        if not 0 < dim <= MAX_MAPPED_DIM:
            return False
        empty = _flat_file_header(dim)
        if empty is None or head[:4] != empty[:4]:
            return False
        count = int.from_bytes(head[8:16], "little")
        f.seek(0)
        header = f.read(len(empty))
    if header != _flat_header(empty, count, dim) or size != len(empty) + count * dim * 4:
        raise ValueError(f"{path.name}: {size} bytes, its header counts {count} vectors of {dim}")
    return True
