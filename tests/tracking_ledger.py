"""A registry over the bundled corpus, built once per test module and copied for each test (a
test may edit the corpus and rebuild), and a quick export of its 任务分工表."""

from __future__ import annotations

import shutil
from pathlib import Path

from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from extractors.tracking.service import export_tracked
from pipeline.settings import Settings


def build_corpus_ledger(corpus_dir: Path, folder: Path, **settings: object) -> Settings:
    corpus = folder / "corpus"
    shutil.copytree(corpus_dir, corpus)
    built = Settings(data_dir=folder / "data", corpus_dir=corpus, build_workers=1, **settings)
    assert not build_registry([], built, progress=False).failed
    return built


def copy_ledger(built: Settings, folder: Path) -> Settings:
    """A copy of ``built`` (corpus and data) in ``folder``; the registry keeps its identity."""
    shutil.copytree(built.corpus_dir, folder / "corpus")
    shutil.copytree(built.data_dir, folder / "data")
    return built.model_copy(update={"corpus_dir": folder / "corpus", "data_dir": folder / "data"})


def export_xlsx(settings: Settings, out: Path) -> Path:
    """The tracked 任务分工表 without the consistency checks (not what these tests look at)."""
    with Registry.open(settings) as registry:
        return export_tracked(registry, "xlsx", out)
