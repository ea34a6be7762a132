"""The measurements, each run in a fresh process by ``bench.run`` (so that peak RSS and import
costs belong to one step): ``python -m bench.steps STEP WORK_DIR MODE [ARG]`` prints one JSON
object. ``MODE`` is ``tiny`` (fake embedder, seconds), ``quick`` or ``full``.

The steps live by what they measure: reading documents in ``steps_ingest`` (parse + extract,
parallel builds, PDF), the registry, index and search in ``steps_index``; how a figure is taken
on a shared machine in ``measure``, the PDF fixtures in ``pdf_fixtures``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import steps_index, steps_ingest
from bench.measure import QUERIES, percentiles

__all__ = ["QUERIES", "STEPS", "percentiles"]  # QUERIES, percentiles: as bench.steps has always offered them

Step = Callable[[Path, str, str], dict]

STEPS: dict[str, Step] = {
    name.removeprefix("step_"): fn
    for module in (steps_ingest, steps_index)
    for name, fn in vars(module).items()
    if name.startswith("step_")
}


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    step, work, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else ""
    started = time.perf_counter()
    result = STEPS[step](work, mode, arg)
    result["step_wall_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(result, ensure_ascii=False))
