"""Subjects of target claims: the words before a cue, split into scope and indicator.

    全市工业园区规上工业总产值 → (全市工业园区, 规上工业总产值)
    钒钛化工园区2025年安全等级 → (钒钛化工园区, 安全等级)

Lead-ins (力争, 确保, 未来), scopes (places and parks) and trailing small words (分别, 各) are
data in ``lexicons/targets.yaml``.
"""

from __future__ import annotations

import re

from extractors.targets.lexicon import target_lexicon

# a time phrase opening the subject: 到2025年底, 2024年6月底前, 2025年上半年, “十四五”末
_YEAR_IN_SUBJECT = re.compile(
    r"(?<![比较与同])(?:到|至|在|于)?(?:(20\d{2})年(?:[0-9一二三四五六七八九十]{1,2}月份?)?"
    r"(?:[上下]半年|第?[一二三四]季度)?(?:底|末|上旬|中旬|下旬|内)?|[“\"]?十[一二三四五六七八九]五[”\"]?(?:期间|时期|期末|末))"
    r"(?:前|以前)?"
)


def indicator_tail() -> re.Pattern[str]:
    return target_lexicon().indicator_tail.regex


def without_leading_time(words: str) -> str:
    """``words`` without the time phrase it opens with (到“十四五”末 of 到“十四五”末5G网络)."""
    m = _YEAR_IN_SUBJECT.match(words)
    return words[m.end():].lstrip("，,") if m else words


def split_subject(subject: str) -> tuple[str | None, str]:
    """(scope, indicator) of the words before a cue.

    全市工业园区规上工业总产值 → (全市工业园区, 规上工业总产值); 力争国家高新技术企业有效数量 →
    (None, 国家高新技术企业有效数量); 钒钛化工园区2025年安全等级 → (钒钛化工园区, 安全等级).
    """
    lex = target_lexicon()
    s = target_lexicon().change_base.regex.sub("", lex.lead_ins.regex.sub("", subject.strip()))
    scope: str | None = None
    ym = _YEAR_IN_SUBJECT.search(s)
    if ym:
        before, s = s[: ym.start()], s[ym.end() :]
        before = lex.lead_ins.regex.sub("", before)
        scope = before or None
    s = lex.lead_ins.regex.sub("", s)
    if scope is None:
        m = lex.scope.regex.match(s)
        if m and m.end() < len(s):
            scope, s = m.group(0), lex.lead_ins.regex.sub("", s[m.end() :])  # 园区未来“标准地”
    indicator = indicator_tail().sub("", s.lstrip("的、"))
    if scope:
        scope = re.sub(r"的$", "", scope)
    return scope, indicator


def scope_of(words: str) -> str | None:
    """``words`` as a scope when they are nothing but one (园区 in 园区实现钢铁冶炼…)."""
    lex = target_lexicon()
    s = lex.lead_ins.regex.sub("", words.strip())
    m = lex.scope.regex.match(s)
    return re.sub(r"的$", "", s) if s and m and m.end() == len(s) else None


def distribute(subject: str) -> list[str]:
    """新能源产业、机械制造产业、绿色化工产业产值 (分别…) → one indicator per item, tail shared."""
    items = [x for x in subject.split("、") if x]
    if len(items) < 2:
        return [subject]
    last, first = items[-1], items[0]
    for k in (2, 1):
        ending = first[-k:]
        cut = last.rfind(ending)
        if cut >= 0 and cut + k < len(last):
            tail = last[cut + k :]
            return [x + tail for x in items[:-1]] + [last]
    return items
