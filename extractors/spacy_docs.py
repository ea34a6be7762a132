"""A document's extraction as a spaCy ``Doc``: measures, units with their roles, deadlines and
targets as span groups, ready for displaCy and for ``DocBin`` training data.

The pipeline is ``spacy.blank("zh")`` with one token per character (``CharTokenizer``): Chinese
has no spaces to split on, a statistical segmenter would need a model download, and one
character a token lets every span the extractors found, at any character offset, be a span of
the ``Doc``. ``doc.text == document.text``, so span offsets are the extraction's offsets.

Span groups (the same in the gold export, ``eval/spacy_gold.py``):

===========  ==========================  ==============  =================
group        label                       ``span.id_``    ``span.kb_id_``
===========  ==========================  ==============  =================
measures     MEASURE                     task_id
units        LEAD / SUPPORTING /         task_id         canonical name
             UNASSIGNED (责任单位)
deadlines    DEADLINE                    task_id         kind (by_date …)
targets      TARGET                      target_id       indicator
===========  ==========================  ==============  =================

The pipeline is built by ``blank_chinese()`` once by the caller and passed in; importing this
module loads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from extractors.run import Extraction
from pipeline.labels import label
from pipeline.model import Role, Span as TextSpan

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

SPAN_GROUPS = ("measures", "units", "deadlines", "targets")
ROLE_LABELS: dict[Role, str] = {"lead": "LEAD", "supporting": "SUPPORTING", "unassigned": "UNASSIGNED"}
# what the displaCy view calls each label (the reader's words, from pipeline/labels.yaml where they exist)
VIEW_COLORS = {"牵头": "#f4a261", "配合": "#8ecae6", "责任单位": "#c9ada7", "时限": "#b7e4c7", "目标": "#ffd166"}


class CharTokenizer:
    """One token per character, whitespace included: never loses text, never needs a model."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc

        return Doc(self.vocab, words=list(text), spaces=[False] * len(text))


def blank_chinese() -> Language:
    """``spacy.blank("zh")`` with the one-character tokenizer. Build it once and pass it in."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = CharTokenizer(nlp.vocab)
    return nlp


@dataclass(frozen=True)
class Annotation:
    """One span to put on a Doc: where, which group, its label, and the ids it carries."""

    group: str
    span: TextSpan
    label: str
    id: str = ""
    kb_id: str = ""


def extraction_annotations(extraction: Extraction) -> list[Annotation]:
    """Every measure, unit, deadline and target of ``extraction`` that has a span in the text."""
    out: list[Annotation] = []
    for task in extraction.tasks:
        out.append(Annotation("measures", task.span, "MEASURE", task.task_id))
        for role, mentions in (("lead", task.lead), ("supporting", task.supporting),
                               ("unassigned", task.unassigned_units)):
            out += [Annotation("units", m.span, ROLE_LABELS[role], task.task_id, m.canonical)
                    for m in mentions if m.span is not None]
        out += [Annotation("deadlines", d.span, "DEADLINE", task.task_id, d.kind)
                for d in task.deadlines if d.span is not None]
    out += [Annotation("targets", t.span, "TARGET", t.target_id, t.indicator) for t in extraction.targets]
    return out


def annotated_doc(nlp: Language, text: str, annotations: Iterable[Annotation], *, name: str = "") -> Doc:
    """``text`` as a Doc with ``annotations`` in their span groups (every group present, maybe
    empty). ``name`` is kept in ``doc.user_data["doc_id"]``. Raises ``ValueError`` for a span
    outside the text: an extraction's offsets always fall inside it."""
    doc = nlp.make_doc(text)
    groups: dict[str, list] = {key: [] for key in SPAN_GROUPS}
    for a in annotations:
        span = doc.char_span(a.span.start, a.span.end, label=a.label, kb_id=a.kb_id, span_id=a.id)
        if span is None:
            raise ValueError(f"span {a.span.start}-{a.span.end} is outside the text ({len(text)} characters)")
        groups.setdefault(a.group, []).append(span)
    for key, spans in groups.items():
        doc.spans[key] = sorted(spans, key=lambda s: (s.start, s.end))
    doc.user_data["doc_id"] = name
    return doc


def extraction_doc(nlp: Language, extraction: Extraction) -> Doc:
    """The extraction of one document as a Doc over ``Document.text``."""
    document = extraction.document
    return annotated_doc(nlp, document.text, extraction_annotations(extraction), name=document.doc_id)


def doc_bin(docs: Sequence[Doc]) -> DocBin:
    """``docs`` with their span groups and ids, as one ``DocBin`` (``.to_disk(path)`` writes it)."""
    from spacy.tokens import DocBin

    out = DocBin(store_user_data=True)
    for doc in docs:
        out.add(doc)
    return out


def _view_label(span_label: str) -> str:
    roles = {v: k for k, v in ROLE_LABELS.items()}
    if span_label in roles:
        return label("role", roles[span_label])
    return {"DEADLINE": "时限", "TARGET": "目标"}.get(span_label, span_label)


def displacy_html(doc: Doc, title: str = "") -> str:
    """A standalone HTML page marking the units (by role), deadlines and targets of ``doc``.

    displaCy's entity view, which keeps Chinese text as it is written (its span view puts a
    space between tokens, here between characters). That view cannot stack overlapping marks,
    so where two overlap the unit wins over the deadline and the deadline over the target; the
    DocBin keeps them all. The measures are left out: they cover most of the text."""
    from spacy import displacy

    taken: list[tuple[int, int]] = []
    ents = []
    for key in ("units", "deadlines", "targets"):
        for span in doc.spans[key] if key in doc.spans else ():
            if all(span.end_char <= a or b <= span.start_char for a, b in taken):
                taken.append((span.start_char, span.end_char))
                ents.append({"start": span.start_char, "end": span.end_char, "label": _view_label(span.label_)})
    page = {"text": doc.text, "ents": sorted(ents, key=lambda e: e["start"]), "title": title or None}
    html = displacy.render([page], style="ent", manual=True, page=True, jupyter=False,
                           options={"colors": VIEW_COLORS})
    return html.replace("<title>displaCy</title>", f"<title>{escape(title or 'taizhang')}</title>", 1)
