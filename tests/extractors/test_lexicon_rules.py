"""One parametrized test over every rule of the YAML lexicons: examples must match.

A rule is any mapping with ``id`` and ``pattern``, wherever it sits in a lexicon file. Patterns
are searched in Simplified text (Traditional examples are converted character for character,
as the extractors do). Counter-examples must not match for the lexicons whose rules are pure
regexes (units, roles); deadlines and targets filter some counter-examples in code (截至2020年 is
a baseline, found by the pattern and dropped by its prefix rule), so theirs are tested by their
own extractor tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractors.lexicon import LEXICON_DIR
from pipeline.chinese import to_simplified

PURE_REGEX_LEXICONS = {"units.yaml", "roles.yaml"}


def _rules(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "id" in node and "pattern" in node:
            yield where, node
        for key, value in node.items():
            yield from _rules(value, f"{where}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _rules(value, where)


def _cases(field: str, only: set[str] | None) -> list[Any]:
    out = []
    for path in sorted(Path(LEXICON_DIR).glob("*.yaml")):
        if only is not None and path.name not in only:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for _, rule in _rules(data, path.stem):
            for text in rule.get(field) or ():
                if isinstance(text, str):
                    out.append(
                        pytest.param(
                            rule["pattern"], text, id=f"{path.stem}:{rule['id']}:{text[:20]}"
                        )
                    )
    return out


EXAMPLES = _cases("examples", None)
COUNTER_EXAMPLES = _cases("counter_examples", PURE_REGEX_LEXICONS)


@pytest.mark.parametrize(("pattern", "text"), EXAMPLES)
def test_example_matches(pattern: str, text: str) -> None:
    assert re.search(pattern, to_simplified(text)), f"{pattern!r} should match {text!r}"


@pytest.mark.parametrize(("pattern", "text"), COUNTER_EXAMPLES)
def test_counter_example_does_not_match(pattern: str, text: str) -> None:
    assert not re.search(pattern, to_simplified(text)), f"{pattern!r} should not match {text!r}"


def test_every_rule_of_ours_has_examples() -> None:
    for name in PURE_REGEX_LEXICONS:
        data = yaml.safe_load((Path(LEXICON_DIR) / name).read_text(encoding="utf-8"))
        for where, rule in _rules(data, name):
            assert rule.get("examples"), f"{where}:{rule['id']} has no examples"


def test_tables_are_found() -> None:
    assert len(EXAMPLES) > 100 and len(COUNTER_EXAMPLES) > 50


def test_a_lexicon_that_does_not_fit_its_model_names_the_file(tmp_path) -> None:
    from extractors.lexicon import load_lexicon
    from extractors.measures.tables import TableLexicon
    from pipeline.errors import LexiconError

    (tmp_path / "tables.yaml").write_text("version: 1\ncolumns: []\ntypo: 1\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="tables.yaml"):
        load_lexicon("tables.yaml", TableLexicon, tmp_path)
