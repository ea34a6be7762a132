"""Paths as the API shows them: never where the server keeps its files.

The server's folders tell a client nothing it needs, and tell an attacker where to look (an
open endpoint showing ``/srv/taizhang/corpus/…``, an upload error naming the uploads folder).
A document's path is shown relative to the folder it was built from (the corpus folder,
or ``uploads/`` for uploaded files), any other path by its file name only; messages have the
server's folders replaced by those names.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Settings


def _roots(settings: Settings) -> list[tuple[Path, str]]:
    return [(settings.data_dir / "uploads", "uploads/"), (settings.corpus_dir, ""), (settings.data_dir, "")]


def public_path(source_path: str, settings: Settings) -> str:
    """``source_path`` relative to the folder it was built from, else its file name."""
    path = Path(source_path)
    for root, prefix in _roots(settings):
        for candidate, base in ((path, root), (path.resolve(), root.resolve())):
            if candidate.is_relative_to(base):
                return prefix + candidate.relative_to(base).as_posix()
    return path.name


def public_message(message: str, settings: Settings) -> str:
    """``message`` with the server's folders (uploads, corpus, data) left out of its paths."""
    for root, prefix in _roots(settings):
        for base in {str(root.resolve()), str(root)}:
            message = message.replace(base.rstrip("/") + "/", prefix)
    return message
