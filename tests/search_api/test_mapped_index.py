"""A loaded generation maps its vector and BM25 files instead of copying them, so the processes
serving one generation (``taizhang serve --workers N``) share one copy in the page cache; a
damaged vector file is refused before it is mapped (faiss crashes reading past a mapped end)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import IndexNotBuiltError
from search_api.embedding.embed import FakeEmbedder
from search_api.index.index import load_index
from search_api.index.indexing import update_index
from search_api.index.vectors import DenseIndex
from tests.search_api.search_fixtures import FakeRegistry, fake_settings, small_corpus


def _mapped_files() -> set[str]:
    """Files this process maps shared and read-only (``r--s``): the pages other processes share."""
    found = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[1].startswith("r") and fields[1].endswith("s"):
                found.add(fields[5].strip())
    return found


@pytest.fixture
def generation(tmp_path: Path) -> Path:
    return Path(update_index(fake_settings(tmp_path), FakeRegistry(small_corpus())).path)


def test_a_loaded_generation_maps_its_vectors_and_scores_shared(generation: Path) -> None:
    index = load_index(generation.parent)
    mapped = _mapped_files()
    for name, collection in index.collections.items():
        assert collection.dense.size > 0
        assert str(generation / f"{name}.faiss") in mapped, f"{name}: vectors copied into the process"
        assert str(generation / f"{name}.bm25" / "data.csc.index.npy") in mapped, f"{name}: BM25 scores copied"


def test_mapped_and_copied_vectors_answer_alike(generation: Path) -> None:
    query = FakeEmbedder().embed_query("融资担保增信")
    for name in ("measures", "clauses"):
        mapped = DenseIndex.load(generation / f"{name}.faiss")
        copied = DenseIndex.load(generation / f"{name}.faiss", mapped=False)
        assert mapped.search(query, 10) == copied.search(query, 10)


@pytest.mark.parametrize("damage", ["cut to 30 bytes", "one vector short", "padded"])
def test_a_damaged_vector_file_is_refused_not_mapped(generation: Path, damage: str) -> None:
    path = generation / "clauses.faiss"
    size = os.path.getsize(path)
    dim = FakeEmbedder().dim
    if damage == "padded":
        with open(path, "ab") as f:
            f.write(np.zeros(dim, np.float32).tobytes())
    else:
        os.truncate(path, 30 if damage == "cut to 30 bytes" else size - dim * 4)
    with pytest.raises(IndexNotBuiltError, match="unreadable"):
        load_index(generation.parent)
