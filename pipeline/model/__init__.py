"""The document model: the one typed shape that flows through every stage.

    spans.py      Span, OffsetMap (cleaned text → raw text), SourceRef: where a thing is in the
                  original file (document, section path, page/line in the *raw* file, character
                  span in the *cleaned* text)
    document.py   RawDocument (what a loader read), CleanText, and Document → Section → Clause
    ledger.py     what extractors and checks produce: UnitMention (with UnitFlag), Deadline,
                  Target, Task, Evidence, Finding

Every type is imported from here (``from pipeline.model import Task``), so the CLI, the JSON on
disk, the registry and the API all speak the same types.

Invariant everywhere: ``doc.text[span.start:span.end] == <the text the object claims>``.
Provenance: every object that users see carries a ``SourceRef``.
"""

from pipeline.model.document import (
    Clause,
    CleanText,
    DocStatus,
    DocTable,
    Document,
    DocumentMeta,
    RawDocument,
    RawTable,
    Section,
    SectionKind,
    SourceFormat,
)
from pipeline.model.ledger import (
    Comparator,
    Deadline,
    DeadlineKind,
    Evidence,
    Finding,
    FindingKind,
    Role,
    Target,
    Task,
    UnitFlag,
    UnitFlagKind,
    UnitFlagText,
    UnitMention,
)
from pipeline.model.spans import Frozen, OffsetMap, PageLine, SourceRef, Span, raw_page_line

__all__ = [
    "Clause",
    "CleanText",
    "Comparator",
    "Deadline",
    "DeadlineKind",
    "DocStatus",
    "DocTable",
    "Document",
    "DocumentMeta",
    "Evidence",
    "Finding",
    "FindingKind",
    "Frozen",
    "OffsetMap",
    "PageLine",
    "RawDocument",
    "RawTable",
    "Role",
    "Section",
    "SectionKind",
    "SourceFormat",
    "SourceRef",
    "Span",
    "Target",
    "Task",
    "UnitFlag",
    "UnitFlagKind",
    "UnitFlagText",
    "UnitMention",
    "raw_page_line",
]
