"""Chinese labels for internal values (finding kinds, severities, comparators, roles …).

The mapping is data (``labels.yaml`` beside this file), loaded once and shared by the CLI, the
web page (served as ``GET /labels``) and the printed outputs, so a label is changed in one place.
``--json`` output and API fields keep the internal ids; only what a person reads is labelled.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

LABELS_FILE = Path(__file__).with_name("labels.yaml")


class Labels(BaseModel):
    """One table per kind of value; each maps an internal id to what a reader sees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    finding_kind: dict[str, str]
    severity: dict[str, str]
    rule: dict[str, str]
    newer: dict[str, str]
    comparator: dict[str, str]
    role: dict[str, str]
    deadline_kind: dict[str, str]
    build_status: dict[str, str]
    item_kind: dict[str, str]
    section_kind: dict[str, str]
    search_mode: dict[str, str]


@lru_cache(maxsize=1)
def labels() -> Labels:
    """The label tables, read once per process."""
    return Labels.model_validate(yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8")))


def label(kind: str, value: str | None) -> str:
    """``label("severity", "high") == "严重"``; an unknown value is shown as itself."""
    if value is None:
        return ""
    table: dict[str, str] = getattr(labels(), kind)
    return table.get(value, value)
