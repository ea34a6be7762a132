"""Loading rule tables from ``extractors/lexicons/*.yaml``: data, not code.

Each rule file is a YAML mapping validated into a pydantic model by the module that owns it.
``load_yaml`` reads a file once per process; ``Rule`` is the common shape of a pattern rule
(id, pattern, examples that must match, counter-examples that must not) so one parametrized
test can run every rule's examples.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import LexiconError
from pipeline.rules import PatternRule, parse_yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"


# One shape for every pattern rule in the product (pipeline/rules/*.yaml and
# extractors/lexicons/*.yaml): id, pattern, examples that must match, counter-examples.
Rule = PatternRule


class LexiconModel(BaseModel):
    """A lexicon file's shape: frozen, and strict (an unknown key is a typo, not a default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


_Model = TypeVar("_Model", bound=BaseModel)


def load_lexicon(name: str, model: type[_Model], folder: Path = LEXICON_DIR) -> _Model:
    """``folder/name`` validated into ``model``; a file that does not fit is a LexiconError
    naming the file, not a pydantic dump."""
    try:
        return model.model_validate(load_yaml(name, folder))
    except ValidationError as exc:
        raise LexiconError(folder / name, f"invalid lexicon: {exc}", "fix the YAML") from exc


@functools.cache
def load_yaml(name: str, folder: Path = LEXICON_DIR) -> Any:
    """Parsed content of ``folder/name`` (cached). Raises LexiconError naming the file."""
    path = folder / name
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(path, f"cannot read lexicon: {exc}", "restore the file from git") from exc
