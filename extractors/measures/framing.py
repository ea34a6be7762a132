"""Which numbered items frame a document rather than assign work: a 办法's purpose and scope
articles, an article that only introduces its items, a closing clause (本措施自…起施行), and
headings standing over nothing or over the rows of a task list."""

from __future__ import annotations

import re

from extractors.context import DocumentContext
from extractors.roles.statements import role_lexicon
from pipeline.model import Document, Section, Task


def is_operative_article(ctx: DocumentContext, section: Section) -> bool:
    """An article of a regulation that gives someone a duty or a power, not one that frames the
    text (purpose, scope, definitions, principles, interpretation, effect). An article's words
    decide, not its chapter's title: 附则 may hold an operative article (考核评估)."""
    if section.kind != "article":
        return False
    first = first_sentence_of(ctx, section)
    if ctx.children(section) and role_lexicon().rule("article_introduces_items").regex.search(first):
        return False  # 第四条 考核内容包括以下十个方面：its items are the measures
    return not role_lexicon().rule("article_non_operative").regex.search(first)


def first_sentence_of(ctx: DocumentContext, section: Section) -> str:
    body = ctx.text_view.simplified[section.span.start : section.span.end]
    body = re.sub(r"\s+", "", body)[len(re.sub(r"\s+", "", section.number or "")):]
    return re.split(r"[。；]", body, maxsplit=1)[0]


def heading_alone(doc: Document, ctx: DocumentContext, section: Section) -> bool:
    """A numbered line with no words under it and no items."""
    body = doc.text[section.heading_span.end : section.span.end]
    return not ctx.children(section) and not re.sub(r"[\s。；;，,]", "", body)


def holds_rows(section: Section, rows: list[Task]) -> bool:
    """A group row of a task list copied one cell per line (一、夯实数字基础设施（4项）)."""
    return any(section.span.start <= r.span.start < section.span.end for r in rows)


def starts_in_a_rows_table(doc: Document, section: Section, rows: list[Task]) -> bool:
    """An item whose number stands inside a 分工 table that gave rows (a tab-separated table's group
    title 一、…（共6项） or a row's own number read as a heading), or whose words are only that
    table's opening (一、市政府重点工作任务 over 序号 | 目标与任务 | 牵头责任单位): the rows are the measures."""
    at = section.heading_span.start
    body = doc.text[section.heading_span.end : section.span.end]
    words_at = section.span.end - len(body.lstrip()) if body.strip() else None
    return any(
        t.span is not None
        and (t.span.start <= at < t.span.end
             or (words_at is not None and t.span.start <= words_at and section.span.end <= t.span.end))
        and any(t.span.start <= r.span.start < t.span.end for r in rows)
        for t in doc.tables
    )


def _opening(ctx: DocumentContext, section: Section) -> list[str]:
    """The item's first sentence, and after a run-in title (第二十三条　施行日期。本政策自…施行) the
    sentence after the title too: what an item says it is."""
    first = first_sentence_of(ctx, section)
    if not section.run_in:
        return [first]
    body = re.sub(r"\s+", "", ctx.text_view.simplified[section.span.start : section.span.end])
    after_title = body[body.find(first) + len(first) + 1 :]
    return [first, re.split(r"[。；]", after_title, maxsplit=1)[0]]


def is_closing_clause(ctx: DocumentContext, section: Section) -> bool:
    """本措施自…起施行 / 有效期… / 由…负责解释: the item frames the text, even when it names a body."""
    rule = role_lexicon().rule("closing_clause").regex
    return any(rule.search(sentence) for sentence in _opening(ctx, section))


def is_condition_item(ctx: DocumentContext, section: Section) -> bool:
    """（一）未按照规定编制目录的；under 有下列情形之一的，由…责令改正：a condition, not a duty."""
    parent = ctx.by_id.get(section.parent_id) if section.parent_id else None
    items = ctx.children(parent) if parent is not None and parent.kind != "preamble" else ()
    if not items:
        return False
    lead_in = ctx.text_view.simplified[parent.span.start : items[0].span.start]
    return bool(role_lexicon().rule("condition_list").regex.search(lead_in.rstrip()))


def is_scoring_rule(ctx: DocumentContext, section: Section) -> bool:
    """获得国家级试点示范的，每项加2分 / 有下列情形之一的，予以扣分：a rule of a 考核办法's score, not
    a duty (第五条 加分项。有下列…: the sentence after the title says so)."""
    rule = role_lexicon().rule("scoring_rule").regex
    return any(rule.search(sentence) for sentence in _opening(ctx, section))
