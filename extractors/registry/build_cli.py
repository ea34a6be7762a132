"""``taizhang build`` and ``taizhang extract`` as commands: run the build (``build.py``) under
the store's build lock and say what it did; print what ``extract_ledger`` read from files
outside the registry."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from extractors.checks import check_registry
from extractors.export.ledger import (
    Ledger,
    deadline_cell,
    measure_heading,
    source_locator,
    unit_names,
)
from extractors.export.write import default_export_path
from extractors.registry.build import build_registry, extract_ledger
from extractors.registry.build_report import say_identity, say_orphaned_corrections, say_warnings, summary_table
from extractors.registry.locks import build_lock
from extractors.registry.store import Registry
from extractors.tracking.service import export_tracked
from pipeline.labels import label
from pipeline.settings import Settings


def run_build_command(
    paths: list[Path], settings: Settings, export: bool, index_step=None, prune: bool = False,
    as_version_of: str | None = None,
) -> bool:
    """``taizhang build``: update the registry, print a summary; optionally index and export.

    The search index sits above the registry, so the caller passes its step in (the CLI composes
    the layers): ``index_step(settings, registry, console) -> bool`` brings it in line.
    Holds the store's build lock throughout (``locks.build_lock``).
    """
    with build_lock(settings):  # registry and index: one build at a time per store
        return _run_build(paths, settings, export, index_step, prune, as_version_of)


def _run_build(paths: list[Path], settings: Settings, export: bool, index_step, prune: bool = False,
               as_version_of: str | None = None) -> bool:
    console = Console()
    report = build_registry(paths, settings, progress=True, prune=prune, as_version_of=as_version_of)
    console.print(summary_table(report))
    say_warnings(report, console)
    console.print(f"任务台账：{report.registry_url}", soft_wrap=True)
    say_identity(report, console)
    for doc_id in report.removed:
        console.print(f"{doc_id}：文件已删除，已从台账移除。")
    if report.kept:
        console.print(f"台账中另有 {len(report.kept)} 个文件不在本次处理范围内，已保留（更新从不删除文件）。")
    if report.gone and not report.removed:
        console.print(f"其中 {len(report.gone)} 个文件已从本次处理的文件夹中删除：加 --prune 可将其从台账中移除。")
    say_orphaned_corrections(report, settings, console)
    ok = report.ok
    if index_step or export:
        with Registry.open(settings) as registry:
            if index_step:
                ok = index_step(settings, registry, console) and ok
            if export:
                path = export_tracked(registry, "xlsx", default_export_path(settings, "xlsx"),
                                      check_registry(registry))
                console.print(f"任务分工表已写出：{path}", soft_wrap=True)
    if report.failed:
        console.print(f"[red]{len(report.failed)} 个文件未能处理[/red]（原因见上方错误输出）")
    return ok


def run_extract_command(files: list[Path], settings: Settings, as_json: bool = True) -> bool:
    """``taizhang extract``: print the JSON contract (or a table) for ``files``; False if any failed."""
    ledger, failures = extract_ledger(files, settings)
    for failure in failures:
        print(failure.message, file=sys.stderr, flush=True)
    if as_json:
        from extractors.export.tabular import ledger_json

        sys.stdout.write(ledger_json(ledger) + "\n")
    else:
        _print_extract_table(ledger)
    return not failures


def _print_extract_table(ledger: Ledger) -> None:
    console = Console()
    for doc in ledger.documents:
        table = Table(title=f"{doc.meta.doc_id} {doc.meta.title}", show_lines=False)
        for name in ("措施", "牵头", "配合", "时限", "来源"):
            table.add_column(name)
        for t in doc.tasks:
            table.add_row(measure_heading(t), unit_names(t.lead), unit_names(t.supporting),
                          deadline_cell(t), source_locator(t.source))
        console.print(table)
        for g in doc.targets:
            console.print(f"目标 {g.year or ''} {g.scope or ''}{g.indicator} {label('comparator', g.comparator)} "
                          f"{g.value or ''}{g.unit or ''}")
