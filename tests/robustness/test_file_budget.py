"""One runaway file costs a build one clear line, not its finished work (issue 18, item 1).

Each file is read in a worker process under a time and memory budget (pipeline/budget.py); the
good files of a batch are stored as they finish, before the build waits on a slow one. The
runaway files here are stand-ins for the reproduced ones (a list numbered from 1e11, 300 MB of
XML): a Python loop that never ends, one that never returns to the interpreter, one that eats
memory, and one that hangs while the build is killed from outside.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from extractors.registry import build
from extractors.registry.build import build_registry
from extractors.registry.store import Registry
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[2]
GOOD = "关于推进园区建设的通知\n\n一、加强要素保障\n（一）保障土地供应。（市自然资源局牵头，市财政局配合）\n"


def _runaway(kind: str) -> None:
    if kind == "loop":
        while True:
            pass
    if kind == "memory":
        hoard = []
        while True:
            hoard.append(bytearray(1 << 24))
    if kind == "c-loop":  # C code that never checks for signals: only the kernel's CPU limit stops it
        sum(range(10 ** 13))


@pytest.fixture
def runaway_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """``runaway-<kind>.txt`` runs away when parsed; the workers are forked, so they see this."""
    real_parse = build._parse

    def parse(path: Path, settings: Settings):
        if path.stem.startswith("runaway-"):
            _runaway(path.stem.removeprefix("runaway-"))
        return real_parse(path, settings)

    monkeypatch.setattr(build, "_parse", parse)


def _batch(folder: Path, runaway: str) -> None:
    folder.mkdir()
    for name in ("a", "b", f"runaway-{runaway}", "c"):
        (folder / f"{name}.txt").write_text(GOOD.replace("土地", f"土地{name}"), encoding="utf-8")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("runaway", "budget", "words"), [
    ("loop", {"file_seconds": 1.0}, "1 秒的时间预算"),
    ("memory", {"file_memory_bytes": 256 << 20}, "256 MiB 的内存预算"),
    pytest.param("c-loop", {"file_seconds": 1.0}, "1 秒的时间预算", marks=pytest.mark.slow),
])
def test_a_runaway_file_fails_alone_and_the_good_files_are_stored(
        tmp_path: Path, runaway_parser: None, runaway: str, budget: dict, words: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", **{"file_seconds": 0, "file_memory_bytes": 0, **budget})
    _batch(tmp_path / "in", runaway)
    report = build_registry([tmp_path / "in"], settings, progress=False)
    assert sorted(i.path.rsplit("/", 1)[-1] for i in report.items) == ["a.txt", "b.txt", "c.txt"]
    [failure] = report.failed
    assert failure.path.endswith(f"runaway-{runaway}.txt")
    assert failure.message.startswith(f"[E108] {failure.path}: ")
    # a worker stopped by the kernel (the C loop) is named by its exit status, unless another
    # waiter in this process reaped it first: then only "原因不明" (cause unknown) is known
    assert words in failure.message or (runaway == "c-loop" and "异常退出了两次（原因不明）" in failure.message)
    with Registry.open(settings) as registry:
        assert len(registry.documents()) == 3


CHILD = """
import sys, time
from pathlib import Path
from extractors.registry import build
from pipeline.settings import Settings

real_parse = build._parse
def parse(path, settings):
    if path.stem == "hang":
        time.sleep(3600)
    return real_parse(path, settings)
build._parse = parse
build.build_registry([Path(sys.argv[2])], Settings(data_dir=Path(sys.argv[1])), progress=False)
"""


@pytest.mark.timeout(120)
def test_finished_files_are_stored_while_the_build_waits_on_a_hanging_one(tmp_path: Path) -> None:
    """The build is killed while one file hangs: what finished before it is in the registry."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "hang", "z"):
        (folder / f"{name}.txt").write_text(GOOD.replace("土地", f"土地{name}"), encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(folder)], cwd=REPO, env=env,
                             stderr=subprocess.PIPE, start_new_session=True)
    stored: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(stored) < 2 and child.poll() is None:
            time.sleep(0.3)
            stored = _stored_ids(data / "registry.sqlite")
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert sorted(doc_id.split("-")[0] for doc_id in stored) == ["a", "b"], child.stderr.read()[-2000:]


def _stored_ids(db: Path) -> list[str]:
    if not db.exists():
        return []
    try:
        with create_engine(f"sqlite:///{db}").connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT doc_id FROM documents"))]
    except Exception:  # noqa: BLE001 - the schema is still being made
        return []
