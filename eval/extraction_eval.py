"""``taizhang eval extraction``: run the extractors on the bundled corpus and score them against the
hand-made gold in ``eval/gold/`` (see eval/gold/README.md for what the gold counts and why).

Prints precision / recall / F1 per field (measures found; lead, supporting, deadline; targets
found; targets fully right) and lists every miss and every spurious item so a developer can fix
them. The scoring itself is pure (``eval/extraction_score.py``); this module only does I/O.

Example: python -m eval extraction
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.settings import Settings

from eval.extraction_gold import (
    GOLD_DIR,
    gold_problems,
    gold_target_rows,
    gold_task_rows,
    load_target_files,
    load_task_files,
    target_rows,
    task_rows,
)
from eval.extraction_score import (
    PRF,
    TASK_FIELDS,
    EvalError,
    TargetRow,
    TargetScores,
    TaskRow,
    TaskScores,
    score_targets,
    score_tasks,
)


@dataclass(frozen=True)
class DocPrediction:
    doc_id: str
    tasks: tuple[TaskRow, ...] = ()
    targets: tuple[TargetRow, ...] = ()
    failure: str | None = None  # why this document produced nothing (parse error, extractor crash)
    seconds: float = 0.0


@dataclass(frozen=True)
class ExtractionReport:
    tasks: TaskScores
    targets: TargetScores
    tasks_by_doc: dict[str, TaskScores]
    targets_by_doc: dict[str, TargetScores]
    failures: dict[str, str] = field(default_factory=dict)
    gold_problems: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        def task_part(s: TaskScores) -> dict:
            out = {"detection": s.detection.as_dict()}
            out.update({k: v.as_dict() for k, v in s.fields.items()})
            out["matched_only"] = {k: v.as_dict() for k, v in s.fields_matched.items()}
            return out

        def target_part(s: TargetScores) -> dict:
            return {"detection": s.detection.as_dict(), "correct": s.correct.as_dict(),
                    "accuracy": {k: {"right": r, "of": n} for k, (r, n) in s.accuracy.items()}}

        return {
            "tasks": task_part(self.tasks),
            "targets": target_part(self.targets),
            "by_doc": {
                "tasks": {d: task_part(s) for d, s in self.tasks_by_doc.items()},
                "targets": {d: target_part(s) for d, s in self.targets_by_doc.items()},
            },
            "errors": len(self.tasks.errors) + len(self.targets.errors),
            "failures": dict(self.failures),
            "gold_problems": list(self.gold_problems),
        }


def evaluate(gold_dir: Path, predictions: Mapping[str, DocPrediction]) -> ExtractionReport:
    """Score ``predictions`` (doc_id -> rows) against every gold file under ``gold_dir``.

    A gold document without a prediction counts as entirely missed; predictions for documents
    without gold are not scored (the gold decides what is measured).
    """
    task_gold = {d: gold_task_rows(f) for d, f in load_task_files(gold_dir).items()}
    target_gold = {d: gold_target_rows(f) for d, f in load_target_files(gold_dir).items()}
    failures = {d: p.failure for d, p in predictions.items() if p.failure}
    for d in sorted(set(task_gold) | set(target_gold)):
        if d not in predictions:
            failures[d] = "no prediction for this document"

    def pred_of(doc_id: str, attr: str) -> tuple:
        p = predictions.get(doc_id)
        return getattr(p, attr) if p else ()

    tasks_by_doc = {d: score_tasks(pred_of(d, "tasks"), g) for d, g in task_gold.items()}
    targets_by_doc = {d: score_targets(pred_of(d, "targets"), g) for d, g in target_gold.items()}
    all_task_pred = [t for d in task_gold for t in pred_of(d, "tasks")]
    all_target_pred = [t for d in target_gold for t in pred_of(d, "targets")]
    return ExtractionReport(
        tasks=score_tasks(all_task_pred, [t for g in task_gold.values() for t in g]),
        targets=score_targets(all_target_pred, [t for g in target_gold.values() for t in g]),
        tasks_by_doc=tasks_by_doc,
        targets_by_doc=targets_by_doc,
        failures=failures,
    )


def predict(settings: Settings, doc_ids: set[str]) -> dict[str, DocPrediction]:
    """Parse each corpus document named in ``doc_ids`` and run the extractors on it.

    One document failing (an exception anywhere) is recorded as a failure, not raised, so the
    report still scores the others.
    """
    from pipeline.manifest import load_manifest

    try:
        from extractors.run import extract_document
        from pipeline.run import parse_file
    except ImportError as exc:  # an extractor not written yet: every document fails, clearly
        reason = f"cannot import the pipeline/extractors: {exc}"
        return {d: DocPrediction(d, failure=reason) for d in doc_ids}

    out: dict[str, DocPrediction] = {}
    for entry in load_manifest(settings.corpus_dir).documents:
        if entry.doc_id not in doc_ids:
            continue
        started = time.perf_counter()
        try:
            doc = parse_file(settings.corpus_dir / entry.file, meta=entry, settings=settings)
            extraction = extract_document(doc)
            out[entry.doc_id] = DocPrediction(
                entry.doc_id, task_rows(extraction.tasks), target_rows(extraction.targets),
                seconds=time.perf_counter() - started,
            )
        except Exception as exc:  # noqa: BLE001 — report and keep scoring the other documents
            out[entry.doc_id] = DocPrediction(entry.doc_id, failure=f"{type(exc).__name__}: {exc}")
    return out


# --------------------------------------------------------------------------------------------
# Printing


def _prf_cells(s: PRF) -> list[str]:
    return [str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]


def print_report(report: ExtractionReport, console: Console, max_errors: int = 400) -> None:
    for problem in report.gold_problems:
        console.print(f"[red]gold problem:[/red] {problem}")
    for doc_id, reason in sorted(report.failures.items()):
        console.print(f"[red]{doc_id}: no extraction[/red] — {reason}")

    t = Table(title="Measures (任务) — all documents with task gold")
    for col in ("field", "tp", "fp", "fn", "P", "R", "F1", "F1 matched-only"):
        t.add_column(col, justify="left" if col == "field" else "right")
    t.add_row("measure found", *_prf_cells(report.tasks.detection), "")
    for name in TASK_FIELDS:
        only = report.tasks.fields_matched[name]
        t.add_row(name, *_prf_cells(report.tasks.fields[name]), "—" if only.empty else f"{only.f1:.3f}")
    console.print(t)

    g = Table(title="Targets — all five documents")
    for col in ("field", "tp", "fp", "fn", "P", "R", "F1"):
        g.add_column(col, justify="left" if col == "field" else "right")
    g.add_row("target found (quote)", *_prf_cells(report.targets.detection))
    g.add_row("target right (value+unit+comparator+year)", *_prf_cells(report.targets.correct))
    console.print(g)
    acc = ", ".join(f"{k} {r}/{n}" for k, (r, n) in report.targets.accuracy.items())
    console.print(f"field accuracy on matched targets: {acc}")

    d = Table(title="F1 by document")
    for col in ("doc_id", "measures", "lead", "supporting", "deadline", "targets found", "targets right"):
        d.add_column(col, justify="left" if col == "doc_id" else "right")
    for doc_id in sorted(set(report.tasks_by_doc) | set(report.targets_by_doc)):
        ts, gs = report.tasks_by_doc.get(doc_id), report.targets_by_doc.get(doc_id)
        cells = [f"{ts.detection.f1:.3f}", *(f"{ts.fields[f].f1:.3f}" for f in ("lead", "supporting", "deadline"))] if ts else ["—"] * 4
        cells += [f"{gs.detection.f1:.3f}", f"{gs.correct.f1:.3f}"] if gs else ["—", "—"]
        d.add_row(doc_id, *cells)
    console.print(d)

    errors = sorted(report.tasks.errors + report.targets.errors, key=lambda e: (e.doc_id, e.kind, e.where))
    if errors:
        console.print(f"[bold]{len(errors)} errors[/bold] (missed = in gold, not found; spurious = found, not in gold)")
    for e in errors[:max_errors]:
        console.print(_error_line(e), markup=False, highlight=False, soft_wrap=True)
    if len(errors) > max_errors:
        console.print(f"… {len(errors) - max_errors} more (see the returned dict)")


def _error_line(e: EvalError) -> str:
    return f"{e.doc_id}  {e.kind:<22} {e.where}  {e.detail}".rstrip()


def main(settings: Settings, gold_dir: Path = GOLD_DIR, console: Console | None = None) -> dict:
    """Run the extractors on the corpus, score them against ``gold_dir``, print, return the numbers."""
    console = console or Console(width=None if _is_tty() else 160)
    problems = tuple(gold_problems(gold_dir, lambda doc_id: _corpus_text(settings, doc_id)))
    doc_ids = set(load_task_files(gold_dir)) | set(load_target_files(gold_dir))
    started = time.perf_counter()
    predictions = predict(settings, doc_ids)
    report = evaluate(gold_dir, predictions)
    report = replace(report, gold_problems=problems)
    print_report(report, console)
    console.print(f"extraction + scoring took {time.perf_counter() - started:.1f} s")
    return report.as_dict()


def _is_tty() -> bool:
    return Console().is_terminal


def _corpus_text(settings: Settings, doc_id: str) -> str:
    from pipeline.manifest import load_manifest

    for entry in load_manifest(settings.corpus_dir).documents:
        if entry.doc_id == doc_id:
            return (settings.corpus_dir / entry.file).read_text(encoding="utf-8")
    return ""
