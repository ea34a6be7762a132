"""``taizhang postgres start|stop``: a local PostgreSQL with pgvector for taizhang (no Docker),
its data under ``<data_dir>/postgres``; ``start`` prints the URL to export as TAIZHANG_DB_URL."""

from __future__ import annotations

import sys

from extractors.registry.local_postgres import start_local_postgres, stop_local_postgres
from pipeline.errors import TaizhangError
from pipeline.settings import Settings


def run_postgres_command(action: str, settings: Settings) -> int:
    folder = settings.data_dir / "postgres"
    try:
        if action == "start":
            url = start_local_postgres(folder)
            print(url)
            print(f"export TAIZHANG_DB_URL='{url}'   # 然后运行 taizhang build", file=sys.stderr)
            return 0
        if action == "stop":
            print("已停止" if stop_local_postgres(folder) else f"{folder} 下没有运行中的 PostgreSQL")
            return 0
    except TaizhangError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"操作只能是 start 或 stop，不是 {action!r}", file=sys.stderr)
    return 2
