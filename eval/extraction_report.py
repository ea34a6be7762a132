"""The scores of one set of documents: predictions matched against gold, per field and per document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eval.extraction_gold import gold_target_rows, gold_task_rows, load_target_files, load_task_files
from eval.extraction_score import TargetRow, TargetScores, TaskRow, TaskScores, score_targets, score_tasks


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


def evaluate(gold_dir: Path, predictions: Mapping[str, DocPrediction],
             only: set[str] | None = None) -> ExtractionReport:
    """Score ``predictions`` (doc_id -> rows) against every gold file under ``gold_dir`` (or the
    documents in ``only``).

    A gold document without a prediction counts as entirely missed; predictions for documents
    without gold are not scored (the gold decides what is measured).
    """
    task_gold = {d: gold_task_rows(f) for d, f in load_task_files(gold_dir).items() if only is None or d in only}
    target_gold = {d: gold_target_rows(f) for d, f in load_target_files(gold_dir).items()
                   if only is None or d in only}
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
