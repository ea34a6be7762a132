"""A build killed while it wrote the tokenizer's frequency table leaves a temporary table and
SQLite's journal beside it; the next build sweeps both, and never a live build's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search_api.index import index as index_module
from search_api.sparse.sparse import freq_db_name


def test_a_killed_builds_frequency_table_and_journal_are_swept(tmp_path: Path) -> None:
    dead = 4_194_300  # below the pid ceiling the sweep reads, and not running here
    if index_module._pid_alive(dead):
        pytest.skip("the pid chosen as dead is running on this machine")
    name = freq_db_name()
    killed = [tmp_path / f".{name}.{dead}.tmp", tmp_path / f".{name}.{dead}.tmp-journal"]
    running = tmp_path / f".{name}.{os.getppid()}.tmp"  # another process, alive
    for path in (*killed, running):
        path.write_bytes(b"partial")
    index_module._remove_abandoned_work(tmp_path)
    assert not any(p.exists() for p in killed)
    assert running.exists()  # a build still writing keeps its work
