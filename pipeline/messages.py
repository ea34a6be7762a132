"""The Chinese texts a user reads about a file: errors (``messages.yaml``) and warnings
(``warnings.yaml``), both beside this file.

An error is raised by its key, ``CorruptFileError.because(path, "pdf_cut_short")``, and the
reason and hint come from the table, filled with the values the raising code knows. Keeping the
texts as data lets them be read, reviewed and changed in one place, and lets a test check that
every key raised exists, is raised with the code its entry names, and is used at all. A warning
is made the same way, ``warning("pdf_pages_need_ocr", total=…, count=…, pages=…)``.
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


def _in_chinese(value: str) -> str:
    if not _CJK.search(value):
        raise ValueError(f"a user reads this, so it is written in Chinese: {value!r}")
    return value


def _template_fields(*texts: str) -> set[str]:
    """The names templates expect (``{size:,}`` → ``size``)."""
    formatter = string.Formatter()
    return {name for text in texts for _, name, _, _ in formatter.parse(text) if name}


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
        return _in_chinese(value)

    def fields(self) -> set[str]:
        return _template_fields(self.reason, self.hint)

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


# ------------------------------------------------------------------------------------ warnings

WARNINGS_FILE = Path(__file__).with_name("warnings.yaml")


class WarningText(BaseModel):
    """One kind of warning about a file that was read: its id and its Chinese template."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str

    @field_validator("text")
    @classmethod
    def _reads_in_chinese(cls, value: str) -> str:
        return _in_chinese(value)

    def fields(self) -> set[str]:
        return _template_fields(self.text)

    def filled(self, values: dict[str, object]) -> str:
        """The text with ``values`` in place; a missing value is a bug in the code that warns."""
        missing = self.fields() - set(values)
        if missing:
            raise KeyError(f"warning {self.id!r} needs {sorted(missing)}")
        return self.text.format(**values)


class PdfminerTopics(BaseModel):
    """What a complaint of pdfminer is about, in Chinese: by a phrase of its message, else by the
    module that logged it, else ``otherwise``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by_phrase: dict[str, str]
    by_module: dict[str, str]
    otherwise: str

    def topic(self, module: str, message: str) -> str:
        for phrase, topic in self.by_phrase.items():
            if phrase.lower() in message.lower():
                return topic
        return self.by_module.get(module, self.otherwise)


class FieldProblems(BaseModel):
    """What is wrong with a manifest field, in Chinese, by the pydantic error type met."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by_type: dict[str, str]
    otherwise: str

    def reason(self, error_type: str) -> str:
        return self.by_type.get(error_type, self.otherwise)


class WarningTable(BaseModel):
    """``warnings.yaml``: the warnings by id, the words for pdfminer's complaints and for a
    manifest field's problem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warnings: dict[str, WarningText]
    pdfminer_topics: PdfminerTopics
    manifest_fields: FieldProblems


@lru_cache(maxsize=1)
def warning_table() -> WarningTable:
    """``warnings.yaml`` read and validated once per process."""
    raw = yaml.safe_load(WARNINGS_FILE.read_text(encoding="utf-8"))
    texts = {key: {"id": key, "text": text} for key, text in raw.get("warnings", {}).items()}
    return WarningTable.model_validate({**raw, "warnings": texts})


def warning_texts() -> dict[str, WarningText]:
    """Every warning by id."""
    return warning_table().warnings


def warning(key: str, **values: object) -> str:
    """The Chinese text of warning ``key`` (an entry of ``warnings.yaml``) filled with ``values``."""
    try:
        entry = warning_texts()[key]
    except KeyError:
        raise KeyError(f"no warning {key!r} in {WARNINGS_FILE.name}") from None
    return entry.filled(values)
