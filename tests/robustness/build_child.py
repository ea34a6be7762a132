"""A build in its own process, for test_atomic_build.py to kill: ``python -m tests.robustness.build_child
DATA_DIR PATH...`` imports everything, prints ``READY`` (so kills land in the work, not in the
imports), runs what ``taizhang build`` runs (registry, then search index) and prints
``DONE <seconds> <seconds of the registry phase> ok|failed``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from extractors.registry.build_cli import run_build_command
    from search_api.index.indexing import index_step
    from pipeline.settings import Settings

    import extractors.measures.tasks  # noqa: F401 - paid before READY
    import extractors.registry.store  # noqa: F401
    import extractors.targets.extract  # noqa: F401
    import search_api.index.indexing  # noqa: F401

    data_dir, paths = Path(argv[0]), [Path(p) for p in argv[1:]]
    settings = Settings(data_dir=data_dir, embedding_model="fake")
    index_started: list[float] = []

    def timed_index(*args, **kwargs):  # when the registry phase ends, for the test's kill plan
        index_started.append(time.perf_counter())
        return index_step(*args, **kwargs)

    print("READY", flush=True)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:  # the summary table is not what is tested
        stdout, sys.stdout = sys.stdout, quiet
        try:
            ok = run_build_command(paths, settings, export=False, index_step=timed_index)
        finally:
            sys.stdout = stdout
    registry_s = (index_started[0] if index_started else time.perf_counter()) - started
    print(f"DONE {time.perf_counter() - started:.3f} {registry_s:.3f} {'ok' if ok else 'failed'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
