"""Adding one document to an embedded index of N documents, measured:

    python -m bench.incremental --docs 1000 [--registry-from DIR]

Writes N + 1 synthetic documents (bench/synthetic.py) and builds the registry of the first N
into ``--work``/data (or copies ``registry.sqlite`` and ``cache/`` from ``--registry-from``, a
data dir ``bench.run``'s scaling step built for the same N: that registry takes minutes to
build). Then, with the fake embedder: the index built whole (warm caches: every vector and term
cached), the last document added to the registry, the index updated (documents copied from the
live generation), the same index built whole again (what every update cost before), one
document removed and the index updated, and whether the updated and the rebuilt generations
hold the same files. Prints JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

from bench.measure import peak_rss_mb
from bench.synthetic import make_corpus
from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.index.index import current_generation_folder
from search_api.index.indexing import update_index


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "meta.json"}


def _index(settings: Settings, full: bool = False):
    with Registry.open(settings) as registry:
        return _timed(lambda: update_index(settings, registry, full=full))


def measure(n_docs: int, work: Path, registry_from: Path | None) -> dict:
    files = make_corpus(n_docs + 1, work / "docs")
    extra = work / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir(parents=True)
    shutil.move(files[-1], extra / files[-1].name)
    settings = Settings(data_dir=work / "data", embedding_model="fake")
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    settings.data_dir.mkdir(parents=True)
    out: dict = {"documents": n_docs}
    if registry_from is not None:
        for name in ("registry.sqlite", "registry.sqlite-wal"):
            if (registry_from / name).exists():
                shutil.copy(registry_from / name, settings.data_dir / name)
        shutil.copytree(registry_from / "cache", settings.data_dir / "cache")
        out["registry_from"] = str(registry_from)
    else:
        _, out["registry_build_s"] = _timed(lambda: build_registry([work / "docs"], settings, progress=False))
        _index(settings)  # fills the caches, as a data dir in use has them
    report, out["index_whole_warm_s"] = _index(settings, full=True)
    out["passages"] = report.passages + report.measures + report.context_items
    _, out["add_one_registry_s"] = _timed(lambda: build_registry([extra], settings, progress=False))
    added, out["add_one_index_s"] = _index(settings)
    out["add_one_embedded"] = added.embedded
    updated = _digest(current_generation_folder(settings.index_dir))
    _, out["add_one_index_whole_s"] = _index(settings, full=True)
    out["same_files_as_whole_rebuild"] = updated == _digest(current_generation_folder(settings.index_dir))
    with Registry.open(settings) as registry:
        registry.remove_document(registry.documents()[0].doc_id)
    _, out["remove_one_index_s"] = _index(settings)
    _, out["nothing_changed_index_s"] = _index(settings)
    out["index_mb"] = round(sum(p.stat().st_size for p in current_generation_folder(settings.index_dir).rglob("*")
                                if p.is_file()) / 1e6)
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the index before one is added")
    parser.add_argument("--work", type=Path, default=Path("/tmp/taizhang-bench/incremental"), help="scratch folder")
    parser.add_argument("--registry-from", type=Path, help="a data dir whose registry.sqlite and cache/ to copy")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.docs, args.work, args.registry_from), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
