"""How a bench figure is taken on a shared 2-core machine: the corpus and queries every step
uses, percentiles, peak memory, and how busy the machine (and everything else on it) was.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from pathlib import Path

from pipeline.settings import BUNDLED_CORPUS, REPO_ROOT, Settings

QUERIES = (
    "土地要素保障谁牵头", "化工园区适用哪些措施", "编制园区发展规划", "高新技术企业数量目标",
    "人才引进政策", "园区基础设施建设", "金融支持实体经济", "科技成果转化", "营商环境优化",
    "产业链链主企业", "安全风险等级", "亩均营业收入", "进出口实绩企业", "钒钛产业", "用电保障",
)

REPS = {"tiny": 1, "quick": 5, "full": 10}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(work: Path, mode: str, name: str = "data") -> Settings:
    model = "fake" if mode == "tiny" else "e5-small"
    return Settings(data_dir=work / name, embedding_model=model,
                    model_cache_dir=REPO_ROOT / "data" / "models")


def corpus_files() -> list[Path]:
    return sorted(BUNDLED_CORPUS.glob("*.txt"))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50_ms": round(at(0.5) * 1000, 2), "p95_ms": round(at(0.95) * 1000, 2),
            "p99_ms": round(at(0.99) * 1000, 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
            "n": len(ordered)}


def reference_loop_ms() -> float:
    """Milliseconds of a fixed pure-Python loop: how fast this shared machine runs right now.
    The host's bursts slow everything alike, so a figure taken beside it can be read against the
    machine's own speed at that moment."""
    started = time.perf_counter()
    total = 0
    for i in range(300_000):
        total += i & 7
    return round((time.perf_counter() - started) * 1000, 2)


def machine_busy_s() -> float:
    """CPU seconds every core has spent not idle since boot (Linux ``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the PDF workers, soffice)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def other_processes_cores(busy_before: float, ours_before: float, wall_before: float) -> dict:
    """How many cores other processes (and the hypervisor's steal) kept busy meanwhile: this
    machine is shared, and a figure measured beside a busy neighbour says so."""
    others = (machine_busy_s() - busy_before) - (own_cpu_s() - ours_before)
    return {"other_processes_cores": round(max(others, 0.0) / (time.perf_counter() - wall_before), 2)}
