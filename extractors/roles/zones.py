"""Which parts of a text may hold sentence statements, read from its numbered lines, and the
bounds of the numbered item around a position."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from extractors.roles.conventions import role_lexicon, sentence_rules

_HEADING_RANKS = (("部分", 0), ("篇", 0), ("章", 1), ("节", 2), ("条", 3))
RUN_IN_END = re.compile("[。；;]")  # a heading's title ends here when its text runs on


class Zones:
    """Which parts of a text may hold sentence statements, from its numbered lines: not the
    sections a heading of ``section_non_task`` opens (发展现状, 总体要求, 发展目标, 附则 …; the
    first heading from the top of the ladder whose title speaks decides, as for measures), and
    not the introduction of a heading whose items follow (四、考核程序 + its opening paragraph
    + （一）…（三）): that text belongs to no single measure. It also tells the items under a
    保障措施 / 组织实施 heading (``section_guarantee``)."""

    def __init__(self, s: str) -> None:
        self._s = s
        self._lines = _heading_lines(s)
        self._starts = [h[0] for h in self._lines]
        self._verdicts: list[bool] = []
        self._guarantee: list[bool] = []
        stack: list[tuple[int, str | None]] = []
        for k, (_pos, rank, kind) in enumerate(self._lines):
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, kind))
            verdict = next((v for _, v in stack if v is not None), None)
            deeper_next = k + 1 < len(self._lines) and self._lines[k + 1][1] > rank
            # a dated phase of the 实施步骤 (（三）集中攻坚阶段（2023年10月—12月）。…) is tracked as a
            # measure, so the bodies its sentences charge are its units
            phase = kind == "phase"
            self._verdicts.append((phase or verdict != "non_task") and not deeper_next)
            self._guarantee.append(any(v == "guarantee" for _, v in stack))

    def allows(self, position: int) -> bool:
        k = bisect.bisect_right(self._starts, position) - 1
        return k < 0 or self._verdicts[k]

    def in_guarantees(self, position: int) -> bool:
        k = bisect.bisect_right(self._starts, position) - 1
        return k >= 0 and self._guarantee[k]

    @staticmethod
    def measure_bounds(s: str, position: int) -> tuple[int, int]:
        """[start, end) of the numbered item around ``position`` (at most a few thousand
        characters either way)."""
        heading = sentence_rules()["heading"]
        a = s.rfind("\n", 0, position) + 1
        floor = max(0, position - 4000)
        while a > floor and not heading.match(s[a : a + 16]):
            a = s.rfind("\n", 0, a - 1) + 1
        b = s.find("\n", position)
        ceiling = min(len(s), position + 4000)
        while b != -1 and b < ceiling and not heading.match(s[b + 1 : b + 17]):
            b = s.find("\n", b + 1)
        return max(a, floor), (ceiling if b == -1 or b > ceiling else b)


def _heading_lines(s: str) -> list[tuple[int, int, str | None]]:
    """(offset, rank, kind of its title: task / non_task / phase / None) of every numbered line."""
    heading = sentence_rules()["heading"]
    lex = role_lexicon()
    non_task, task = lex.rule("section_non_task").regex, lex.rule("section_task").regex
    phase = lex.rule("section_phase").regex
    guarantee = lex.rule("section_guarantee").regex
    annex = sentence_rules()["annex"]
    out: list[tuple[int, int, str | None]] = []
    for p in [0, *(m.end() for m in re.finditer("\n", s))]:
        m = heading.match(s[p : p + 16])
        if m is None:
            if annex.match(s[p : p + 16]):
                out.append((p, -1, _annex_kind(s, p)))
            continue
        token = m.group().strip(" \t\u3000#")
        rank = _heading_rank(token)
        line_end = s.find("\n", p + m.end())
        line = s[p + m.end() : len(s) if line_end == -1 else line_end]
        run_in = RUN_IN_END.search(line)
        title = re.sub(r"\s+", "", line[: run_in.start()] if run_in else line)  # 附　则
        kind = "phase" if phase.search(title) else None
        # a heading standing on its own line; an article (第八条 …。) is a rule, never a title,
        # even when it is one sentence long, nor is a long sentence (二、请各省…于2月24日前将申报
        # 材料报工业和信息化部。 names 申报材料 but is a request, not a 申报材料 section)
        if kind is None and (not run_in or run_in.end() >= len(line.rstrip())) and not token.endswith("条") \
                and len(title) <= _MAX_TITLE:
            if non_task.search(title):
                kind = "non_task"
            elif task.search(title):
                kind = "guarantee" if guarantee.search(title) else "task"
        out.append((p, rank, kind))
    return out


_ANNEX_TASKS = re.compile("分工|清单|方案|任务|措施")
_MAX_TITLE = 30  # a section's title is a phrase; a longer line is a sentence


def _annex_kind(s: str, p: int) -> str:
    """task when an attachment's title (its line and the next) names tasks, else non_task."""
    end = p
    for _ in range(2):
        k = s.find("\n", end + 1)
        end = len(s) if k == -1 else k
    return "task" if _ANNEX_TASKS.search(s[p:end]) else "non_task"


def _heading_rank(token: str) -> int:
    for word, rank in _HEADING_RANKS:
        if token.endswith(word):
            return rank
    if token[0] in "（(":
        return 8 if token[1].isdigit() else 6
    if token[0].isdigit():
        return 7
    if token[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return 9
    return 5  # 一、


_HEADING_PUNCT = re.compile("[，,。；;：:！!？?]")
_DATED = re.compile(r"(?:19|20)\d{2}年[^，。；]{0,8}?(?:底|末|前)")


def bare_heading_end(s: str, p: int, stop: int) -> int:
    """Where the clause at ``p`` ends when it is the title of a bare heading line (五、工作要求⏎各单位要…):
    at the line's end, so a title never runs into the subject of the line below. A clause that
    starts at the line break before the heading (after the 。 ending the line above) starts at
    the heading."""
    while p < stop and s[p] in " \t\u3000\r\n":
        p += 1
    nl = s.find("\n", p, stop)
    if nl == -1 or _HEADING_PUNCT.search(s, p, nl):
        return stop
    line_start = s.rfind("\n", 0, p) + 1
    head = sentence_rules()["heading"].match(s[line_start : line_start + 16])
    title = head is not None and not _HEADING_PUNCT.search(s, line_start + head.end(), p)
    return nl if title else stop


def charges_in_earnest(s: str, end: int, lead: bool) -> bool:
    """Whether the sentence whose predicate ends at ``end`` charges in earnest: a guarantee item's sentence that leads (商务部要会同…建立协调机制) or sets a date
    (各省级人民政府要…于2024年12月底前报备) assigns a measure, unlike a general call (各县（区）政府要…)."""
    sentence_end = s.find("。", end)
    return lead or bool(_DATED.search(s, end, sentence_end if sentence_end >= 0 else len(s)))


_COLLECTIVE = re.compile(r"^(?:各|所有|园区|[省市县区乡镇]级|[市县区乡镇][（(])|有关|相关")


def all_collective(names: Iterable[str]) -> bool:
    """Whether every body a sentence charges is a collective (各县（区）政府, 县（区）政府, 市级有关部门,
    园区管委会): a call on all of them, where a named body (市财政局要…) is charged with the item."""
    return all(_COLLECTIVE.match(name) for name in names)
