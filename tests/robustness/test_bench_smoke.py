"""The benchmark stays runnable: a tiny run (fake embedder, a few documents) writes results whose
shape the README and the lead's report rely on. The real figures come from ``python -m bench.run``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_tiny_bench_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--tiny", "--only", "parse_extract,scaling",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["mode"] == "tiny"
    assert {"nproc", "ram_gb", "cpu", "load_avg_at_start"} <= set(results["machine"])
    ids = {f["id"] for f in results["figures"]}
    assert {"parse_extract_mb_s", "parse_extract_full_speed_mb_s", "scaling_5_registry_s", "scaling_15_index_s", "scaling_registry_growth",
            "scaling_index_growth", "peak_rss_mb"} <= ids
    for figure in results["figures"]:
        assert figure["command"].startswith(".venv/bin/python -m bench.run --tiny"), figure
        assert isinstance(figure["value"], (int, float)) and figure["value"] >= 0, figure
        assert figure["met"] in (True, False, None) and figure["unit"]
    speed = results["raw"]["parse_extract"]["machine_speed"]
    assert 0 < speed["slowest"] <= speed["median"] <= 1  # fastest reference loop ÷ each pass's
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| figure | value | target | met | reproduce |" in table
    assert table.count("\n| ") == len(results["figures"]) + 1
