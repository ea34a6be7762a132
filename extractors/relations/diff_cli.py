"""``taizhang diff OLD NEW``: the readable table, the JSON and the 修订对照表 workbook."""

from __future__ import annotations

from pathlib import Path

from extractors.relations.diff import (
    ASPECT_LABEL,
    MeasureChange,
    VersionDiff,
    WordingOp,
    diff_versions,
)
from extractors.registry.store import Registry
from extractors.relations.load import load_extraction, registry_extraction
from extractors.relations.sheets import write_revision_sheet
from extractors.relations.versions_cli import previous_version
from pipeline.settings import Settings

STATUS_LABEL = {"added": "新增", "removed": "删除", "changed": "修改", "merged": "合并",
                "split": "拆分", "unchanged": "未变"}


def status_of(change: MeasureChange) -> str:
    label = STATUS_LABEL[change.kind]
    if change.kind == "unchanged" and change.moved:
        return "移动"
    if change.kind == "unchanged" and change.renumbered:
        return "序号调整"
    return label + ("（移动）" if change.moved else "")


def run_diff_command(old: str, new: str | None, settings: Settings, *, as_json: bool = False,
                     xlsx: Path | None = None, show_all: bool = False) -> VersionDiff:
    """``old`` against ``new``; with ``new`` None, ``old`` is the later version and is compared
    with the version before it in the registry (``taizhang versions``)."""
    if new is None:
        with Registry.open(settings) as registry:
            old, new = previous_version(old, registry)
            diff = diff_versions(registry_extraction(old, registry), registry_extraction(new, registry))
    else:
        diff = diff_versions(load_extraction(old, settings), load_extraction(new, settings))
    if xlsx is not None:
        write_revision_sheet(diff, xlsx)
    if as_json:
        print(diff_json(diff))
    else:
        print_diff_table(diff, show_all=show_all)
        if xlsx is not None:
            print(f"修订对照表: {xlsx}")
    return diff


def diff_json(diff: VersionDiff) -> str:
    """The diff with each change's 修改说明 and the counts (computed fields of the models)."""
    return diff.model_dump_json(indent=2)


def marked(ops: tuple[WordingOp, ...], side: str, fallback: str):
    """The text of one side with what the other side lacks highlighted (rich Text)."""
    from rich.text import Text

    if not ops:
        return Text(fallback)
    text = Text()
    for op in ops:
        if op.op == "equal":
            text.append(op.old)
        elif side == "old" and op.old:
            text.append(op.old, style="bold red strike")
        elif side == "new" and op.new:
            text.append(op.new, style="bold green underline")
    return text


def print_diff_table(diff: VersionDiff, show_all: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    counts = diff.counts
    console.print(Text(f"{diff.old_title}（{diff.old_doc}） → {diff.new_title}（{diff.new_doc}）", style="bold"))
    console.print(Text("新增 {added}  删除 {removed}  修改 {changed}  移动 {moved}  序号调整 {renumbered}  "
                       "合并 {merged}  拆分 {split}  未变 {unchanged}".format(**counts)))
    table = Table(show_lines=True, expand=True)
    for name, ratio in (("序号", 1), ("状态", 1), ("原条款", 5), ("修改后条款", 5), ("修改说明", 3)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for n, change in enumerate(shown(diff, show_all), 1):
        # a measure only renumbered or moved shows its number and title; one added or removed
        # shows its whole text
        brief = change.kind == "unchanged"
        old = "\n".join(f"{r.number or ''}{r.title}" if brief else r.text for r in change.old)
        new = "\n".join(f"{r.number or ''}{r.title}" if brief else r.text for r in change.new)
        old_text = marked(change.wording, "old", old) if change.old else Text("")
        new_text = marked(change.wording, "new", new) if change.new else Text("")
        where = " ".join(r.source.where() for r in change.new or change.old)  # 第12行, or 第3页第12行
        aspects = "、".join(ASPECT_LABEL[a] for a in change.aspects)
        table.add_row(str(n), status_of(change), old_text, new_text,
                      Text(change.note + (f"\n[{aspects}] " if aspects else "\n") + where))
    console.print(table)


def shown(diff: VersionDiff, show_all: bool) -> list[MeasureChange]:
    """Every change; unchanged measures only with ``show_all`` (renumbered or moved ones always)."""
    return [c for c in diff.changes
            if show_all or c.kind != "unchanged" or c.renumbered or c.moved]
