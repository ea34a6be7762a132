"""A blank spaCy ``zh`` pipeline (jieba segmenter) with a span ruler fed from the lexicons.

Used to highlight units (label ``UNIT``, id = canonical name) and role words (label ``ROLE``,
id = lead / supporting / neutral) in the web page, displaCy style. The pipeline is built once,
lazily, on first use (``get_nlp``); importing this module loads nothing.

The jieba segmenter gets its own ``jieba.Tokenizer`` holding every unit name and role word as a
user word, so a unit is one token wherever it stands (phrase patterns match whole tokens) and
the process-wide jieba dictionary other components use is left untouched.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from extractors.roles.statements import role_lexicon
from extractors.units.names import known_units, simplify

if TYPE_CHECKING:
    from spacy.language import Language

SPANS_KEY = "taizhang"
_USER_WORD_FREQ = 200_000  # high enough that jieba keeps a listed name whole


def ruler_patterns() -> list[dict[str, str]]:
    """Span-ruler patterns: every unit name, alias and place name, then every role word."""
    patterns: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in known_units():
        for name in (entry.canonical, *entry.aliases, *entry.places):
            if name not in seen:
                seen.add(name)
                patterns.append({"label": "UNIT", "pattern": name, "id": entry.canonical})
    for role, words in role_lexicon().highlight_words.items():
        for word in words:
            patterns.append({"label": "ROLE", "pattern": word, "id": role})
    return patterns


@functools.cache
def get_nlp() -> Language:
    """The highlighting pipeline, built on first call and cached for the process."""
    import jieba
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    segmenter = jieba.Tokenizer()
    for pattern in ruler_patterns():
        segmenter.add_word(pattern["pattern"], freq=_USER_WORD_FREQ)
    nlp.tokenizer.jieba_seg = segmenter  # type: ignore[attr-defined]
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "overwrite": True})
    ruler.add_patterns(ruler_patterns())  # type: ignore[attr-defined]
    return nlp


def unit_spans(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, label, id)`` of units and role words in ``text``, no overlaps, in order.

    Offsets index ``text`` itself (Traditional input is matched through a same-length
    Simplified copy). Where spans overlap the longer wins (各产业链牵头部门 over 牵头).
    """
    from spacy.util import filter_spans

    doc = get_nlp()(simplify(text))
    spans = filter_spans(list(doc.spans[SPANS_KEY]))
    return [
        (s.start_char, s.end_char, s.label_, s.id_)
        for s in sorted(spans, key=lambda s: s.start_char)
    ]
