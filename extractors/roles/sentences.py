"""Responsibility stated in running sentences (A要会同B… / 由A负责… / 请A、B在…前完成).

国务院 and 部委 documents, 办法 and notices often name no unit in brackets: the clause itself
charges a body (2019年3月底前，国家卫生健康委推行…; 国家卫生健康委要会同相关部门…). Such a
clause is a statement when its grammatical subject (at a clause start, after a time or a
connective, or after 由 / 请) is a list of named bodies followed by a duty predicate; the words
are data (``sentences`` in lexicons/roles.yaml). A sentence statement has no span of its own
(``ResponsibilityParse.span`` is None): it is part of its measure's prose, never a bound of it.

牵头 / 会同 make the subject lead and the 会同 partners support; any other duty states no role,
unless another sentence of the paragraph names the lead (then the others support). Bodies the
bracket and label statements of the same item already name are left to those statements.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import NamedTuple

from extractors.roles.conventions import role_lexicon, sentence_rules
from extractors.roles.items import BLANK, Item, list_items, names_list_shape_ok
from extractors.roles.marked import DepthCounter, in_region
from extractors.roles.text import TextView
from extractors.roles.zones import (
    RUN_IN_END,
    Zones,
    all_collective,
    bare_heading_end,
    charges_in_earnest,
)
from extractors.units.names import canonical_unit, looks_like_unit, name_endings, suffix_endings
from pipeline.model import Role

_CLAUSE_END_CHAR = re.compile("[。；;！!？?]|\n[ \t\u3000\r]*\n")  # a blank line ends a clause too (五、工作要求⏎⏎各单位要…)
_MAX_SUBJECT = 60  # characters from a clause start to its predicate
_SHORT_FORM = re.compile(r"[（(](?:以下)?简称[^（）()，。]{1,24}[）)]\s*$")
_BY_REACH = 12  # how far into its clause a 由 / 授权 may stand (after a topic or the authorising body)


class Sentence(NamedTuple):
    start: int  # where the subject (or 由 / 请) starts
    end: int  # end of the predicate's head (and of the 会同 partners)
    subject: tuple[int, int]
    partners: tuple[int, int] | None
    lead: bool  # 牵头 / 会同: the subject leads


@functools.cache
def _subject_endings() -> frozenset[str]:
    """Last characters a subject can have: a known name's or a body suffix's."""
    return name_endings() | suffix_endings(role_lexicon().rule("sentence_subject_shape").pattern)


def sentence_statements(view: TextView, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the sentence statements of ``view`` outside the bracket and label statements
    ``taken`` (sorted, disjoint), in the measures a heading ladder allows (see ``Zones``)."""
    s = view.simplified
    rules = sentence_rules()
    if not rules["predicate"].search(s):
        return []
    starts = [a for a, _ in taken]
    zones = Zones(s)
    depth_at = DepthCounter(s)
    bracketed = len(taken) >= 2
    out: list[tuple[int, int]] = []
    items: list[tuple[int, int]] = []  # the measure bounds of each statement of ``out``
    earnest: set[tuple[int, int]] = set()
    ends = _subject_endings()
    # where a subject can end: a predicate after a character a name ends with (one pass)
    reach = [m.start() for m in rules["predicate"].finditer(s, 1) if s[m.start() - 1] in ends or s[m.start() - 1] in "）)等"]
    # a body named before a colon at an item's start (3.市科技局：…) is within reach too
    reach = sorted(reach + [m.start() for m in _COLON.finditer(s, 1) if s[m.start() - 1] in ends])
    strong = set(_clause_starts(s))
    for p in sorted(strong.union(_comma_clause_starts(s))):
        k = bisect.bisect_right(reach, p)
        if k == len(reach) or reach[k] > p + _MAX_SUBJECT + 60:
            continue  # no subject can end within reach of this clause start
        if in_region(taken, starts, p) or depth_at(p) > 0:
            continue
        hit = _sentence_at(s, p)
        if hit is None or (out and hit.start < out[-1][1]) or not zones.allows(hit.start):
            continue
        if p not in strong and not (
            hit.start == p and rules["comma_predicate"].match(s[hit.subject[1] : hit.subject[1] + 8])
        ):
            continue
        k = bisect.bisect_left(starts, hit.start)
        if k < len(starts) and starts[k] < hit.end:
            continue
        a, b = Zones.measure_bounds(s, hit.start)
        if _after_closed_statement(s, taken[bisect.bisect_left(starts, a) : k], hit.start):
            continue
        units = _sentence_units(view, hit)
        general = (bracketed and zones.in_guarantees(hit.start) and not _inside_any(starts, a, b)
                   and not charges_in_earnest(s, hit.end, hit.lead) and all_collective(it.name for it, _ in units))
        if units:
            out.append((hit.start, hit.end))
            if not general:
                earnest.add((a, b))
            items.append((a, b))
    # a document that names its units in brackets: a 保障措施 item without one of its own is a
    # general requirement (各县（区）政府要…), not a measure, unless one of its sentences charges a
    # body in earnest (要会同…, a date): then every body its sentences charge is its unit
    return [span for span, item in zip(out, items) if not bracketed or item in earnest
            or not zones.in_guarantees(span[0]) or _inside_any(starts, *item)]


_COMMA_CHAR = re.compile("[，,]\\s*")


@functools.cache
def _duty_words() -> re.Pattern[str]:
    """``sentence_comma_predicate`` unanchored: where any duty word it knows stands. One rule,
    so a new duty word there reaches the commas before it too."""
    anchored = role_lexicon().rule("sentence_comma_predicate").pattern
    return re.compile(re.sub(r"(?<![\[\\])\^", "", anchored))  # the anchors, not a [^…] class


def _comma_clause_starts(s: str) -> list[int]:
    """Clause starts after a comma (…实行就医地管理，就医地经办机构负责审核…): a subject there
    counts only before an explicit duty word (``sentence_comma_predicate``), so only commas
    with such a word within a subject's reach are tried."""
    duties = [m.start() for m in _duty_words().finditer(s)]
    out: list[int] = []
    for m in _COMMA_CHAR.finditer(s):
        k = bisect.bisect_right(duties, m.end())
        if k < len(duties) and duties[k] <= m.end() + _MAX_SUBJECT:
            out.append(m.end())
    return out


def _inside_any(starts: list[int], a: int, b: int) -> bool:
    """Whether a statement of ``starts`` (sorted) starts in [a, b)."""
    k = bisect.bisect_left(starts, a)
    return k < len(starts) and starts[k] < b


def _after_closed_statement(s: str, marked: list[tuple[int, int]], position: int) -> bool:
    """Whether a bracket or label statement of the same item closed a paragraph before
    ``position``: the text after it is the document's own closing (各有关部门要…; 国务院办公厅将
    会同有关方面…), not the measure's (tasks end a measure at its statement the same way)."""
    return any(e <= position and "\n" in s[e:position] for _, e in marked)


_CLAUSE_START = re.compile(r"[。；;！!？?]|[，,](?=\s*[由请])")
_LINE_BEFORE_CLAUSE = "。；;！!？?：:"


def _clause_starts(s: str) -> list[int]:
    """Where a clause can begin: the text's start, after 。；！？, after a heading's number,
    after a comma before 由 / 请 (…，请财政部落实…), and at a line start when the line before
    ended a sentence, was blank or was a heading (a line of a PDF wrapped inside a sentence,
    …支持⏎市科技局建设…, starts no clause)."""
    heading = sentence_rules()["heading"]
    out = [m.end() for m in _CLAUSE_START.finditer(s)]
    previous_heading = False
    for m in re.finditer(r"(?:^|\n)", s):
        p = m.end()
        h = heading.match(s[p : p + 16])
        if h is not None:
            out.append(p + h.end())
        else:
            j = p - 2
            while j >= 0 and s[j] in " \t\u3000\r":
                j -= 1
            if p == 0 or j < 0 or s[j] in _LINE_BEFORE_CLAUSE or s[j] == "\n" or previous_heading:
                out.append(p)
        line_end = s.find("\n", p)
        line = s[p : len(s) if line_end == -1 else line_end]
        previous_heading = h is not None and not RUN_IN_END.search(line)  # a title on its own line
    for p in list(out):
        h = heading.match(s[p : p + 16])
        if h is not None:
            out.append(p + h.end())
    return sorted(set(out))


def _sentence_at(s: str, p: int) -> Sentence | None:
    """The sentence statement whose clause starts at ``p``, if its subject names bodies."""
    rules = sentence_rules()
    end_mark = _CLAUSE_END_CHAR.search(s, p, p + 400)
    stop = end_mark.start() if end_mark is not None else min(len(s), p + 400)
    stop = bare_heading_end(s, p, stop)
    lead_in = rules["lead_in"].match(s[p : min(stop, p + 48)])
    x = p + lead_in.end() if lead_in else p
    while x < stop and s[x] in BLANK:
        x += 1
    numbered = rules["heading"].match(s[x : x + 16])
    if numbered is not None:  # 。⏎第八条　省人民政府…: the number is no part of the subject
        x += numbered.end()
        while x < stop and s[x] in BLANK:
            x += 1
    line = s[s.rfind("\n", 0, x) + 1 : x]
    owner = _ITEM_OWNER.match(s, x, stop)
    if owner is not None and (head := rules["heading"].match(line)) and not line[head.end() :].strip():
        if names_list_shape_ok(s, x, owner.end(1)):
            # 3.市科技局：实施创新驱动战略。 the item names its body first, as a label would; a
            # duty it leads (市经信局：负责牵头推进…, 市财政局：负责…，会同相关部门制定…) makes it lead
            full_stop = s.find("。", owner.end(), stop)
            duty = s[owner.end() : full_stop if full_stop != -1 else stop]
            leads = rules["lead"].match(duty) is not None or _LEADS_AFTER_COMMA.search(duty) is not None
            return Sentence(start=x, end=owner.end(), subject=(x, owner.end(1)), partners=None, lead=leads)
    start = x
    by = rules["by"].match(s, x, stop)
    if by is None and lead_in is None:
        # 由 / 请 / 授权 a few characters into its clause (事后监管由医保行政部门…负责,
        # 州人民政府授权州数据资源主管部门负责…)
        found = rules["by"].search(s, x, stop)
        k = found.start() if found is not None and found.start() < x + _BY_REACH else -1
        by = found if k != -1 and "，" not in s[x:k] else None
        if by is not None:
            start = k
    if by is not None:
        x = by.end()
    pred = rules["predicate"].search(s, x, min(stop, x + _MAX_SUBJECT))
    if pred is None or pred.start() == x:
        return None
    # 省政务服务数据管理局（以下简称省政务数据局）负责…: the name is the subject, not its short form
    short = _SHORT_FORM.search(s, x, pred.start())
    subject_end = short.start() if short is not None else pred.start()
    last = subject_end - 2 if s[subject_end - 1 : subject_end] == "等" else subject_end - 1  # A、B等对…
    if subject_end == x or last < x or s[last] not in _subject_endings():
        return None  # the subject does not end like the name of a body
    if rules["not_predicate"].match(s[pred.end() : pred.end() + 4]):
        return None
    subject = (x, subject_end)
    if rules["not_subject"].match(s[x : x + 6]) or rules["not_name"].search(s[x:subject_end]):
        return None
    if not names_list_shape_ok(s, *subject):
        return None
    head = s[pred.start() : min(stop, pred.start() + 12)]
    lead = rules["lead"].match(head) is not None
    partners = None
    end = pred.end()
    m = rules["partners"].match(head)
    if m is not None:
        a = pred.start() + m.end()
        nxt = rules["predicate"].search(s, a, min(stop, a + _MAX_SUBJECT))
        b = nxt.start() if nxt is not None else a
        comma = s.find("，", a, b)
        b = comma if comma != -1 else b
        if b > a:
            partners = (a, b)
            end = b
    elif lead:  # A牵头，B按职责分工负责 / A牵头，B、C配合: B and C support
        a = pred.end()
        while a < stop and s[a] in BLANK:
            a += 1
        if a < stop and s[a] in "，,":
            duty = rules["supporters"].search(s, a + 1, min(stop, a + 1 + _MAX_SUBJECT))
            if duty is not None and duty.start() > a + 1 and "，" not in s[a + 1 : duty.start()]:
                partners = (a + 1, duty.start())
                end = duty.end()
    if partners is None:
        closing = _closing_supporters(s, pred.end(), stop)
        if closing is not None:  # A负责…，B配合 / A牵头…，B参与: the subject leads, B supports
            partners, end, lead = closing[:2], closing[2], True
    return Sentence(start=start, end=end, subject=subject, partners=partners, lead=lead)



def _closing_supporters(s: str, a: int, stop: int) -> tuple[int, int, int] | None:
    """(start, end) of the bodies of a phrase that only says they support (…，市场监管总局配合。),
    and where that phrase ends: a clause after it (…，各县（市）、区抓好落实) is read on its own."""
    m = sentence_rules()["closing_supporters"].search(s, a, stop)
    if m is None or not all(looks_like_unit(name) for name in _LIST_SEPARATOR.split(m.group(1)) if name):
        return None  # …，加强配合，…: no bodies before the 配合
    return m.start(1), m.end(1), m.end() - (1 if s[m.end() - 1] in "，," else 0)


_LIST_SEPARATOR = re.compile("、")


_COLON = re.compile("[：:]")
_LEADS_AFTER_COMMA = re.compile(r"[，,]\s*(?:要|并)?\s*(?:牵头|会同)")
_ITEM_OWNER = re.compile(r"([^，。；：:、\n]{2,30}?(?:、[^，。；：:、\n]{2,30}?)*)[：:]")


def _sentence_items(view: TextView, a: int, b: int, strict: bool = True) -> list[Item] | None:
    """Bodies named in ``view.simplified[a:b]`` (a subject or a 会同 partner list), vague
    collectives and supported actors left out. ``strict`` (a subject): None when an item names
    no body, as the clause then has another subject; otherwise (partners) such an item is left
    out."""
    lex = role_lexicon()
    rules = sentence_rules()
    if lex.rule("not_unit_item").regex.search(re.sub(r"\s+", "", view.simplified[a:b])):
        return None
    items = list_items(view.blanked, a, b)
    out: list[Item] = []
    for it in items:
        if it.cue is not None:
            return None
        if rules["vague"].search(it.name):
            continue
        known = canonical_unit(it.name).known
        if not known and rules["not_actor"].search(it.name):
            continue
        if known or (looks_like_unit(it.name) and rules["subject_shape"].search(it.name)):
            out.append(it)
        elif strict:
            return None
    return out if items else None


def _sentence_units(view: TextView, hit: Sentence) -> list[tuple[Item, Role]]:
    """(item, role) for each body the sentence names: the subject leads when it 牵头 / 会同, and
    its 会同 partners support; otherwise no role is stated."""
    subject = _sentence_items(view, *hit.subject)
    if not subject:
        return []
    out: list[tuple[Item, Role]] = [(it, "lead" if hit.lead else "unassigned") for it in subject]
    if hit.lead and hit.partners is not None:
        partners = _sentence_items(view, *hit.partners, strict=False) or []
        out.extend((it, "supporting") for it in partners)
    return out


def sentence_starting_at(s: str, start: int) -> Sentence | None:
    """The sentence statement of ``s`` whose subject (or 由 / 请) starts at ``start``, if any."""
    hit = _sentence_at(s, _clause_start_before(s, start))
    return hit if hit is not None and hit.start == start else None


def item_statements(view: TextView, hit: Sentence) -> list[tuple[int, int]]:
    """Spans of the bracket and label statements of the numbered item around ``hit``: those of
    the whole text (found once per view) that lie inside the item, never a new scan of it."""
    a, b = Zones.measure_bounds(view.simplified, hit.start)
    marked = view.marked
    starts = [x for x, _ in marked]
    k = bisect.bisect_left(starts, a)
    out = []
    while k < len(marked) and marked[k][1] <= b:
        out.append(marked[k])
        k += 1
    return out


def sentence_roles(
    view: TextView, hit: Sentence, marked: list[tuple[int, int]], named: set[str]
) -> list[tuple[Item, Role]]:
    """(item, role) of the bodies sentence ``hit`` charges, less those its item's bracket and
    label statements (``marked``, which name the canonical units ``named``) already name."""
    found = [(it, role) for it, role in _sentence_units(view, hit) if not _same_body(it.name, named)]
    if found and not hit.lead and _paragraph_has_lead(view, hit, marked):
        # a paragraph that names its lead in one sentence gives the others their shares:
        # 行政监管部门要牵头抓总…。信息化建设部门要做好…。经办机构要用好…
        found = [(it, "supporting") for it, _ in found]
    return found


def _same_body(name: str, named: set[str]) -> bool:
    """Whether a brackets' unit of the measure is the body ``name`` stands for: the brackets
    already give it its role (各市 beside 各市人民政府: a place stands for its government)."""
    canonical = canonical_unit(name).canonical
    return canonical in named or any(
        n.startswith(canonical) and n[len(canonical) :] in ("人民政府", "政府") for n in named
    )


def _clause_start_before(s: str, position: int) -> int:
    """The clause start whose sentence statement starts at ``position``."""
    floor = max(0, position - 80)
    best = floor
    window = s[floor : position + 1]
    for p in _clause_starts(window) + [m.end() for m in _COMMA_CHAR.finditer(window)]:
        if best < floor + p <= position:
            best = floor + p
    return best


def _paragraph_has_lead(view: TextView, hit: Sentence, marked: list[tuple[int, int]]) -> bool:
    """Whether another sentence of the paragraph of ``hit`` makes a body lead."""
    s = view.simplified
    a = s.rfind("\n", 0, hit.start) + 1
    b = s.find("\n", hit.start)
    b = len(s) if b == -1 else b
    for p in _clause_starts(s[a:b]):
        if a + p >= b:
            continue  # the paragraph's last full stop: the next paragraph starts after it
        other = _sentence_at(s, a + p)
        if (
            other is not None
            and other.lead
            # A会同B… leads B only, not the paragraph; A牵头，B配合，C抓好落实 names the lead of
            # the rest of its own sentence
            and (other.partners is None or (
                "会同" not in s[other.subject[1] : other.partners[0]]
                and not _CLAUSE_END_CHAR.search(s, min(other.start, hit.start), max(other.start, hit.start))))
            and other.start != hit.start
            and not _after_closed_statement(s, marked, other.start)
            and _sentence_items(view, *other.subject)
        ):
            return True
    return False


