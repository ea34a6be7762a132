"""Gold annotations on disk (``eval/gold/{tasks,targets}/<doc_id>.yaml``) and the extractor's
output, both turned into the rows that ``eval/extraction_score.py`` compares.

The YAML is validated strictly (unknown keys are errors: a typo must not silently become a
default). ``gold_problems`` keeps the gold honest: every quote, title, unit and deadline it cites
must occur in the source text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.chinese import cn_to_int
from pipeline.model import Comparator, Target, Task

from eval.extraction_score import TargetRow, TaskRow, UnitRow, norm_task_id, norm_text

GOLD_DIR = Path(__file__).resolve().parent / "gold"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GoldUnitEntry(_Strict):
    canonical: str
    alt: tuple[str, ...] = ()
    note: str | None = None


class GoldTask(_Strict):
    task_id: str
    number: str
    title: str
    lead: tuple[str, ...] = ()
    supporting: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()  # named with no role the document states (责任单位, unsplit)
    optional_units: tuple[str, ...] = ()  # vague collectives (相关部门, 各地区): neither missed nor wrong
    deadlines: tuple[str, ...] = ()
    optional: bool = False
    comment: str | None = None


class GoldTaskFile(_Strict):
    doc_id: str
    role_rule: str | None = None
    units: dict[str, str | GoldUnitEntry] = {}
    tasks: tuple[GoldTask, ...] = ()


class GoldTarget(_Strict):
    quote: str
    indicator: str
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    comparator: Comparator
    comparator_alt: tuple[Comparator, ...] = ()
    year: int | None = None
    binding: Literal["预期性", "约束性"] | None = None
    cumulative: bool = False
    optional: bool = False
    task_id: str | None = None
    note: str | None = None

    @field_validator("value", "value_max", mode="before")
    @classmethod
    def _decimal_from_string(cls, v: object) -> object:
        if isinstance(v, float):  # YAML 7.5 would already be a binary float: refuse it
            raise ValueError(f"write numbers as strings (\"{v}\"), never as floats")
        return v


class GoldTargetFile(_Strict):
    doc_id: str
    targets: tuple[GoldTarget, ...] = ()


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_task_files(gold_dir: Path = GOLD_DIR) -> dict[str, GoldTaskFile]:
    files = sorted((gold_dir / "tasks").glob("*.yaml"))
    parsed = [GoldTaskFile.model_validate(_read_yaml(f)) for f in files]
    return {g.doc_id: g for g in parsed}


def load_target_files(gold_dir: Path = GOLD_DIR) -> dict[str, GoldTargetFile]:
    files = sorted((gold_dir / "targets").glob("*.yaml"))
    parsed = [GoldTargetFile.model_validate(_read_yaml(f)) for f in files]
    return {g.doc_id: g for g in parsed}


def _unit_row(name: str, units: dict[str, str | GoldUnitEntry]) -> UnitRow:
    entry = units.get(name)
    if entry is None:
        raise ValueError(f"unit {name!r} is not in the file's units: map")
    if isinstance(entry, str):
        return UnitRow(name=name, canonical=entry)
    return UnitRow(name=name, canonical=entry.canonical, canonical_alt=entry.alt)


def gold_task_rows(file: GoldTaskFile) -> tuple[TaskRow, ...]:
    return tuple(
        TaskRow(
            doc_id=file.doc_id, task_id=t.task_id, title=t.title, number=t.number,
            lead=tuple(_unit_row(u, file.units) for u in t.lead),
            supporting=tuple(_unit_row(u, file.units) for u in t.supporting),
            responsible=tuple(_unit_row(u, file.units) for u in t.responsible),
            optional_units=t.optional_units,
            deadlines=t.deadlines, optional=t.optional,
        )
        for t in file.tasks
    )


def gold_target_rows(file: GoldTargetFile) -> tuple[TargetRow, ...]:
    return tuple(
        TargetRow(
            doc_id=file.doc_id, quote=t.quote, comparator=t.comparator, indicator=t.indicator,
            scope=t.scope, value=t.value, value_max=t.value_max, unit=t.unit, year=t.year,
            binding=t.binding, cumulative=t.cumulative, comparator_alt=t.comparator_alt,
            optional=t.optional, task_id=t.task_id, label=f"gold #{n}",
        )
        for n, t in enumerate(file.targets, 1)
    )


def task_rows(tasks: Sequence[Task]) -> tuple[TaskRow, ...]:
    return tuple(
        TaskRow(
            doc_id=t.doc_id, task_id=t.task_id, title=t.title, number=t.number,
            lead=tuple(UnitRow(u.name, u.canonical) for u in t.lead),
            supporting=tuple(UnitRow(u.name, u.canonical) for u in t.supporting),
            responsible=tuple(UnitRow(u.name, u.canonical) for u in t.unassigned_units),
            deadlines=tuple(d.text for d in t.deadlines),
        )
        for t in tasks
    )


def target_rows(targets: Sequence[Target]) -> tuple[TargetRow, ...]:
    return tuple(
        TargetRow(
            doc_id=t.doc_id, quote=t.quote, comparator=t.comparator, indicator=t.indicator,
            scope=t.scope, value=t.value, value_max=t.value_max, unit=t.unit, year=t.year,
            binding=t.binding, cumulative=t.cumulative, task_id=t.task_id, label=t.target_id,
        )
        for t in targets
    )


# --------------------------------------------------------------------------------------------
# Honesty checks


def source_without_line_breaks(text: str) -> str:
    """The text as gold quotes are written: hard line breaks and blank lines removed."""
    return re.sub(r"[\r\n\f]+", "", text)


def gold_problems(gold_dir: Path, source_of: Callable[[str], str]) -> list[str]:
    """Everything the gold claims that the source does not say. ``source_of(doc_id)`` -> raw text."""
    problems: list[str] = []
    for doc_id, tf in load_target_files(gold_dir).items():
        flat = source_without_line_breaks(source_of(doc_id))
        for n, t in enumerate(tf.targets, 1):
            if t.quote not in flat:
                problems.append(f"{doc_id} target #{n}: quote not in source: {t.quote}")
            if t.value is not None and not _number_in(t.value, t.quote):
                problems.append(f"{doc_id} target #{n}: value {t.value} not in its quote")
            if (t.value is None) != (t.comparator == "qualitative"):
                problems.append(f"{doc_id} target #{n}: qualitative iff no value")
    for doc_id, kf in load_task_files(gold_dir).items():
        problems += _task_file_problems(doc_id, kf, source_of(doc_id))
    return problems


def _number_in(value: Decimal, quote: str) -> bool:
    """``value`` is written in ``quote``, in digits or in Chinese numerals (百分之八十, 两)."""
    digits = format(value, "f")
    if digits in quote:
        return True
    doublings = {"翻一番": 100, "翻两番": 300, "翻二番": 300}  # +100%, +300% (the gold's convention)
    if any(word in quote and value == v for word, v in doublings.items()):
        return True
    numerals = re.findall(r"[零〇一二两三四五六七八九十百千万]+", quote)
    return any(cn_to_int(n) == value for n in numerals)


def _task_file_problems(doc_id: str, kf: GoldTaskFile, source: str) -> list[str]:
    problems: list[str] = []
    flat = norm_text(source)
    seen: set[str] = set()
    for t in kf.tasks:
        tid = norm_task_id(t.task_id)
        if not t.task_id.startswith(f"{doc_id}:"):
            problems.append(f"{t.task_id}: id does not start with {doc_id}:")
        if tid in seen:
            problems.append(f"{t.task_id}: duplicate id")
        seen.add(tid)
        if norm_text(t.number + t.title) not in flat:
            problems.append(f"{t.task_id}: number+title {t.number}{t.title} not in source")
        last = tid.rpartition(".")[2].rpartition(":")[2]
        if last != norm_text(t.number).rstrip("、.。"):
            problems.append(f"{t.task_id}: last path segment differs from number {t.number}")
        for segment in tid.rpartition(":")[2].split("."):
            if segment not in flat:
                problems.append(f"{t.task_id}: path segment {segment} not in source")
        for name in t.lead + t.supporting + t.responsible + t.optional_units:
            if norm_text(name) not in flat:
                problems.append(f"{t.task_id}: unit {name} not in source")
            if name not in kf.units:
                problems.append(f"{t.task_id}: unit {name} missing from units: map")
        if set(t.lead) & set(t.supporting):
            problems.append(f"{t.task_id}: a unit both leads and supports")
        if set(t.responsible) & set(t.lead + t.supporting):
            problems.append(f"{t.task_id}: a unit is both responsible (unsplit) and lead or supporting")
        for d in t.deadlines:
            if norm_text(d) not in flat:
                problems.append(f"{t.task_id}: deadline {d} not in source")
        if kf.role_rule and t.optional is False and not t.lead:
            problems.append(f"{t.task_id}: a scored measure without a lead under a stated rule")
    return problems
