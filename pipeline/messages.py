"""The Chinese texts of the errors a user reads about a file (``messages.yaml`` beside this file).

An error is raised by its key, ``CorruptFileError.because(path, "pdf_cut_short")``, and the
reason and hint come from the table, filled with the values the raising code knows. Keeping the
texts as data lets them be read, reviewed and changed in one place, and lets a test check that
every key raised exists, is raised with the code its entry names, and is used at all.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

MESSAGES_FILE = Path(__file__).with_name("messages.yaml")
_CODE = re.compile(r"^E\d{3}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class Message(BaseModel):
    """One refusal: the error code it carries, why (``reason``) and what to do (``hint``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    reason: str
    hint: str

    @field_validator("code")
    @classmethod
    def _is_a_code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"not an error code: {value!r} (expected E + three digits)")
        return value

    @field_validator("reason", "hint")
    @classmethod
    def _reads_in_chinese(cls, value: str) -> str:
        if not _CJK.search(value):
            raise ValueError(f"a user reads this, so it is written in Chinese: {value!r}")
        return value

    def fields(self) -> set[str]:
        """The names the templates expect (``{size:,}`` → ``size``)."""
        formatter = string.Formatter()
        return {name for text in (self.reason, self.hint)
                for _, name, _, _ in formatter.parse(text) if name}

    def filled(self, values: dict[str, object]) -> tuple[str, str]:
        """(reason, hint) with ``values`` in place; a missing value is a bug in the raiser."""
        missing = self.fields() - set(values)
        if missing:
            raise KeyError(f"message needs {sorted(missing)}")
        return self.reason.format(**values), self.hint.format(**values)


@lru_cache(maxsize=1)
def messages() -> dict[str, Message]:
    """Every message by key, read and validated once per process."""
    raw = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    return {key: Message.model_validate(entry) for key, entry in raw.items()}


def message(key: str) -> Message:
    try:
        return messages()[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in {MESSAGES_FILE.name}") from None
