"""Starting and stopping ``taizhang serve`` for the benchmarks, and reading its memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from pipeline.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (uvicorn's workers are children of its master)."""
    total = 0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:  # exited between listing and reading
            continue
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for child in found for c in (child, *_children(int(child)))]


def start_server(data_dir: Path, port: int, env: dict[str, str], timeout: float = 180,
                 workers: int = 1) -> subprocess.Popen:
    """``taizhang serve --workers N`` on 127.0.0.1:port, returned once it answers."""
    import httpx

    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **env}
    taizhang = str(Path(sys.executable).parent / "taizhang")
    proc = subprocess.Popen([taizhang, "serve", "--port", str(port), "--data-dir", str(data_dir),
                             "--workers", str(workers)],
                            cwd=REPO_ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"taizhang serve exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/documents", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            stop_server(proc)
            raise RuntimeError("taizhang serve did not answer in time")
        time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
