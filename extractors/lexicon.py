"""Loading rule tables from ``extractors/lexicons/*.yaml``: data, not code.

Each rule file is a YAML mapping validated into a pydantic model by the module that owns it.
``load_yaml`` reads a file once per process; ``Rule`` is the common shape of a pattern rule
(id, pattern, examples that must match, counter-examples that must not) so one parametrized
test can run every rule's examples.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.errors import LexiconError

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    pattern: str
    description: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
        return value

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


@functools.cache
def load_yaml(name: str, folder: Path = LEXICON_DIR) -> Any:
    """Parsed content of ``folder/name`` (cached). Raises LexiconError naming the file."""
    path = folder / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(path, f"cannot read lexicon: {exc}", "restore the file from git") from exc
