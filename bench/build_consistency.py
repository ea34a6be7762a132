"""Searching while a build runs: does every hit open, and say what it opens? (issue 18, item 10)

    .venv/bin/python -m bench.build_consistency            # the corpus, fake embedder, 2 clients

A copy of the corpus is built and served (``taizhang serve``, fake embedder). Then every file is
edited (a word of every measure title changes) and its manifest removed (so every doc_id, and
every task_id, changes), and ``taizhang build`` runs in another process while clients search
without pause and open every hit's measure (``/tasks/{id}``). Counted: follow-ups that 404 (a
hit of a measure the API no longer has), hits whose title is not the title of the measure they
open (a mix of two generations), and server errors. Before the server read one generation
(a load test of 30 s): 3,680 such 404s and 8,456 stale titles.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench.server import free_port, start_server, stop_server
from pipeline.settings import REPO_ROOT

QUERIES = ("园区", "土地要素保障谁牵头", "人才引进政策", "园区基础设施建设", "科技成果转化", "招商引资")
EDITS = (("推进", "推动"), ("加快", "加速"), ("建设", "建成"), ("支持", "扶持"))


@dataclass
class Counts:
    searches: int = 0
    opened: int = 0
    missing: int = 0  # /tasks/{id} 404 for a hit, the generation still the same
    mixed: int = 0  # the hit's title is not the title of what it opens, the generation still the same
    moved: int = 0  # either, because a new generation was served between the search and the follow-up
    errors: int = 0  # 5xx or a failed request

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _client(base: str, stop: threading.Event, counts: Counts, offset: int) -> None:
    import httpx

    n = offset
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            n += 1
            try:
                found = client.get(f"/search?q={quote(QUERIES[n % len(QUERIES)])}&k=10")
                counts.searches += 1
                if found.status_code >= 500:
                    counts.errors += 1
                    continue
                generation = found.json().get("index_generation")
                for hit in found.json().get("hits", []):
                    task_id = hit["card"]["task_id"]
                    if not task_id:
                        continue
                    task = client.get(f"/tasks/{quote(task_id, safe='')}")
                    counts.opened += 1
                    if task.status_code >= 500:
                        counts.errors += 1
                        continue
                    if task.status_code != 404 and task.json()["title"] == hit["card"]["title"]:
                        continue
                    # a search now: was a new generation served between the search and the follow-up?
                    now = client.get(f"/search?q={quote(QUERIES[n % len(QUERIES)])}&k=1").json()
                    if now.get("index_generation") != generation:
                        counts.moved += 1
                    elif task.status_code == 404:
                        counts.missing += 1
                    else:
                        counts.mixed += 1
            except (httpx.HTTPError, ValueError):
                counts.errors += 1


def _edit(corpus: Path, keep_ids: bool) -> None:
    if not keep_ids:
        (corpus / "manifest.json").unlink(missing_ok=True)  # doc ids from the files' bytes: all change
    for path in corpus.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        for old, new in EDITS:
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> Counts:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--after", type=float, default=3.0, help="seconds of searching after the build ends")
    parser.add_argument("--keep-ids", action="store_true",
                        help="keep the manifest: doc and task ids stay, only the titles change")
    args = parser.parse_args(argv)
    env = {**os.environ, "TAIZHANG_EMBEDDING_MODEL": "fake", "HF_HUB_OFFLINE": "1"}
    taizhang = str(Path(sys.executable).parent / "taizhang")
    with tempfile.TemporaryDirectory(prefix="taizhang-build-consistency-") as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        shutil.copytree(REPO_ROOT / "corpus", corpus)
        subprocess.run([taizhang, "build", str(corpus), "--data-dir", str(data)], env=env, check=True,
                       cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
        port = free_port()
        server = start_server(data, port, {"TAIZHANG_EMBEDDING_MODEL": "fake"})
        stop, counts = threading.Event(), [Counts() for _ in range(args.clients)]
        clients = [threading.Thread(target=_client, args=(f"http://127.0.0.1:{port}", stop, c, i * 3))
                   for i, c in enumerate(counts)]
        try:
            for thread in clients:
                thread.start()
            time.sleep(1.0)
            _edit(corpus, args.keep_ids)
            started = time.perf_counter()
            subprocess.run([taizhang, "build", str(corpus), "--data-dir", str(data), "--prune"], env=env,
                           check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
            took = time.perf_counter() - started
            time.sleep(args.after)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
            stop_server(server)
    total = Counts()
    for c in counts:
        total.add(c)
    print(f"build {took:.1f} s; searches {total.searches}, hits opened {total.opened}: "
          f"404 {total.missing}, title of another generation {total.mixed}, errors {total.errors}; "
          f"follow-ups after a new generation was served (either) {total.moved}")
    return total


if __name__ == "__main__":
    main()
