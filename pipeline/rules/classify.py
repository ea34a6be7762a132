"""What a line or paragraph is, by the rule tables: a heading, prose, a note, a paragraph end.

Shared by the cleaner (which must not join a heading to the line before it) and the segmenter
(which builds the tree from the same decisions), so the two never disagree.
"""

from __future__ import annotations

import re

from pipeline.rules import CleaningRules, HeadingRule, cleaning_rules, heading_rules

# The one table of bracket pairs. Remark brackets hold a note or a responsibility statement
# (（牵头单位：…）); title marks and quotes hold names and words, never a statement.
REMARK_OPENERS = "（(〔【[［"
REMARK_CLOSERS = "）)〕】]］"
OPENERS = REMARK_OPENERS + "《“‘「『"
CLOSERS = REMARK_CLOSERS + "》”’」』"
PAIR = dict(zip(CLOSERS, OPENERS))
OPEN_TO_CLOSE = dict(zip(OPENERS, CLOSERS))
TERMINALS = "。！？；!?;"
# Converters mix widths: "（…银江镇)" is one bracket. Closers that close the same kind of opener.
# An ASCII double quote closes an open “ (“东数西算"工程: web pages mix the two); where nothing
# is open it is ignored, so a "…" pair in ASCII changes nothing.
# A sentence end closes an open “ too: a quote does not run on past 。 (a stray “ in a PDF's text
# must not keep the lines after it in one paragraph: "…原则，推动“《规范》等出台。\n2.健全…").
SAME_CLOSER = {c: c for c in CLOSERS} | {"）": ")", "〕": "]", "］": "]", '"': "”", "。": "”", "！": "”", "？": "”"}
BRACKET = re.compile("[" + re.escape(OPENERS + CLOSERS + '"。！？') + "]")


def match_heading(text: str) -> tuple[HeadingRule, re.Match[str]] | None:
    """The first heading rule whose pattern matches the start of ``text`` (and is not a TOC line)."""
    rules = heading_rules()
    if not rules.start_regex.match(text):
        return None
    for rule in rules.all:
        m = rule.regex.match(text)
        if m is None:
            continue
        if rule.needs_rest and not m.group("rest").strip():
            continue
        if rule.role in ("ladder", "leaf") and any(r.regex.search(text) for r in rules.not_heading):
            return None
        return rule, m
    return None


def has_terminal_inside(text: str) -> bool:
    return any(ch in text for ch in heading_rules().run_in_terminators)


def is_prose(text: str) -> bool:
    return bool(cleaning_rules().rule("prose").regex.search(text))


def is_note(text: str) -> bool:
    return bool(cleaning_rules().rule("note_line").regex.search(text))


_UNSET = object()


def ends_table(text: str, found=_UNSET) -> bool:
    """A paragraph after a table caption that is no longer a table row."""
    if is_note(text):
        return False
    if found is _UNSET:
        found = match_heading(text)
    if found is not None and not found[0].weak:  # "①氢能" in a cell is not a heading
        return True
    return is_prose(text) or bool(cleaning_rules().rule("figure_caption").regex.search(text))


def _closing_group_ends_paragraph(text: str) -> bool:
    """``…。〔责任单位：…〕`` or a whole-line ``（…）`` ends a paragraph, and so do several groups
    in a row after a sentence end (``…。（1分）（6月底前，牵头考核单位：…）``); ``各县（区）`` does not."""
    depth, i = 0, len(text) - 1
    while i >= 0:
        ch = text[i]
        if ch in PAIR:
            depth += 1
        elif ch in OPENERS:  # kinds are not checked: a mismatch of widths is common
            depth -= 1
            if depth == 0:  # "。 （责任单位：…）": a space may stand before the group
                j = i - 1
                while j >= 0 and text[j] in " \t\u3000\xa0":
                    j -= 1
                if j >= 0 and text[j] in PAIR:  # another whole group before this one
                    i = j
                    continue
                return j < 0 or text[j] in TERMINALS
        i -= 1
    return False


def ends_paragraph(text: str, rules: CleaningRules) -> bool:
    if rules.paragraph_end_regex.search(text):
        return True
    return bool(text) and text[-1] in PAIR and _closing_group_ends_paragraph(text)


_TOC_NORMAL = re.compile(r"[\s.．…·•]+|[0-9０-９]+$")


def table_of_contents(paragraphs: list[str]) -> set[int]:
    """Indices of table-of-contents entries: after a 目录 line, the heading-like lines up to the
    first one that comes again as the real heading."""
    rules = heading_rules()
    toc_title = re.compile(rules.toc_title)
    entries: set[int] = set()
    for i, p in enumerate(paragraphs):
        if not toc_title.match(p.strip()):
            continue
        j = i + 1
        while j < len(paragraphs) and (
            match_heading(paragraphs[j]) is not None or any(r.regex.search(paragraphs[j]) for r in rules.not_heading)
        ):
            j += 1
        if j - i < 3:
            continue
        first = _TOC_NORMAL.sub("", paragraphs[i + 1])
        again = next((k for k in range(i + 2, len(paragraphs)) if _TOC_NORMAL.sub("", paragraphs[k]) == first), None)
        if again is not None:
            entries.update(range(i + 1, again))
    return entries
