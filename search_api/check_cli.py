"""``taizhang check``: cross-document findings with both quotes, as a table or as JSON.

Flagged findings (conflicts, rule conflicts, basis mismatches …) come first, most severe first;
pairs that agree are listed apart as 印证 (corroboration), never as alarms.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from pipeline.model import Evidence, Finding
from pipeline.settings import Settings

from extractors.checks import check_registry, split_corroboration

KIND_LABEL = {
    "conflict": "冲突",
    "basis_mismatch": "口径不一",
    "year_drift": "年份不一",
    "superseded": "已被改写",
    "consistent": "印证",
    "part_exceeds_whole": "局部超整体",
    "rule_conflict": "规则冲突",
    "lead_conflict": "牵头不一",
    "sum_mismatch": "合计不符",
}
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "green"}


def short_quote(quote: str, limit: int = 60) -> str:
    """One line; long quotes (a whole measure, a list of industries) keep their head and tail."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 18]}…{flat[-15:]}"


def where(ev: Evidence) -> str:
    src = ev.source
    return f"{src.doc_id} p.{src.page}:{src.line_start}"


def findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.model_dump(mode="json") for f in findings], ensure_ascii=False, indent=2)


def _table(title: str, findings: Sequence[Finding]):
    from rich.table import Table

    table = Table(title=title, show_lines=True, expand=True)
    for name, ratio in (("类型", 1), ("说明", 4), ("左", 4), ("右", 4)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for f in findings:
        newer = {"left": "（左较新）", "right": "（右较新）"}.get(f.newer or "", "")
        table.add_row(
            f"{KIND_LABEL.get(f.kind, f.kind)}\n[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]",
            f"{f.reason}{newer}\n[dim]{f.rule}[/]",
            f"{short_quote(f.left.quote)}\n[dim]{where(f.left)}[/]",
            f"{short_quote(f.right.quote)}\n[dim]{where(f.right)}[/]",
        )
    return table


def print_findings(findings: Sequence[Finding], console=None) -> None:
    from rich.console import Console

    console = console or Console()
    flagged, corroborated = split_corroboration(findings)
    if flagged:
        console.print(_table(f"冲突核查：{len(flagged)} 项", flagged))
    else:
        console.print("冲突核查：未发现冲突。")
    if corroborated:
        console.print(_table(f"印证：{len(corroborated)} 处两文件（或两处）表述一致", corroborated))


def run_check_command(settings: Settings, as_json: bool = False) -> list[Finding]:
    """Open the registry, run every check, print the findings. Returns them (for tests)."""
    from extractors.registry.store import Registry

    registry = Registry.open(settings)
    try:
        if not registry.documents():
            print(
                f"{settings.registry_url}: the registry holds no documents "
                "(run `taizhang build` first)",
                file=sys.stderr,
            )
        findings = check_registry(registry)
    finally:
        registry.close()
    if as_json:
        print(findings_json(findings))
    else:
        print_findings(findings)
    return findings
