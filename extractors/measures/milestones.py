"""Yearly milestones written once for a group of measures, given to the measures they are about.

Plans often close a group of numbered measures with an unnumbered schedule:

    1.制定课程纲要。…（装备信息中心）
    2.明确课程定位。…
    3.推进课程普及。…
    2020年，制定《…课程纲要》，普及一至三年级课程；2021年，明确特色课程定位，…；2022年，课程体系基本建立。

Each year's phrases restate some of the measures above. A phrase goes to the measure it shares
the most distinctive words with (character pairs that not every measure of the group holds, so the
theme of the whole document decides nothing); a phrase that matches no measure better than the
others is left unattached (never a guess). The year becomes a deadline of each measure one of its
phrases went to, its span the year as written in the schedule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence

from extractors.relations.text import bigrams
from pipeline.model import Deadline, Document, Span, Task

_SCHEDULE_CLAUSE = re.compile(r"(?P<year>20\d{2})\s*年\s*[，,：:]\s*(?P<body>[^；;。\n]+)")
_PHRASE_SEPARATOR = re.compile(r"[，,、]")


def _pairs(text: str) -> set[str]:
    return set(bigrams(text))


def _schedule(text: str) -> list[re.Match[str]] | None:
    """The year clauses of ``text`` when it is a schedule: it opens with a year and a comma and
    holds at least two such clauses, one after the other."""
    stripped = text.strip()
    clauses = list(_SCHEDULE_CLAUSE.finditer(text))
    if len(clauses) < 2 or not stripped or _SCHEDULE_CLAUSE.match(stripped) is None:
        return None
    years = [int(c.group("year")) for c in clauses]
    return clauses if years == sorted(years) else None


def _best_measure(phrase: set[str], measures: Sequence[set[str]], weight: dict[str, float]) -> int | None:
    scores = [sum(weight.get(p, 0.0) for p in phrase & words) for words in measures]
    best = max(scores, default=0.0)
    if best < _MIN_SCORE or scores.count(best) > 1:
        return None
    return scores.index(best)


_MIN_SCORE = 2.0  # two distinctive character pairs: one shared word is chance


def attach_milestones(doc: Document, tasks: list[Task]) -> list[Task]:
    """``tasks`` with the years of their group's schedule added to their deadlines."""
    if not _SCHEDULE_CLAUSE.search(doc.text):
        return tasks
    by_section = {t.section_path[:-1]: [] for t in tasks if t.section_path}
    for k, t in enumerate(tasks):
        if t.section_path:
            by_section[t.section_path[:-1]].append(k)
    added: dict[int, list[Deadline]] = {}
    for members in by_section.values():
        if len(members) < 2:
            continue
        last = tasks[members[-1]]
        tail_end = _group_end(doc, last)
        clauses = _schedule(doc.text[last.span.end : tail_end])
        if clauses is None:
            continue
        words = [_pairs(tasks[k].text) for k in members]
        df = Counter(p for w in words for p in w)
        weight = {p: 1.0 - (n - 1) / len(members) for p, n in df.items() if n < len(members)}
        issued = doc.meta.date.year if doc.meta.date else None
        for c in clauses:
            year = int(c.group("year"))
            if issued is not None and year < issued:
                continue  # 2021年，全省…；2022年，…: what was done before the document, not a due
            start = last.span.end + c.start("year")
            span = Span(start=start, end=start + len(c.group("year")) + 1)
            for phrase in _PHRASE_SEPARATOR.split(c.group("body")):
                k = _best_measure(_pairs(phrase), words, weight)
                if k is None:
                    continue
                got = added.setdefault(members[k], [])
                if all(d.date.year != year for d in got if d.date):
                    got.append(Deadline(text=f"{year}年", kind="by_date", date=dt.date(year, 12, 31), span=span))
    if not added:
        return tasks
    out = list(tasks)
    for k, extra in added.items():
        own = {d.text for d in out[k].deadlines}
        new = tuple(d for d in extra if d.text not in own)
        out[k] = out[k].model_copy(update={"deadlines": out[k].deadlines + new})
    return out


def _group_end(doc: Document, last: Task) -> int:
    """Where the text after a group's last measure ends: the end of that measure's section."""
    section = next((s for s in doc.sections if s.span.start == last.span.start), None)  # a measure starts its section
    return section.span.end if section is not None else last.span.end
