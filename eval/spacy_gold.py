"""The hand gold of the bundled corpus (``eval/gold/{tasks,targets}``) as spaCy Docs, for anyone
who wants to train a statistical model (a span categorizer) on it: ``taizhang spacy --gold``.

The gold names things by their words, not by offsets (a measure by number and title, a unit by
the name as written, a target by its quote), so each is found in the parsed document's text:
width-folded (NFKC) and with whitespace ignored, as the scorer compares them, then mapped back to
the character offsets of ``Document.text``. A unit or deadline is looked for inside its measure
(from its title to the next measure's); a target anywhere. What cannot be found is reported, never
dropped in silence. Items the gold marks optional (ambiguous in the document itself) and vague
collectives (``optional_units``) are left out: they are not labels to learn from.

The span groups and labels are those of ``extractors/spacy_docs.py``; in the gold a MEASURE span
covers the measure's number and title (the gold does not say where a measure ends), and a
DEADLINE has no kind.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.spacy_docs import ROLE_LABELS, Annotation, annotated_doc
from pipeline.manifest import load_manifest
from pipeline.model import Span
from pipeline.run import parse_file
from pipeline.settings import Settings

from eval.extraction_gold import GOLD_DIR, GoldTaskFile, GoldUnitEntry, load_target_files, load_task_files
from eval.extraction_score import norm_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class FoldedText:
    """``text`` as the gold is compared (NFKC, no whitespace), with a map back to ``text``."""

    def __init__(self, text: str) -> None:
        folded: list[str] = []
        self.origin: list[int] = []  # folded position -> offset in text
        for offset, ch in enumerate(text):
            for piece in unicodedata.normalize("NFKC", ch):
                if not piece.isspace():
                    folded.append(piece)
                    self.origin.append(offset)
        self.folded = "".join(folded)

    def find(self, words: str, start: int = 0, end: int | None = None) -> Span | None:
        """The span of ``text`` that reads ``words`` (folded), first at or after offset ``start``
        and ending by offset ``end``; None when it is not there."""
        needle = norm_text(words)
        if not needle:
            return None
        lo = bisect.bisect_left(self.origin, start)
        at = self.folded.find(needle, lo)
        if at < 0:
            return None
        span = Span(start=self.origin[at], end=self.origin[at + len(needle) - 1] + 1)
        return span if end is None or span.end <= end else None


@dataclass(frozen=True)
class GoldDoc:
    doc: Doc
    missing: tuple[str, ...]  # what the gold names that was not found in the text, one line each


def _canonical(name: str, gold: GoldTaskFile) -> str:
    entry = gold.units.get(name, name)
    return entry.canonical if isinstance(entry, GoldUnitEntry) else entry


def gold_annotations(doc_id: str, text: str, gold_dir: Path = GOLD_DIR) -> tuple[list[Annotation], list[str]]:
    """The gold of ``doc_id`` placed in ``text``: (annotations, what could not be placed)."""
    folded = FoldedText(text)
    out: list[Annotation] = []
    missing: list[str] = []
    task_file = load_task_files(gold_dir).get(doc_id)
    tasks = [t for t in task_file.tasks if not t.optional] if task_file else []
    starts: list[tuple[Span | None, object]] = []
    cursor = 0
    for task in tasks:
        title = folded.find(task.number + task.title, cursor)
        if title is None:
            missing.append(f"{task.task_id}: measure {task.number}{task.title}")
        else:
            cursor = title.start
        starts.append((title, task))
    placed = [(span, task) for span, task in starts if span is not None]
    for n, (title, task) in enumerate(placed):
        end = placed[n + 1][0].start if n + 1 < len(placed) else len(text)
        out.append(Annotation("measures", title, "MEASURE", task.task_id))
        for role, names in (("lead", task.lead), ("supporting", task.supporting), ("unassigned", task.responsible)):
            for name in names:
                span = folded.find(name, title.start, end)
                if span is None:
                    missing.append(f"{task.task_id}: unit {name}")
                    continue
                out.append(Annotation("units", span, ROLE_LABELS[role], task.task_id, _canonical(name, task_file)))
        for words in task.deadlines:
            span = folded.find(words, title.start, end)
            if span is None:
                missing.append(f"{task.task_id}: deadline {words}")
                continue
            out.append(Annotation("deadlines", span, "DEADLINE", task.task_id))
    target_file = load_target_files(gold_dir).get(doc_id)
    for n, target in enumerate(target_file.targets if target_file else (), 1):
        if target.optional:
            continue
        span = folded.find(target.quote)
        if span is None:
            missing.append(f"{doc_id} target #{n}: {target.quote}")
            continue
        out.append(Annotation("targets", span, "TARGET", f"{doc_id}:gold-t{n}", target.indicator))
    return out, missing


def corpus_gold_docs(nlp: Language, settings: Settings, gold_dir: Path = GOLD_DIR) -> list[GoldDoc]:
    """One Doc per corpus document with gold (tasks or targets), in the corpus manifest's order."""
    with_gold = set(load_task_files(gold_dir)) | set(load_target_files(gold_dir))
    out: list[GoldDoc] = []
    for entry in load_manifest(settings.corpus_dir).documents:
        if entry.doc_id not in with_gold:
            continue
        document = parse_file(settings.corpus_dir / entry.file, meta=entry, settings=settings)
        annotations, missing = gold_annotations(entry.doc_id, document.text, gold_dir)
        out.append(GoldDoc(annotated_doc(nlp, document.text, annotations, name=entry.doc_id), tuple(missing)))
    return out
