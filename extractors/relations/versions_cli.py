"""``taizhang versions [DOC]``: a document's versions (the readable table or the JSON), or every
group of versions in the registry; and the version just before a document, which
``taizhang diff DOC`` compares it with."""

from __future__ import annotations

from pathlib import Path

from extractors.registry.store import Registry
from extractors.relations.versions import DocumentVersions, version_sets, versions_of
from pipeline.errors import RegistryError
from pipeline.settings import Settings


def registered_doc_id(ref: str, registry: Registry) -> str:
    """``ref`` as a registered doc id: the id itself, or the path of a file the registry was
    built from. Raises a ``RegistryError`` naming ``ref`` otherwise."""
    hashes = registry.document_hashes()
    if ref in hashes:
        return ref
    path = Path(ref).expanduser()
    if path.exists():
        wanted = path.resolve()
        for doc_id, source in sorted(registry.source_paths().items()):
            if Path(source).resolve() == wanted:
                return doc_id
    raise RegistryError(ref, "任务台账中没有这个文件编号，也没有从这个文件登记的文档",
                        "先运行 taizhang build 登记它；taizhang export --format json 可列出文件编号")


def document_versions(ref: str, registry: Registry) -> DocumentVersions:
    doc_id = registered_doc_id(ref, registry)
    return versions_of(doc_id, registry.documents(), registry.version_links())


def previous_version(ref: str, registry: Registry) -> tuple[str, str]:
    """(the version before ``ref``, ``ref``'s doc id), for ``taizhang diff DOC``."""
    versions = document_versions(ref, registry)
    if versions.previous is None:
        raise RegistryError(ref, "任务台账中没有它的上一版本，无法只凭一个文件比对",
                            f"登记版本：taizhang build 新文件 --as-version-of {versions.doc_id}；"
                            "或写出两个版本：taizhang diff 旧版本 新版本")
    return versions.previous.doc_id, versions.doc_id


def run_versions_command(ref: str | None, settings: Settings, as_json: bool = False) -> list[DocumentVersions]:
    """One document's versions, or (``ref`` None) every group of versions in the registry."""
    with Registry.open(settings) as registry:
        if ref is None:
            groups = version_sets(registry.documents(), registry.version_links())
        else:
            groups = [document_versions(ref, registry)]
    if as_json:
        body = ",\n".join(g.model_dump_json(indent=2) for g in groups)
        print(body if ref is not None else f"[{body}]")
    elif ref is None and not groups:
        print("任务台账中没有同一文件的多个版本。登记新版本：taizhang build 新文件 --as-version-of 文件编号")
    for group in [] if as_json else groups:
        print_versions(group, mark_this=ref is not None)
    return groups


def print_versions(versions: DocumentVersions, mark_this: bool = True) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if len(versions.versions) < 2:
        console.print(Text(f"{versions.doc_id}：任务台账中没有它的其他版本。登记新版本："
                           f"taizhang build 新文件 --as-version-of {versions.doc_id}"))
        return
    table = Table(title=f"版本（共 {len(versions.versions)} 个，由早到晚）", show_lines=True)
    for name in ("序号", "文件", "稿次", "日期", "文号", "依据"):
        table.add_column(name, overflow="fold")
    for n, entry in enumerate(versions.versions, 1):
        meta = entry.meta
        this = mark_this and meta.doc_id == versions.doc_id
        why = "；".join(sorted({f"{e.label}：{e.other}" for e in entry.edges}))
        table.add_row(str(n), Text(f"{meta.title}\n{meta.doc_id}" + ("  ◀ 本文件" if this else ""),
                                   style="bold" if this else ""),
                      meta.status, meta.date.isoformat() if meta.date else "", meta.doc_number or "", Text(why))
    console.print(table)
    if versions.previous is not None:
        console.print(Text(f"与上一版本比对：taizhang diff {versions.doc_id}"))
