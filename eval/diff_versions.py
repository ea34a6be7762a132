"""Second versions of corpus documents with known edits, and the diff they must produce.

``python -m eval.diff_versions`` reads ``eval/gold/versions/edits.yaml``, applies each document's
edits to its corpus text (drop a measure, add one, replace words inside one), renumbers the
measures as a drafter would, and writes ``<doc_id>.v2.txt`` and ``<doc_id>.v2.expected.yaml``
next to the edits. The expected events are derived from the edits alone (never from a diff), so
``eval/diff_eval.py`` can check that every edit is reported and nothing else.
``--check`` regenerates in memory and fails when the files on disk differ (run by the tests).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from pipeline.chinese import cn_to_int

REPO = Path(__file__).resolve().parents[1]
VERSIONS_DIR = REPO / "eval" / "gold" / "versions"
CORPUS_DIR = REPO / "corpus"

Aspect = Literal["lead", "supporting", "unassigned", "deadlines", "targets", "wording"]
_CN_DIGITS = "零一二三四五六七八九"
_BOOKMARKS = r"(?:\[bookmark: [^\]]*\])*"
_MEASURE_START = {
    "cn": re.compile(rf"^({_BOOKMARKS})([一二三四五六七八九十]+)、"),
    "arabic": re.compile(rf"^({_BOOKMARKS})(\d+)\."),
}
# any numbered line ends the paragraph of the measure above it (headings of other levels too)
_ANY_NUMBERED = re.compile(rf"^{_BOOKMARKS}(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Edit(Frozen):
    drop: str | None = None
    add: str | None = None
    after: str | None = None
    text: str | None = None
    replace: str | None = None
    old: str | None = None
    new: str | None = None
    aspects: tuple[Aspect, ...] = ()


class VersionSpec(Frozen):
    doc_id: str
    numbering: Literal["cn", "arabic"]
    edits: tuple[Edit, ...]


class ExpectedEvent(Frozen):
    kind: Literal["added", "removed", "changed", "renumbered"]
    title: str
    aspects: tuple[Aspect, ...] = ()
    old_number: str | None = None
    new_number: str | None = None


class ExpectedDiff(Frozen):
    doc_id: str
    old_file: str  # relative to the repository
    new_file: str
    events: tuple[ExpectedEvent, ...]


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 16 → 十六, 23 → 二十三 (as measure numbers are written)."""
    if not 0 < n < 100:
        raise ValueError(f"measure number {n} out of range")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def load_specs(path: Path = VERSIONS_DIR / "edits.yaml") -> list[VersionSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [VersionSpec.model_validate(d) for d in data["documents"]]


class _Measure(Frozen):
    number: str
    title: str
    first_line: int
    end_line: int  # exclusive


def _measures(lines: list[str], numbering: str) -> list[_Measure]:
    starts = [(i, m) for i, line in enumerate(lines) if (m := _MEASURE_START[numbering].match(line))]
    out = []
    for i, m in starts:
        end = next((j for j in range(i + 1, len(lines)) if _ANY_NUMBERED.match(lines[j])), len(lines))
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1  # blank separator lines belong to no measure
        title = re.split(r"[。；]", lines[i][m.end():], maxsplit=1)[0].strip()
        out.append(_Measure(number=m.group(2), title=title, first_line=i, end_line=end))
    return out


def _find(measures: list[_Measure], title: str, doc_id: str) -> _Measure:
    found = [m for m in measures if m.title == title]
    if len(found) != 1:
        raise ValueError(f"{doc_id}: {len(found)} measures titled {title!r} (need exactly one)")
    return found[0]


def apply_edits(text: str, spec: VersionSpec) -> tuple[str, ExpectedDiff]:
    """The edited, renumbered text and the events a diff of the two versions must report."""
    lines = text.split("\n")
    before = {m.title: m.number for m in _measures(lines, spec.numbering)}
    events: list[ExpectedEvent] = []
    for edit in spec.edits:  # each edit re-reads the measures: an earlier one may shift lines
        measures = _measures(lines, spec.numbering)
        if edit.drop:
            m = _find(measures, edit.drop, spec.doc_id)
            end = m.end_line
            while end < len(lines) and not lines[end].strip():
                end += 1
            del lines[m.first_line:end]
            events.append(ExpectedEvent(kind="removed", title=edit.drop))
        elif edit.add and edit.after and edit.text:
            m = _find(measures, edit.after, spec.doc_id)
            gap = 1 if spec.numbering == "arabic" else 2  # the document's own paragraph spacing
            # a placeholder number: renumbering below gives the new measure its place's number
            new = [""] * (gap - 1) + [("0." if spec.numbering == "arabic" else "一、") + edit.text]
            lines[m.end_line:m.end_line] = new
            events.append(ExpectedEvent(kind="added", title=edit.add))
        elif edit.replace and edit.old and edit.new is not None:
            m = _find(measures, edit.replace, spec.doc_id)
            block = "\n".join(lines[m.first_line:m.end_line])
            if block.count(edit.old) != 1:
                raise ValueError(f"{spec.doc_id}: {edit.old!r} occurs {block.count(edit.old)} times in {edit.replace!r}")
            lines[m.first_line:m.end_line] = block.replace(edit.old, edit.new).split("\n")
            events.append(ExpectedEvent(kind="changed", title=edit.replace, aspects=edit.aspects))
        else:
            raise ValueError(f"{spec.doc_id}: an edit needs drop, add+after+text or replace+old+new")
    lines = _renumber(lines, spec.numbering)
    for m in _measures(lines, spec.numbering):
        old = before.get(m.title)
        if old is not None and old != m.number:
            events.append(ExpectedEvent(kind="renumbered", title=m.title, old_number=old, new_number=m.number))
    return "\n".join(lines), ExpectedDiff(
        doc_id=spec.doc_id, old_file=f"corpus/{spec.doc_id}.txt",
        new_file=f"eval/gold/versions/{spec.doc_id}.v2.txt", events=tuple(events),
    )


def _renumber(lines: list[str], numbering: str) -> list[str]:
    pattern, out, n = _MEASURE_START[numbering], [], 0
    for line in lines:
        m = pattern.match(line)
        if m:
            n += 1
            number = cn_numeral(n) + "、" if numbering == "cn" else f"{n}."
            line = m.group(1) + number + line[m.end():]
        out.append(line)
    return out


def generate(spec: VersionSpec) -> tuple[str, str]:
    """(text of the second version, expected-diff YAML) for one document."""
    text = (CORPUS_DIR / f"{spec.doc_id}.txt").read_text(encoding="utf-8")
    new_text, expected = apply_edits(text, spec)
    header = "# generated by `python -m eval.diff_versions` from edits.yaml; do not edit by hand\n"
    body = yaml.safe_dump(expected.model_dump(mode="json", exclude_defaults=True), allow_unicode=True, sort_keys=False)
    return new_text, header + body


def load_expected(doc_id: str) -> ExpectedDiff:
    data = yaml.safe_load((VERSIONS_DIR / f"{doc_id}.v2.expected.yaml").read_text(encoding="utf-8"))
    return ExpectedDiff.model_validate(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files on disk are stale")
    args = parser.parse_args(argv)
    stale = []
    for spec in load_specs():
        text, expected = generate(spec)
        for path, content in ((VERSIONS_DIR / f"{spec.doc_id}.v2.txt", text),
                              (VERSIONS_DIR / f"{spec.doc_id}.v2.expected.yaml", expected)):
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != content:
                    stale.append(path.name)
            else:
                path.write_text(content, encoding="utf-8")
                print(path.relative_to(REPO))
    if stale:
        print(f"stale: {', '.join(stale)} (run python -m eval.diff_versions)", file=sys.stderr)
    return 1 if stale else 0


assert cn_to_int(cn_numeral(16)) == 16  # the numbering written is the numbering read back

if __name__ == "__main__":
    sys.exit(main())
