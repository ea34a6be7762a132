"""Extraction has one composition step: build, eval, bench, fuzz and the API call
``extractors.run.extract_document``; only it chains the measure and target extractors (with the
document's context built once, and each task's ``target_ids`` filled in). Read from the source,
function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "extractors", "search_api", "eval", "bench", "fuzz")
STEPS = {"extract_tasks": "extractors/measures/", "extract_targets": "extractors/targets/"}
COMPOSER = "extractors/run.py"


def steps_imported(path: Path) -> set[str]:
    """The extractor steps ``path`` imports by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names if alias.name in STEPS}


def test_steps_imported_are_found() -> None:
    assert steps_imported(REPO / COMPOSER) == set(STEPS)


def test_only_the_composition_step_chains_the_extractors() -> None:
    chaining = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            where = path.relative_to(REPO).as_posix()
            if where == COMPOSER:
                continue
            # a step's own package may use it (the measures package calls extract_tasks's helpers)
            outside = [s for s in steps_imported(path) if not where.startswith(STEPS[s])]
            if outside:
                chaining.append(f"{where}: {sorted(outside)}")
    assert chaining == [], "call extractors.run.extract_document instead"
