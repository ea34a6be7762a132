"""Every internal value a reader can meet has a Chinese label (pipeline/labels.yaml)."""

from __future__ import annotations

from typing import get_args

import pytest

from pipeline.labels import label, labels
from pipeline.model import Comparator, DeadlineKind, FindingKind, Role, SectionKind


@pytest.mark.parametrize(("table", "values"), [
    ("finding_kind", get_args(FindingKind)),
    ("comparator", get_args(Comparator)),
    ("deadline_kind", get_args(DeadlineKind)),
    ("role", get_args(Role)),
    ("section_kind", get_args(SectionKind)),
    ("severity", ("high", "medium", "low", "info")),
    ("newer", ("left", "right")),
])
def test_every_value_has_a_label(table: str, values: tuple[str, ...]) -> None:
    missing = [v for v in values if v not in getattr(labels(), table)]
    assert not missing, f"{table}: no label for {missing}"


def test_every_rule_a_check_can_fire_has_a_label() -> None:
    import re
    from pathlib import Path

    checks = Path(__file__).resolve().parent.parent / "extractors" / "checks"
    fired = {m for f in checks.glob("*.py") for m in re.findall(r'"((?:target|rule|task)\.[a-z_]+)"', f.read_text())}
    assert fired and not fired - set(labels().rule), sorted(fired - set(labels().rule))


def test_labels_are_chinese_and_unknown_values_show_themselves() -> None:
    assert label("severity", "high") == "严重" and label("finding_kind", "conflict") == "冲突"
    assert label("severity", "unheard-of") == "unheard-of" and label("role", None) == ""
