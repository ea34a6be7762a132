"""``taizhang eval consistency``: score the cross-document checks against eval/gold/findings.yaml.

Runs the checks on the built registry (or, when it is empty, on the bundled corpus parsed in
memory), matches every finding to the gold by doc_id + quote substring on both sides, and prints
precision and recall (overall and for hard conflicts), corroboration recall, and every miss and
false alarm. Scoring is pure (``score``); ``main`` only does I/O.

    precision       flagged findings (kind != consistent) that match a gold finding of that kind
    recall          gold findings found with the right kind (hard: the hard ones only)
    corroboration   gold corroborations found as kind consistent
    false alarms    flagged findings matching no gold finding (near misses named when listed)

Example: python -m eval consistency
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from eval.ratio import ratio
from pipeline.model import Evidence, Finding
from pipeline.settings import Settings

GOLD_FILE = Path(__file__).resolve().parent / "gold" / "findings.yaml"


class Side(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    doc: str | tuple[str, ...]
    quote: str | tuple[str, ...]

    def matches(self, ev: Evidence) -> bool:
        docs = (self.doc,) if isinstance(self.doc, str) else self.doc
        quotes = (self.quote,) if isinstance(self.quote, str) else self.quote
        text = _squash(ev.quote)
        return ev.source.doc_id in docs and any(_squash(q) in text for q in quotes)


class GoldItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    kind: str = "consistent"
    hard: bool = False
    consistent_ok: bool = False
    left: Side
    right: Side
    note: str = ""

    def matches(self, f: Finding) -> bool:
        return (self.left.matches(f.left) and self.right.matches(f.right)) or (
            self.left.matches(f.right) and self.right.matches(f.left)
        )


class Gold(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    findings: tuple[GoldItem, ...] = ()
    corroborations: tuple[GoldItem, ...] = ()
    not_flagged: tuple[GoldItem, ...] = ()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load_gold(path: Path = GOLD_FILE) -> Gold:
    return Gold.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))



@dataclass
class ConsistencyScore:
    precision: float
    recall: float
    hard_recall: float
    corroboration_recall: float
    flagged: int
    true_positives: int
    misses: list[str] = field(default_factory=list)
    wrong_kind: list[str] = field(default_factory=list)
    false_alarms: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, why)
    corroborations_missed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "hard_recall": round(self.hard_recall, 3),
            "corroboration_recall": round(self.corroboration_recall, 3),
            "flagged": self.flagged,
            "true_positives": self.true_positives,
            "misses": self.misses,
            "wrong_kind": self.wrong_kind,
            "false_alarms": [f"{f.kind} {f.finding_id}: {why}" for f, why in self.false_alarms],
            "corroborations_missed": self.corroborations_missed,
        }


def score(findings: Sequence[Finding], gold: Gold) -> ConsistencyScore:
    flagged = [f for f in findings if f.kind != "consistent"]
    consistent = [f for f in findings if f.kind == "consistent"]
    found: set[str] = set()
    wrong_kind: set[str] = set()
    tp = 0
    alarms: list[tuple[Finding, str]] = []
    for f in flagged:
        hits = [g for g in gold.findings if g.matches(f)]
        right = [g for g in hits if g.kind == f.kind]
        if right:
            tp += 1
            found.update(g.id for g in right)
            continue
        wrong_kind.update(g.id for g in hits)
        near = [g.id for g in gold.not_flagged if g.matches(f)]
        why = (
            f"wrong kind for {', '.join(g.id for g in hits)}"
            if hits
            else f"near miss {', '.join(near)}"
            if near
            else "not in gold"
        )
        alarms.append((f, why))
    for f in consistent:  # a 印证 on a pair that must stay silent is an alarm too
        near = [g.id for g in gold.not_flagged if g.matches(f) and not g.consistent_ok]
        if near:
            alarms.append((f, f"corroboration on near miss {', '.join(near)}"))
    corroborated = {g.id for g in gold.corroborations for f in consistent if g.matches(f)}
    hard = [g for g in gold.findings if g.hard]
    return ConsistencyScore(
        precision=ratio(tp, len(flagged) + sum(1 for f, _ in alarms if f.kind == "consistent")),
        recall=ratio(sum(g.id in found for g in gold.findings), len(gold.findings)),
        hard_recall=ratio(sum(g.id in found for g in hard), len(hard)),
        corroboration_recall=ratio(len(corroborated), len(gold.corroborations)),
        flagged=len(flagged),
        true_positives=tp,
        misses=[g.id for g in gold.findings if g.id not in found],
        wrong_kind=sorted(wrong_kind - found),
        false_alarms=alarms,
        corroborations_missed=[g.id for g in gold.corroborations if g.id not in corroborated],
    )


def gold_problems(gold: Gold, texts: dict[str, str]) -> list[str]:
    """Gold sides whose quote stands in none of their documents (whitespace ignored): a gold file
    that drifted from the corpus scores nothing honestly. Documents not loaded are skipped."""
    problems = []
    squashed = {doc_id: _squash(text) for doc_id, text in texts.items()}
    for item in (*gold.findings, *gold.corroborations, *gold.not_flagged):
        for side in (item.left, item.right):
            docs = (side.doc,) if isinstance(side.doc, str) else side.doc
            quotes = (side.quote,) if isinstance(side.quote, str) else side.quote
            present = [d for d in docs if d in squashed]
            for q in quotes:
                if present and not any(_squash(q) in squashed[d] for d in present):
                    problems.append(f"{item.id}: {q!r} is not in {', '.join(present)}")
    return problems


def findings_for(settings: Settings) -> tuple[list[Finding], dict[str, str], str]:
    """Findings (and document texts) of the built registry, or of the bundled corpus when the
    registry is empty."""
    from extractors.checks import check_documents, check_registry
    from extractors.registry.store import Registry

    registry = Registry.open(settings)
    try:
        metas = registry.documents()
        if metas:
            texts = {m.doc_id: d.text for m in metas if (d := registry.document(m.doc_id))}
            return check_registry(registry), texts, f"registry {registry.url}"
    finally:
        registry.close()
    from extractors.run import extract_document
    from pipeline.manifest import load_manifest
    from pipeline.run import parse_file

    docs, tasks, targets = [], [], []
    for entry in load_manifest(settings.corpus_dir).documents:
        doc = parse_file(settings.corpus_dir / entry.file, meta=entry, settings=settings)
        extraction = extract_document(doc)
        docs.append(doc)
        tasks += extraction.tasks
        targets += extraction.targets
    texts = {d.doc_id: d.text for d in docs}
    source = f"corpus {settings.corpus_dir} (registry empty)"
    return check_documents(docs, tasks, targets), texts, source


def print_score(result: ConsistencyScore, source: str, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"consistency vs eval/gold/findings.yaml — {source}")
    for col in ("measure", "value"):
        table.add_column(col)
    table.add_row(
        "precision (flagged)", f"{result.precision:.3f}  ({result.true_positives}/{result.flagged})"
    )
    table.add_row("recall", f"{result.recall:.3f}")
    table.add_row("recall, hard conflicts", f"{result.hard_recall:.3f}")
    table.add_row("corroboration recall", f"{result.corroboration_recall:.3f}")
    console.print(table)
    for gid in result.misses:
        console.print(
            f"[red]miss[/] {gid}"
            + (" (found with another kind)" if gid in result.wrong_kind else "")
        )
    for f, why in result.false_alarms:
        console.print(f"[yellow]false alarm[/] {f.kind} {f.rule}: {why} — {f.reason}")
    for gid in result.corroborations_missed:
        console.print(f"[cyan]corroboration missed[/] {gid}")


def main(settings: Settings) -> dict:
    gold = load_gold()
    findings, texts, source = findings_for(settings)
    result = score(findings, gold)
    print_score(result, source)
    problems = gold_problems(gold, texts)
    for problem in problems:
        print(f"gold problem: {problem}")
    return {**result.as_dict(), "gold_problems": problems}
