"""Extraction scored on real documents from elsewhere (``../shared/realdocs/``), against the hand
gold in ``eval/gold/realdocs/``: development documents (rules may be tuned on them) and held-out
documents (scored, never tuned on), reported side by side with the bundled corpus.

Each document is parsed as a user's file would be, with the metadata a manifest would give
(title, issuer, date, 文号 from its ``.meta.json``); the texts are read in place, never copied.

Example: python -m eval extraction
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from eval.extraction_report import DocPrediction, ExtractionReport, evaluate
from eval.extraction_gold import GOLD_DIR, gold_problems, target_rows, task_rows
from pipeline.settings import REPO_ROOT, Settings

REALDOCS_GOLD = GOLD_DIR / "realdocs"
REALDOCS_DIR = REPO_ROOT.parent / "shared" / "realdocs"
# documents written for this project in other places' conventions, text and gold kept together
WRITTEN_GOLD = GOLD_DIR / "written"
WRITTEN_DIR = WRITTEN_GOLD / "docs"


@dataclass(frozen=True)
class Split:
    dev: tuple[str, ...]
    heldout: tuple[str, ...]


def load_split(gold_dir: Path = REALDOCS_GOLD) -> Split:
    data = yaml.safe_load((gold_dir / "split.yaml").read_text(encoding="utf-8"))
    return Split(tuple(data["dev"]), tuple(data["heldout"]))


def load_families(gold_dir: Path = REALDOCS_GOLD) -> dict[str, str]:
    """doc_id -> format family (stated convention, labelled bracket, verb bracket, table, …)."""
    data = yaml.safe_load((gold_dir / "families.yaml").read_text(encoding="utf-8"))
    return {doc_id: family for group in data.values() for doc_id, family in group.items()}


def source_text(stem: str, folder: Path = REALDOCS_DIR) -> str:
    return (folder / f"{stem}.txt").read_text(encoding="utf-8")


def _meta_entry(stem: str, folder: Path):
    from pipeline.manifest import ManifestEntry

    info = json.loads((folder / f"{stem}.meta.json").read_text(encoding="utf-8"))
    return ManifestEntry(
        doc_id=stem, file=f"{stem}.txt", title=info.get("title") or stem, issuer=info.get("issuer"),
        date=info.get("date"), doc_number=info.get("doc_number"),
    )


def parse_realdoc(stem: str, settings: Settings, folder: Path = REALDOCS_DIR):
    """The real document ``stem`` parsed as a user's file with its manifest metadata."""
    from pipeline.run import parse_file

    return parse_file(folder / f"{stem}.txt", meta=_meta_entry(stem, folder), settings=settings)


def predict(stems: tuple[str, ...], settings: Settings, folder: Path = REALDOCS_DIR) -> dict[str, DocPrediction]:
    from extractors.run import extract_document

    out: dict[str, DocPrediction] = {}
    for stem in stems:
        try:
            doc = parse_realdoc(stem, settings, folder)
            extraction = extract_document(doc)
            out[stem] = DocPrediction(stem, task_rows(extraction.tasks), target_rows(extraction.targets))
        except Exception as exc:  # noqa: BLE001 — report and keep scoring the other documents
            out[stem] = DocPrediction(stem, failure=f"{type(exc).__name__}: {exc}")
    return out


def available(folder: Path = REALDOCS_DIR) -> bool:
    return folder.is_dir()


def score_split(settings: Settings, which: str, gold_dir: Path = REALDOCS_GOLD,
                folder: Path = REALDOCS_DIR) -> ExtractionReport:
    """Score the ``dev`` or ``heldout`` documents of the split."""
    stems = getattr(load_split(gold_dir), which)
    report = evaluate(gold_dir, predict(stems, settings, folder), only=set(stems))
    problems = tuple(p for p in gold_problems(gold_dir, lambda d: source_text(d, folder))
                     if p.split(" ", 1)[0].split(":", 1)[0] in stems)
    return ExtractionReport(report.tasks, report.targets, report.tasks_by_doc, report.targets_by_doc,
                            report.failures, problems)

