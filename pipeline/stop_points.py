"""Named points where a test can hold a running process, to kill it there (SIGKILL) and check
what a crash at that very moment leaves behind: deterministic, where a timed kill is a guess.

``TAIZHANG_STOP_AT=<name>`` in a process's environment makes ``stop_point(name)`` write
``STOPPED_MARK + name`` on stderr and wait forever; without it (always, outside such a test) the
call only reads one environment variable. The environment is read at the call, not at import.
"""

from __future__ import annotations

import os
import sys
import threading

STOP_ENV = "TAIZHANG_STOP_AT"
STOPPED_MARK = "taizhang stopped at "


def stop_point(name: str) -> None:
    """Hold the process here when the environment asks for ``name`` (see the module's docstring)."""
    if os.environ.get(STOP_ENV) != name:
        return
    sys.stderr.write(f"{STOPPED_MARK}{name}\n")
    sys.stderr.flush()
    threading.Event().wait()  # until the test kills the process
