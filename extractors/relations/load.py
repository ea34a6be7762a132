"""A document the relations commands compare: a file (parsed and extracted now) or the doc id
of a document already in the registry (its stored measures and targets)."""

from __future__ import annotations

from pathlib import Path

from extractors.registry.store import Registry
from extractors.run import Extraction, extract_document
from pipeline.errors import RegistryError
from pipeline.run import parse_file
from pipeline.settings import Settings


def load_extraction(ref: str, settings: Settings, registry: Registry | None = None) -> Extraction:
    """``ref`` is a path to an existing file, else a doc id in the registry (the CLI's reading).

    Raises a ``TaizhangError`` naming ``ref`` when it is neither (or the file cannot be read).
    """
    path = Path(ref).expanduser()
    if path.is_file():
        return extract_document(parse_file(path, settings=settings))
    return registry_extraction(ref, registry or Registry.open(settings))


def registry_extraction(doc_id: str, registry: Registry) -> Extraction:
    """A registered document with its stored measures and targets (never a file: the HTTP API
    must not read paths a caller names)."""
    doc = registry.document(doc_id)
    if doc is None:
        raise RegistryError(
            doc_id, "既不是可读的文件，也不是登记册中的文档编号",
            "给出文件路径，或先运行 taizhang build 再用文档编号（taizhang export --format json 可列出编号）",
        )
    return Extraction(doc, tuple(registry.tasks(doc_id)), tuple(registry.targets(doc_id)))
