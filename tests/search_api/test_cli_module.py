"""``python -m search_api.cli`` is the ``taizhang`` command too (the form the working notes and
a checkout without the console script use): it must run the command, not import and exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "search_api.cli", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "用法" in done.stdout and "build" in done.stdout
