"""What a build did, file by file: the report ``build_registry`` returns and the table
``taizhang build`` prints from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

Status = Literal["added", "updated", "unchanged"]


class BuildFailure(NamedTuple):
    path: str
    message: str


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
