"""The comparable shapes of extraction scoring and how their text is compared.

Rows (``TaskRow``, ``TargetRow``) are the comparable shape of a measure / target; gold YAML and
the extractor's ``Task`` / ``Target`` are both turned into rows (``eval/extraction_gold.py``).
``PRF`` counts true and false positives and negatives; texts are compared after ``norm_text``
(width folded, whitespace and document artefacts dropped).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

MIN_QUOTE_OVERLAP = 3  # characters: "万吨" alone must not match a target, "12个" may


@dataclass(frozen=True)
class UnitRow:
    name: str  # as written (page-break repairs applied)
    canonical: str | None = None
    canonical_alt: tuple[str, ...] = ()  # other canonical names a reader could defend


@dataclass(frozen=True)
class TaskRow:
    doc_id: str
    task_id: str
    title: str
    number: str | None = None
    lead: tuple[UnitRow, ...] = ()
    supporting: tuple[UnitRow, ...] = ()
    deadlines: tuple[str, ...] = ()
    optional: bool = False
    responsible: tuple[UnitRow, ...] = ()  # named, no role stated (责任单位, unsplit)
    optional_units: tuple[str, ...] = ()  # gold only: vague collectives, neither missed nor wrong


@dataclass(frozen=True)
class TargetRow:
    doc_id: str
    quote: str
    comparator: str
    indicator: str = ""
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    year: int | None = None
    binding: str | None = None
    cumulative: bool = False
    comparator_alt: tuple[str, ...] = ()
    optional: bool = False
    task_id: str | None = None
    label: str = ""  # target_id of a prediction, "gold #n" of a gold row


@dataclass(frozen=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    # Empty denominators: predicting nothing is perfect only when there was nothing to find, and
    # finding nothing is perfect recall only when nothing was there (a document without targets).
    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 0.0 if self.fn else 1.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "PRF") -> "PRF":
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class EvalError:
    doc_id: str
    kind: str  # "missed task", "spurious lead", "wrong target" …
    where: str  # task_id or quote
    detail: str = ""


def score_sets(pred: Iterable[Hashable], gold: Iterable[Hashable]) -> PRF:
    """Precision/recall counts of two multisets: an item predicted twice but in gold once is one fp."""
    p, g = Counter(pred), Counter(gold)
    tp = sum((p & g).values())
    return PRF(tp=tp, fp=sum(p.values()) - tp, fn=sum(g.values()) - tp)


# --------------------------------------------------------------------------------------------
# Normalisation


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def norm_text(s: str) -> str:
    """Fold width (NFKC), drop whitespace, markdown bold and DOCX bookmark artefacts."""
    s = _BOOKMARK.sub("", unicodedata.normalize("NFKC", s))
    return re.sub(r"\s+", "", s.replace("**", ""))


_SECOND_NAME = re.compile(r"\([^()]{2,20}\)$")


def norm_unit(name: str) -> str:
    """A unit's written name as compared: ``norm_text`` without a trailing second name, so that
    市市场监管局（市知识产权局） and 市市场监管局 are one body whichever way a side writes it."""
    s = norm_text(name)
    short = _SECOND_NAME.sub("", s)
    return short if len(short) >= 2 else s


_CHAPTER = re.compile(r"^第[一二三四五六七八九十百零〇0-9]+章$")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇0-9]+条")


def norm_task_id(task_id: str) -> str:
    """One form of a measure's id. An article's number is unique in its document, so the chapter
    it stands in is dropped (第四章.第十一条 == 第十一条): authors write it both ways."""
    doc, _, path = norm_text(task_id).rpartition(":")
    segments = [seg for seg in (s.rstrip("、.") for s in path.split(".")) if seg]
    if len(segments) > 1 and _CHAPTER.match(segments[0]) and _ARTICLE.match(segments[1]):
        segments = segments[1:]
    return f"{doc}:{'.'.join(segments)}"


def title_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, norm_text(a).rstrip("。"), norm_text(b).rstrip("。")).ratio()


def quote_overlap(pred: str, gold: str) -> float:
    """Share of the shorter quote covered by the longest common substring (1.0 when nested)."""
    a, b = norm_text(pred), norm_text(gold)
    if a == b:
        return 1.0 if a else 0.0
    if min(len(a), len(b)) < MIN_QUOTE_OVERLAP:
        return 0.0
    if a in b or b in a:
        return 1.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size / min(len(a), len(b)) if m.size >= MIN_QUOTE_OVERLAP else 0.0
