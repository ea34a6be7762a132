"""``taizhang eval extraction``: run the extractors on the bundled corpus and score them against the
hand-made gold in ``eval/gold/`` (see eval/gold/README.md for what the gold counts and why).

Prints precision / recall / F1 per field (measures found; lead, supporting, deadline; targets
found; targets fully right) and lists every miss and every spurious item so a developer can fix
them. The scoring itself is pure (``eval/extraction_score.py``); this module only does I/O.

Example: python -m eval extraction
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.settings import Settings

from eval import realdocs_eval
from eval.extraction_gold import GOLD_DIR, gold_problems, load_target_files, load_task_files, target_rows, task_rows
from eval.extraction_report import DocPrediction, ExtractionReport, evaluate
from eval.extraction_score import PRF, TASK_FIELDS, EvalError


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

    g = Table(title="Targets — all documents with target gold")
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


SUMMARY_ROWS = (
    ("measures found", lambda r: r.tasks.detection),
    ("unit + role (lead / supporting / 责任单位)", lambda r: r.tasks.fields["unit_role"]),
    ("units found, role ignored", lambda r: r.tasks.fields["unit"]),
    ("lead", lambda r: r.tasks.fields["lead"]),
    ("supporting", lambda r: r.tasks.fields["supporting"]),
    ("责任单位 (no role stated)", lambda r: r.tasks.fields["responsible"]),
    ("deadlines", lambda r: r.tasks.fields["deadline"]),
    ("targets found", lambda r: r.targets.detection),
    ("targets right (value+unit+comparator+year)", lambda r: r.targets.correct),
)


def print_summary(reports: dict[str, ExtractionReport], console: Console) -> None:
    """One row per field, one column group (P / R / F1) per document set."""
    t = Table(title="Extraction, side by side: bundled corpus · real documents (dev) · real documents (held out)")
    t.add_column("field")
    for name in reports:
        for col in ("P", "R", "F1"):
            t.add_column(f"{name} {col}", justify="right")
    for label, get in SUMMARY_ROWS:
        cells = []
        for report in reports.values():
            s = get(report)
            cells += ["—"] * 3 if s.empty else [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        t.add_row(label, *cells)
    console.print(t)


def print_families(reports: dict[str, ExtractionReport], families: dict[str, str], console: Console) -> None:
    """Unit + role and measures found, per format family (how a document states responsibility)."""
    t = Table(title="By format family: unit + role F1 (measures found F1) [documents]")
    t.add_column("family")
    for name in reports:
        t.add_column(name, justify="right")
    for family in sorted(set(families.values())):
        cells = []
        for report in reports.values():
            docs = [d for d, s in report.tasks_by_doc.items() if families.get(d) == family]
            if not docs:
                cells.append("—")
                continue
            role = sum((report.tasks_by_doc[d].fields["unit_role"] for d in docs), PRF())
            found = sum((report.tasks_by_doc[d].detection for d in docs), PRF())
            role_f1 = "—" if role.empty else f"{role.f1:.3f}"
            cells.append(f"{role_f1} ({found.f1:.3f}) [{len(docs)}]")
        t.add_row(family, *cells)
    console.print(t)


def main(settings: Settings, gold_dir: Path = GOLD_DIR, console: Console | None = None) -> dict:
    """Score the corpus against ``gold_dir``, the written documents (dev and held out) and, where
    ``../shared/realdocs`` is at hand, the real documents (dev and held out); print everything,
    return the numbers."""
    console = console or Console(width=None if _is_tty() else 300)
    problems = tuple(gold_problems(gold_dir, lambda doc_id: _corpus_text(settings, doc_id)))
    doc_ids = set(load_task_files(gold_dir)) | set(load_target_files(gold_dir))
    started = time.perf_counter()
    predictions = predict(settings, doc_ids)
    report = evaluate(gold_dir, predictions)
    report = replace(report, gold_problems=problems)
    print_report(report, console)
    out = report.as_dict()
    if gold_dir != GOLD_DIR:
        console.print(f"extraction + scoring took {time.perf_counter() - started:.1f} s")
        return out
    # the written documents live in the repository; the real ones beside it, where at hand
    sets: dict[str, ExtractionReport] = {"corpus": report}
    if realdocs_eval.available():
        dev = realdocs_eval.score_split(settings, "dev")
        console.rule("real documents, development set (rules may be tuned on these)")
        print_report(dev, console)
        sets |= {"dev": dev, "held-out": realdocs_eval.score_split(settings, "heldout")}
        out["realdocs"] = {"dev": dev.as_dict(), "heldout": sets["held-out"].as_dict()}
    else:
        console.print(f"real documents not scored: {realdocs_eval.REALDOCS_DIR} is not here")
    written = _written(settings)
    sets |= written
    out["written"] = {name: r.as_dict() for name, r in written.items()}
    console.rule("side by side (the held-out sets are scored, never tuned on: only their totals are shown)")
    print_summary(sets, console)
    families = {**realdocs_eval.load_families(), **realdocs_eval.load_families(realdocs_eval.WRITTEN_GOLD)}
    print_families(sets, families, console)
    for name, r in sets.items():
        if name == "corpus":
            continue
        for doc_id, reason in sorted(r.failures.items()):
            console.print(f"[red]{name} {doc_id}: no extraction[/red] — {reason}")
        for problem in r.gold_problems:
            console.print(f"[red]{name} gold problem:[/red] {problem}")
        out["failures"] = {**out["failures"], **r.failures}
        out["gold_problems"] = [*out["gold_problems"], *r.gold_problems]
    console.print(f"extraction + scoring took {time.perf_counter() - started:.1f} s")
    return out


def _written(settings: Settings) -> dict[str, ExtractionReport]:
    """The documents written in other places' conventions (eval/gold/written), dev and held out."""
    gold, folder = realdocs_eval.WRITTEN_GOLD, realdocs_eval.WRITTEN_DIR
    return {f"written {name}": realdocs_eval.score_split(settings, which, gold, folder)
            for name, which in (("dev", "dev"), ("held-out", "heldout"))}


def main_dev(settings: Settings) -> dict:
    """The development sets alone (real documents, then written ones), every miss and spurious item
    listed: the loop for rule work (``taizhang eval extraction-dev``). Held-out sets are not touched."""
    console = Console(width=None if _is_tty() else 300)
    report = realdocs_eval.score_split(settings, "dev")
    print_report(report, console)
    written = realdocs_eval.score_split(settings, "dev", realdocs_eval.WRITTEN_GOLD, realdocs_eval.WRITTEN_DIR)
    console.rule("written documents, development set")
    print_report(written, console, max_errors=len(written.tasks.errors) + len(written.targets.errors))
    return {**report.as_dict(), "written": written.as_dict()}


def _is_tty() -> bool:
    return Console().is_terminal


def _corpus_text(settings: Settings, doc_id: str) -> str:
    from pipeline.manifest import load_manifest

    for entry in load_manifest(settings.corpus_dir).documents:
        if entry.doc_id == doc_id:
            return (settings.corpus_dir / entry.file).read_text(encoding="utf-8")
    return ""
