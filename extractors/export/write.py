"""Writing the ledger to disk: xlsx, csv or json, atomically (the old file survives a failure)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from extractors.checks import check_registry
from extractors.export.ledger import FORMATS, Ledger
from extractors.export.tabular import write_csv, write_json
from extractors.export.xlsx import write_workbook
from extractors.registry.store import Registry
from pipeline.errors import TaizhangError
from pipeline.settings import Settings

DEFAULT_NAMES = {"xlsx": "任务分工表.xlsx", "csv": "任务分工表.csv", "json": "taizhang.json"}
_WRITERS: dict[str, Callable[[Ledger, Path], None]] = {
    "xlsx": write_workbook, "csv": write_csv, "json": write_json,
}


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp)`` on a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); an export is meant to be shared like any file
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def default_export_path(settings: Settings, fmt: str) -> Path:
    return settings.data_dir / DEFAULT_NAMES[fmt]


def write_ledger(ledger: Ledger, fmt: str, out: Path) -> Path:
    """Write ``ledger`` as ``fmt`` (xlsx, csv, json) to ``out`` atomically."""
    if fmt in _WRITERS:
        return atomic_write(out, lambda tmp: _WRITERS[fmt](ledger, tmp))
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def run_export_command(settings: Settings, fmt: str = "xlsx", out: Path | None = None,
                       all_versions: bool = False) -> Path:
    """Export the registry as it is now; returns the file written. The workbook's 冲突核查
    sheet holds the consistency checks' findings.

    Example: run_export_command(Settings(), "xlsx") → <data_dir>/任务分工表.xlsx
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise TaizhangError(out, f"unknown export format {fmt!r}", f"use --format {' | '.join(FORMATS)}")
    with Registry.open(settings) as registry:
        findings = check_registry(registry) if fmt == "xlsx" else None
        ledger = Ledger.from_registry(registry, findings, all_versions)
    return write_ledger(ledger, fmt, out or default_export_path(settings, fmt))
