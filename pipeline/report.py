"""What ``taizhang parse`` prints: a section tree per document, JSON, and a corpus summary.

Failures never stop a batch: each file that cannot be read gets one line on stderr (its
``TaizhangError.message``: file, reason, what to do) and the others go on.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.tree import Tree

from pipeline.errors import TaizhangError
from pipeline.labels import label
from pipeline.model import Document, Section
from pipeline.places import page_line_text
from pipeline.settings import Settings

_PROGRESS_ABOVE = 3  # files
_NUMBERED = frozenset({"chapter", "section", "article", "cn_num", "paren_cn", "arabic", "paren_arabic", "circled", "dash", "stage"})
_TITLE_WIDTH = 40


def print_parse_results(files: list[Path], as_json: bool, settings: Settings) -> bool:
    """Parse ``files`` and print them; returns False when any file failed."""
    from pipeline.load import find_files
    from pipeline.manifest import load_manifest
    from pipeline.run import parse_paths

    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, highlight=False)
    paths, refused = find_files(files)
    for folder in dict.fromkeys(p.parent for p in paths):  # a manifest's problems, once per folder
        for problem in load_manifest(folder).problems:
            err.print(f"注意：{problem}", markup=False, highlight=False, soft_wrap=True)
    docs: list[Document] = []
    failures: list[TaizhangError] = []
    show_progress = len(paths) > _PROGRESS_ABOVE
    with Progress(
        TextColumn("解析中"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        console=err, transient=True, disable=not show_progress,
    ) as progress:
        task = progress.add_task("", total=len(paths) + len(refused))
        for path, result in parse_paths(files, settings):
            progress.update(task, advance=1, description=path.name)
            if isinstance(result, TaizhangError):
                failures.append(result)
                progress.console.print(result.message, markup=False, highlight=False, soft_wrap=True)
            else:
                docs.append(result)
    if as_json:
        payload = docs[0].model_dump_json() if len(docs) == 1 and len(paths) == 1 else (
            "[" + ",".join(d.model_dump_json() for d in docs) + "]"
        )
        sys.stdout.write(payload + "\n")
        sys.stdout.flush()
    else:
        for doc in docs:
            out.print(section_tree(doc))
        if len(docs) > 1:
            out.print(summary_table(docs))
    return not failures


def _clause_counts(doc: Document) -> dict[str, int]:
    """Clauses inside each section's span (its children's included)."""
    starts = [c.span.start for c in doc.clauses]
    return {
        s.section_id: bisect.bisect_left(starts, s.span.end) - bisect.bisect_left(starts, s.span.start)
        for s in doc.sections
    }


def _short(text: str) -> str:
    return text if len(text) <= _TITLE_WIDTH else text[: _TITLE_WIDTH - 1] + "…"


def _node_label(section: Section, clauses: int, paged: bool = True) -> str:
    if section.kind == "preamble":
        head = "[italic]（正文前）[/]"
    else:
        number = section.number or ""
        gap = " " if number and number[-1] not in "、.．)）" else ""
        head = f"[bold]{escape(number)}[/]{gap}{escape(_short(section.title))}"
    return (f"{head}  [dim]{label('section_kind', section.kind)} · 第{section.level}级 · "
            f"{page_line_text(section.page, section.line, paged=paged, sep=' ')} · {clauses} 句[/]")


def section_tree(doc: Document) -> Tree:
    counts = _clause_counts(doc)
    root = Tree(
        f"[bold]{escape(doc.meta.title)}[/]  [dim]{doc.meta.status} · {len(doc.sections)} 节 · "
        f"{len(doc.clauses)} 句 · 编号 {escape(doc.doc_id)}[/]"
    )
    nodes: dict[str | None, Tree] = {None: root}
    for section in doc.sections:
        parent = nodes.get(section.parent_id, root)
        nodes[section.section_id] = parent.add(_node_label(section, counts[section.section_id], doc.paged))
    for warning in doc.warnings:
        root.add(f"[yellow]注意：[/]{escape(warning)}")
    return root


def measure_like(doc: Document) -> int:
    """Numbered items with no numbered items under them: the measures a ledger would track."""
    parents = {s.parent_id for s in doc.sections if s.kind in _NUMBERED}
    return sum(1 for s in doc.sections if s.kind in _NUMBERED and s.section_id not in parents)


def summary_table(docs: Sequence[Document]) -> Table:
    table = Table(title="已解析的文件", show_lines=False)
    for name, justify in (
        ("文件编号", "left"), ("标题", "left"), ("状态", "left"), ("节", "right"),
        ("措施", "right"), ("句", "right"), ("字数", "right"), ("页数", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for doc in docs:
        table.add_row(
            escape(doc.doc_id),
            escape(_short(doc.meta.title)),
            doc.meta.status,
            str(len(doc.sections)),
            str(measure_like(doc)),
            str(len(doc.clauses)),
            f"{len(doc.text):,}",
            str(len(doc.raw_page_starts)),
        )
    return table
