"""``taizhang check``: cross-document findings with both quotes, as a table or as JSON.

Flagged findings (conflicts, rule conflicts, basis mismatches …) come first, most severe first;
pairs that agree are listed apart as 印证 (corroboration), never as alarms.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from pipeline.labels import label
from pipeline.model import Evidence, Finding
from pipeline.places import page_line_text
from pipeline.settings import Settings

from extractors.checks import check_registry, split_corroboration

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "green"}


def short_quote(quote: str, limit: int = 60) -> str:
    """One line; long quotes (a whole measure, a list of industries) keep their head and tail."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 18]}…{flat[-15:]}"


def where(ev: Evidence, titles: dict[str, str] | None = None) -> str:
    """《title》 第N页 第M行: the document by its title (its id only when no title is known)."""
    src = ev.source
    name = (titles or {}).get(src.doc_id)
    return f"{'《' + name + '》' if name else src.doc_id} {page_line_text(src.page, src.line_start, paged=src.paged, sep=' ')}"


def findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.model_dump(mode="json") for f in findings], ensure_ascii=False, indent=2)


def _table(title: str, findings: Sequence[Finding], titles: dict[str, str] | None = None):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=True, expand=True)
    for name, ratio in (("类型", 1), ("说明", 4), ("甲", 4), ("乙", 4)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for f in findings:
        newer = f"（{label('newer', f.newer)}）" if f.newer else ""
        table.add_row(
            f"{label('finding_kind', f.kind)}\n[{SEVERITY_STYLE[f.severity]}]{label('severity', f.severity)}[/]",
            f"{escape(f.reason)}{newer}\n[dim]{label('rule', f.rule)}[/]",
            f"{escape(short_quote(f.left.quote))}\n[dim]{escape(where(f.left, titles))}[/]",
            f"{escape(short_quote(f.right.quote))}\n[dim]{escape(where(f.right, titles))}[/]",
        )
    return table


def print_findings(findings: Sequence[Finding], console=None, titles: dict[str, str] | None = None) -> None:
    """titles: doc_id → title, so a source reads 《title》 第N页 第M行 rather than an id."""
    from rich.console import Console

    console = console or Console()
    flagged, corroborated = split_corroboration(findings)
    if flagged:
        console.print(_table(f"冲突核查：{len(flagged)} 项", flagged, titles))
    else:
        console.print("冲突核查：未发现冲突。")
    if corroborated:
        console.print(_table(f"印证：{len(corroborated)} 处两文件（或两处）表述一致", corroborated, titles))


def run_check_command(settings: Settings, as_json: bool = False, all_versions: bool = False) -> list[Finding]:
    """Open the registry, run every check over the latest version of each document (every
    version with ``all_versions``), print the findings. Returns them (for tests)."""
    from extractors.registry.store import Registry

    registry = Registry.open(settings)
    try:
        documents = registry.documents()
        if not documents:
            print(
                f"{settings.registry_url}：任务台账中还没有文件（请先运行 `taizhang build`）",
                file=sys.stderr,
            )
        findings = check_registry(registry, all_versions=all_versions)
    finally:
        registry.close()
    if as_json:
        print(findings_json(findings))
    else:
        print_findings(findings, titles={m.doc_id: m.title for m in documents})
    return findings
