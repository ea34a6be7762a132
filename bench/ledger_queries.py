"""How long the registry takes to list the ledger the ways the API asks for it: all measures,
a unit's, a unit's as lead, every lead's (``Registry.tasks``), on a built registry.

    .venv/bin/python -m bench.ledger_queries /tmp/taizhang-bench/quick/scale-1000
    python bench/ledger_queries.py DATA_DIR        # another checkout's code: PYTHONPATH=that/checkout

Opening the registry applies any pending schema migration (this checkout's), so measure an older
checkout on a copy of the data dir made before a newer one opened it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from extractors.registry.store import Registry
from pipeline.settings import Settings


def timed(call) -> tuple[float, int]:
    started = time.perf_counter()
    rows = call()
    return round(time.perf_counter() - started, 3), len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="a data dir with a built registry")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with Registry.open(Settings(data_dir=args.data_dir)) as registry:
        result: dict = {"open_s (migrations included)": round(time.perf_counter() - started, 3)}
        busiest = max(registry.units(), key=lambda u: u.lead_count).canonical
        calls = {
            "all measures": lambda: registry.tasks(),
            f"unit {busiest}": lambda: registry.tasks(unit=busiest),
            f"unit {busiest} as lead": lambda: registry.tasks(unit=busiest, role="lead"),
            "every lead's": lambda: registry.tasks(role="lead"),
        }
        for label, call in calls.items():
            seconds, rows = timed(call)
            result[label] = {"seconds": seconds, "rows": rows}
            print(f"{label}: {seconds} s, {rows} measures", file=sys.stderr, flush=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
