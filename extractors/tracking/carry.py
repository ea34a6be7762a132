"""Corrections follow their measure to a new version of its document.

A file edited and built again replaces its old self: a new doc_id (its content hash changed) or,
from a manifest, the same doc_id over new text. What the secretariat corrected on the old
version is neither dropped nor applied blindly: each correction is pointed at the measure it
was made on, found in the document's current version (``Registry.current_versions``) by

1. the same number under the current doc_id, when its text is still the text the person saw;
2. else the one measure of the current version with exactly that text (a heading inserted
   above it renumbered it);
3. else the same number, whose text changed: ``apply_corrections`` lists the correction 待复核
   with the old and the new text, and applies nothing;

and when the version has no such measure the correction is listed 待复核 as gone. A task a
person added moves to the current version with its quote (found again there, or 待复核). The
target of a 并入 (merge) is followed the same way, by the text it had when the person merged
into it (kept in the correction's ``task_json``): a heading inserted above it does not send the
row into the wrong measure, and a changed target text puts the merge on 待复核
(``apply_corrections``). The stored correction never changes (it records what the person saw):
this runs on every read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.model import Task

from extractors.export.ledger import Ledger
from extractors.tracking.model import Correction


def carry_forward(corrections: Sequence[Correction], ledger: Ledger,
                  versions: Mapping[str, str]) -> list[Correction]:
    """``corrections`` pointed at the measures they were made on in the current versions.

    ledger: the extraction as it is now (before any correction).
    versions: replaced doc_id → the doc_id of its current version (documents not replaced are
        their own current version).
    """
    texts: dict[str, str] = {}
    by_text: dict[tuple[str, str], list[str]] = {}  # (doc_id, text) → task ids with that text
    for doc in ledger.documents:
        for t in doc.tasks:
            texts[t.task_id] = t.text
            by_text.setdefault((t.doc_id, t.text), []).append(t.task_id)
    return [_carried(c, versions.get(c.doc_id, c.doc_id), texts, by_text) for c in corrections]


def _carried(c: Correction, doc_id: str, texts: Mapping[str, str],
             by_text: Mapping[tuple[str, str], list[str]]) -> Correction:
    target = _followed(c.task_id, c.doc_id, None if c.field == "add_task" else c.source_text,
                       doc_id, texts, by_text)
    update: dict[str, str | None] = {}
    if target != c.task_id or doc_id != c.doc_id:
        update = {"task_id": target, "doc_id": doc_id}
    if c.field == "merge" and c.after.startswith(f"{c.doc_id}:"):
        into = merge_target_text(c)
        after = _followed(c.after, c.doc_id, into, doc_id, texts, by_text)
        if after != c.after:
            update["after"] = after
    if c.field == "add_task" and c.task_json and update:
        task = Task.model_validate_json(c.task_json)
        update["task_json"] = task.model_copy(update={"task_id": target, "doc_id": doc_id}).model_dump_json()
    return c.model_copy(update=update) if update else c


def merge_target_text(c: Correction) -> str | None:
    """The text of the measure a 并入 correction merged its row into, as the person saw it;
    None for a merge stored before the target was kept with it (followed by number only)."""
    if c.field != "merge" or not c.task_json:
        return None
    return Task.model_validate_json(c.task_json).text


def _followed(task_id: str, made_on: str, text: str | None, doc_id: str, texts: Mapping[str, str],
              by_text: Mapping[tuple[str, str], list[str]]) -> str:
    """The measure ``task_id`` (of document ``made_on``, with ``text`` then) is in ``doc_id``:
    the same number while its text stands, else the one measure with that text, else the same
    number (whose changed text sends the correction to 待复核)."""
    same_number = f"{doc_id}:{_local(task_id, made_on)}"
    if text is not None and texts.get(same_number) != text:
        same_text = by_text.get((doc_id, text), [])
        if len(same_text) == 1:
            return same_text[0]
    return same_number


def _local(task_id: str, doc_id: str) -> str:
    """The measure's own number in its document (``二.（一）.1``; ``补<digest>`` for an added one)."""
    return task_id.removeprefix(f"{doc_id}:")
