"""What a build did: the report ``build_registry`` returns, and how ``taizhang build`` tells it
(the summary table; which files replaced, moved or clash with registered documents; what became of
the corrections on a replaced or removed document)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from pipeline.settings import Settings

Status = Literal["added", "updated", "unchanged"]


class BuildFailure(NamedTuple):
    path: str
    message: str


class IdentityClash(NamedTuple):
    """A new file that is, by its bytes, 文号 or title and issuer, a document registered from a
    file that is still there: both are kept and the user is told."""

    path: str
    doc_id: str
    existing: str
    reason: str  # 内容完全相同 / 文号相同 / 标题和发文机关相同


@dataclass(frozen=True)
class BuildItem:
    path: str
    doc_id: str
    title: str
    status: Status
    measures: int
    assigned: int
    targets: int
    replaces: str = ""  # the doc_id of this file's previous version, now removed
    because: str = ""  # why a file at another path replaced it (renamed or moved: 文号相同 …)
    warnings: tuple[str, ...] = ()  # what the loader noticed reading the file (Chinese), when read now

    @property
    def unassigned(self) -> int:
        return self.measures - self.assigned


@dataclass
class BuildReport:
    registry_url: str = ""
    items: list[BuildItem] = field(default_factory=list)
    failed: list[BuildFailure] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in the registry, not in this build, left alone
    gone: list[str] = field(default_factory=list)  # kept, but their file was removed from a built folder
    removed: list[str] = field(default_factory=list)  # gone and pruned (``prune=True``)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, old path): same bytes, new place
    linked: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, previous): --as-version-of
    clashes: list[IdentityClash] = field(default_factory=list)  # two files, one 文号: both kept
    generation: str = ""

    def _ids(self, status: Status) -> list[str]:
        return [i.doc_id for i in self.items if i.status == status]

    @property
    def added(self) -> list[str]:
        return self._ids("added")

    @property
    def updated(self) -> list[str]:
        return self._ids("updated")

    @property
    def unchanged(self) -> list[str]:
        return self._ids("unchanged")

    @property
    def replaced(self) -> list[tuple[str, str]]:
        """(new doc_id, the doc_id of the version it replaced) for files changed since last built."""
        return [(i.doc_id, i.replaces) for i in self.items if i.replaces]

    @property
    def ok(self) -> bool:
        return not self.failed


def say_identity(report: BuildReport, console) -> None:
    """What the build decided a file is: a changed or renamed version that replaced its old self,
    a moved file, a version the user linked, or a second file claiming a registered document."""
    because = {i.doc_id: i.because for i in report.items}
    for new, old in report.replaced:
        if because.get(new):
            console.print(f"{new}：与已登记的 {old} {because[new]}，原文件已不在原处（改名或移动），"
                          "视为同一文件，新版本替换了旧记录。", soft_wrap=True, markup=False)
        else:
            console.print(f"{new}：文件已修改，新版本替换了旧版本 {old}。", soft_wrap=True, markup=False)
    for doc_id, old_path in report.moved:
        console.print(f"{doc_id}：文件已移动（原位置 {old_path}），台账记录的位置已更新。", soft_wrap=True, markup=False)
    for new, previous in report.linked:
        console.print(f"{new}：已登记为 {previous} 的新版本（两者都保留；taizhang diff {new} 比对两版）。",
                      soft_wrap=True, markup=False)
    for clash in report.clashes:
        console.print(f"注意：{clash.path}（{clash.doc_id}）与已登记的 {clash.existing} "
                      f"{clash.reason}，两个文件都在，均已保留、未合并。若是同一文件的新版本，用 "
                      f"taizhang build {clash.path} --as-version-of {clash.existing} 登记；"
                      "若是重复的文件，删除其一后运行 taizhang build --prune。", soft_wrap=True, markup=False)


# A document with a long list of warnings (a heading ladder out of sequence all through) would
# bury the rest of the build's output: the first few are told, and where to read them all.
WARNINGS_TOLD_PER_FILE = 5


def say_warnings(report: BuildReport, console) -> None:
    """Per file read in this build, what its loader noticed (a file read, but not perfectly: an
    extension that lies, private-use glyphs, a page without text, a stale manifest entry), in
    the Chinese of ``pipeline/warnings.yaml``. A file left unchanged was not read again: its
    warnings were told when it was."""
    noted = [i for i in report.items if i.warnings]
    if not noted:
        return
    console.print(f"以下 {len(noted)} 个文件已读入，但有需要核对之处：", markup=False)
    for item in noted:
        name = Path(item.path).name
        heading = f"《{item.title}》（{name}）" if item.title else name
        console.print(f"  {heading}：", soft_wrap=True, markup=False)
        for text in item.warnings[:WARNINGS_TOLD_PER_FILE]:
            # a warning about the whole file starts with its name, already said in the heading
            console.print(f"    · {text.removeprefix(name + '：')}", soft_wrap=True, markup=False)
        if len(item.warnings) > WARNINGS_TOLD_PER_FILE:
            console.print(f"    · 另有 {len(item.warnings) - WARNINGS_TOLD_PER_FILE} 条，"
                          f"全部见 taizhang parse {item.path}", soft_wrap=True, markup=False)


def say_orphaned_corrections(report: BuildReport, settings: Settings, console) -> None:
    """Corrections are never deleted by a build. Those made to a replaced version follow their
    measure to the new one (extractors/tracking/carry.py): say how many, and how many wait for
    review because their text changed. Those of a removed document meet nothing: say so."""
    replaced = {old: new for new, olds in report.replaced for old in olds.split(", ")}
    if not replaced and not report.removed:
        return
    from extractors.registry.store import Registry
    from extractors.tracking.service import LedgerReader

    with Registry.open(settings) as registry:
        reader = LedgerReader(registry)
        corrections = reader.store.corrections()
        mine = [c for c in corrections if c.doc_id in replaced or c.doc_id in report.removed]
        pending = {r.correction.correction_id for r in reader.tracked(corrections=corrections).reviews} if mine else set()
    carried = Counter(c.doc_id for c in mine if c.doc_id in replaced)
    waiting = Counter(c.doc_id for c in mine if c.doc_id in replaced and c.correction_id in pending)
    for doc_id, count in sorted(carried.items()):
        console.print(f"{replaced[doc_id]}：旧版本 {doc_id} 的 {count} 条人工更正已转到新版本，其中 {waiting[doc_id]} 条"
                      "所在原文已改动，列为待复核（taizhang corrections --pending）。")
    for doc_id, count in sorted(Counter(c.doc_id for c in mine if c.doc_id in report.removed).items()):
        console.print(f"{doc_id}：{count} 条人工更正属于已移除的文件，已保留但不再套用。")


def summary_table(report: BuildReport):  # -> rich.table.Table
    from rich.markup import escape
    from rich.table import Table

    from pipeline.labels import label

    table = Table(title="任务台账更新")
    for name, justify in (("文件", "left"), ("状态", "left"), ("措施", "right"),
                          ("已明确责任", "right"), ("未明确责任", "right"), ("目标", "right")):
        table.add_column(name, justify=justify)
    colour = {"added": "green", "updated": "yellow", "unchanged": "dim"}
    for i in report.items:
        name = f"{escape(i.title)}\n[dim]{escape(i.doc_id)}[/]" if i.title else escape(i.doc_id)
        status = label("build_status", i.status) + (f"（替换 {escape(i.replaces)}）" if i.replaces else "")
        table.add_row(name, f"[{colour[i.status]}]{status}",
                      str(i.measures), str(i.assigned), str(i.unassigned), str(i.targets))
    for f in report.failed:
        table.add_row(escape(Path(f.path).name), f"[red]{label('build_status', 'failed')}", "", "", "", "")
    return table
