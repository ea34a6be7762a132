"""Measures (任务/措施) of a document as Tasks: number, run-in title, text, units with roles,
deadlines, provenance.

Which items are measures (the secretariat tracks measures, including those nobody was named
for, but not 发展现状 paragraphs):

1. any numbered item (or dash item) that owns a responsibility statement (〔责任单位：…〕,
   （A牵头，B配合）, 牵头单位：… lines, or a bracket standing as its own paragraph right after it);
2. otherwise the deepest numbered items (leaves: 专栏 boxes and tables do not count as children)
   under a task section. A section's kind is read from its ancestors' titles, top of the ladder
   first (``measure_sections`` in lexicons/roles.yaml): 总体要求 / 发展现状 / 基本原则 / 目标 …
   hold no measures; 重点任务 / 主要任务 / 行动 / 措施 / 保障措施 … do;
3. in a document whose measures carry units, a 保障措施 / 组织实施 item without units of its own is
   a general requirement, not a measure;
4. a document with no task section and no statement at all: every leaf numbered item outside the
   non-task sections (措施 lists such as 一、…十六、 with no heading above them).

Headings that only group items (（一）科学规划优布局。 holding 1., 2., …) are not measures; they
appear in ``section_path``. Role rules stated once (逗号前为牵头单位，下同) govern the statements
after them (see ``roles.rule_in_force``). Task ids are the document's own numbering:
``pzh-2025-yuanqu-tizhi-tongzhi:二.（一）.1``; dash items count among their siblings (``—3``).
"""

from __future__ import annotations

import bisect
import functools
import re

from extractors.context import NOT_CONTENT_KINDS, DocumentContext
from extractors.measures.framing import (
    heading_alone,
    holds_rows,
    is_closing_clause,
    is_operative_article,
    is_condition_item,
    is_scoring_rule,
    starts_in_a_rows_table,
)
from extractors.measures.ids import number_token, unique_ids
from extractors.measures.implied import with_implied_units
from extractors.measures.milestones import attach_milestones
from extractors.measures.part_deadlines import with_part_deadlines
from extractors.measures.restated import merge_restated_rows
from extractors.measures.shared import first_sentence, measure_deadlines, split_roles
from extractors.measures.tables import table_tasks
from extractors.roles.statements import (
    ResponsibilityParse,
    find_statements,
    parse_statement,
    role_lexicon,
    rule_in_force,
)
from extractors.units.names import simplify
from pipeline.model import Document, Section, Span, Task

_MEASURE_KINDS = {
    "cn_num",
    "paren_cn",
    "arabic",
    "paren_arabic",
    "circled",
    "dash",
    "section",
    "chapter",
    "heading",
    "stage",
    "article",  # 第六条 … （责任单位：崂山区政府）: an article that owns a statement
}
_NUMBERED_KINDS = {"cn_num", "paren_cn", "arabic", "paren_arabic", "circled", "dash", "section"}
_REGULATION_ARTICLES = 5  # a document of this many 第X条 articles is a regulation (办法, 细则)
_DOC_TITLE = re.compile(r"(方案|规划|意见|通知|措施|办法|细则|计划|纲要|决定|实施方案)\s*$")
_DOC_TITLE_IN = re.compile(r"(方案|规划|意见|措施|办法|细则|计划|纲要|决定|清单|分工表|要点|安排|政策)(?:[（(][^）)]{0,20}[）)])?\s*(?:\n|$)")
_ANNEX_HEAD = 120  # characters: the 附件 line and the attached document's title


def extract_tasks(
    doc: Document, ctx: DocumentContext | None = None, rows: list[Task] | None = None
) -> list[Task]:
    """Every measure of ``doc`` as a Task, in document order (ids stable between runs).
    ``ctx``: the document's context (built here when not given); ``rows``: its 分工 tables' rows
    as measures (``table_tasks``), when the caller has read them."""
    ctx = ctx or DocumentContext.of(doc)
    statements = _statements(ctx)
    owned: dict[str, list[ResponsibilityParse]] = {}
    for section_id, parse in statements:
        owned.setdefault(section_id, []).append(parse)
    # "a document whose measures carry units": units named in 保障措施 / 组织实施 alone (a 规划 whose
    # 组织实施 charges its 领导小组) do not make its unowned guarantee items general requirements
    uses_units = sum(1 for sid, p in statements if p.units and not _under_guarantee(ctx, ctx.section(sid))) >= 2
    # a 保障措施 / 组织实施 section alone does not make a document's other groups non-measures:
    # 若干措施 often group their items under descriptive headings (一、夯实数字基础设施)
    _, _, guarantee = _section_rules()
    has_task_section = any(
        _title_kind(s.title) == "task"
        and not guarantee.search(simplify(s.title))
        and not s.run_in
        and ctx.children(s)
        and not _is_doc_title(s)
        for s in doc.sections
    )
    # bracket and label statements outside 保障措施 say which items are measures; one in a
    # guarantee item does not, nor do duties stated in sentences (国务院 documents charge a body in
    # some items' prose and none in others', which are measures all the same)
    assigns = any(p.span is not None and not _under_guarantee(ctx, ctx.section(sid)) for sid, p in statements)
    articles = sum(1 for s in doc.sections if s.kind == "article")
    # a short 若干措施 written as 第一条…第四条 with no other numbering is made of articles too
    regulation = articles >= _REGULATION_ARTICLES or (
        articles >= 2 and not any(s.kind in _NUMBERED_KINDS and not any(a.kind == "annex" for a in _ancestors(ctx, s))
                                  for s in doc.sections)
    )  # (a list attached to it, 一、基础软件 二、工业软件, is numbered its own way)
    # a notice that issues its 附件: the notice's own numbered requirements (一、提高思想认识。各地
    # 要…) ask for the attachment to be carried out; only a bracket or a label makes one a measure
    # (or issues it below its signature under its own title, with no 附件 line)
    issued = ctx.issues_attached and (
        any(s.kind == "annex" and _operative_annex(ctx, s) and ctx.children(s) for s in doc.sections)
        or (not any(s.kind == "annex" for s in doc.sections)
            and any(s.span.start >= (ctx.issued_from or 0) and s.kind in _NUMBERED_KINDS for s in doc.sections))
    )
    rows = table_tasks(doc, ctx) if rows is None else rows
    tasks: list[Task] = []
    for section in doc.sections:
        if section.kind in NOT_CONTENT_KINDS or section.kind not in _MEASURE_KINDS:
            continue
        parses = owned.get(section.section_id, [])
        if is_closing_clause(ctx, section) or (
            not parses and (is_scoring_rule(ctx, section) or is_condition_item(ctx, section))
        ):
            continue
        if rows and not parses and (heading_alone(doc, ctx, section) or holds_rows(section, rows)):
            continue  # 一、加强数据治理 over nothing or over the 任务清单's rows: the rows are the measures
        if rows and starts_in_a_rows_table(doc, section, rows):
            continue
        if not parses and uses_units and any(a.kind == "box" for a in _ancestors(ctx, section)):
            continue  # 专栏1 1.智能工厂建设工程…: beside charged measures, a box lists projects and goals
        if issued and section.span.start < (ctx.issued_from or 0) and all(p.span is None for p in parses):
            continue
        if not parses and not (
            _is_unowned_measure(ctx, section, uses_units, has_task_section or assigns)
            or (regulation and is_operative_article(ctx, section))
        ):
            continue
        tasks.append(_task(ctx, section, parses))
    tasks, rows = merge_restated_rows(tasks, rows)
    tasks.extend(rows)
    return unique_ids(attach_milestones(doc, with_part_deadlines(ctx, with_implied_units(ctx, tasks))))


# --------------------------------------------------------------------------------------------
# Statements and who owns them


def _statements(ctx: DocumentContext) -> list[tuple[str, ResponsibilityParse]]:
    rules, context = list(ctx.role_rules), ctx.units
    found: list[tuple[Section, int, ResponsibilityParse]] = []
    for start, end in find_statements(ctx.text_view):
        owner = _owner(ctx, start)
        if owner is None:
            continue
        parse = parse_statement(
            ctx.text_view, start, end, rule=rule_in_force(rules, start), context=context
        )
        if parse.units:
            found.append((owner, start, parse))
    owners = {owner.section_id for owner, _, _ in found}
    return [(_group_owner(ctx, owner, start, owners).section_id, parse) for owner, start, parse in found]


def _group_owner(ctx: DocumentContext, owner: Section, start: int, owners: set[str]) -> Section:
    """Label lines after a group's last sub-item (（四）企业梯度培育。1．…2．…3．… then 牵头考核单位：…
    on lines of their own) name the group's units when no sub-item names any: the group owns them.
    A group whose heading names its items' lead ((三)省编办牵头的工作) has charged them already."""
    parent = ctx.by_id.get(owner.parent_id) if owner.parent_id else None
    if parent is None or parent.kind not in _NUMBERED_KINDS:
        return owner
    heading = ctx.doc.text[parent.heading_span.start : parent.heading_span.end]
    if any(r.applies_to == "heading" and r.regex.search("\n" + heading + "\n") for r in role_lexicon().implied_units):
        return owner
    siblings = ctx.children(parent)
    on_own_line = ctx.doc.text[:start].rstrip(" \t\u3000").endswith("\n")
    if siblings and siblings[-1].section_id == owner.section_id and on_own_line \
            and len(siblings) > 1 and not any(s.section_id in owners for s in siblings[:-1]):
        return parent
    return owner


def _owner(ctx: DocumentContext, position: int) -> Section | None:
    """The deepest content section holding ``position``; a statement standing right after a
    section's end (its own paragraph) belongs to that section.

    Sections nest, so the candidates are the last section starting at or before ``position``
    and its ancestors: a lookup costs the depth of the tree, not a pass over every section
    (20,000 items each naming its unit would otherwise cost 20,000²)."""
    doc = ctx.doc
    k = bisect.bisect_right(ctx.content_starts, position) - 1
    if k < 0:
        return None
    # text[end:position] is blank exactly when end is at or after the spaces just before position
    blank_from = position
    while blank_from > 0 and doc.text[blank_from - 1].isspace():
        blank_from -= 1
    candidates: list[Section] = []
    seen: set[str] = set()
    # the last section to start, and the one before it (two may start at the same offset)
    for section in ctx.content_sections[max(0, k - 1):k + 1]:
        node: Section | None = section
        while node is not None and node.section_id not in seen:
            seen.add(node.section_id)
            if node.kind not in NOT_CONTENT_KINDS and (
                node.span.start <= position < max(node.span.end, node.span.start + 1)
                or blank_from <= node.span.end <= position
            ):
                candidates.append(node)
            node = ctx.by_id.get(node.parent_id) if node.parent_id is not None else None
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.level, s.span.start))


# --------------------------------------------------------------------------------------------
# Sections


@functools.cache
def _section_rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    lex = role_lexicon()
    return (
        lex.rule("section_non_task").regex,
        lex.rule("section_task").regex,
        lex.rule("section_guarantee").regex,
    )


def _title_kind(title: str) -> str | None:
    non_task, task, _ = _section_rules()
    title = simplify(title)
    if non_task.search(title):
        return "non_task"
    if task.search(title):
        return "task"
    return None


def _is_action_heading(title: str) -> bool:
    """一、支持企业创新: a group heading naming an action heads measures (see ``section_action``)."""
    return bool(role_lexicon().rule("section_action").regex.search(simplify(title)))


def _acts(ctx: DocumentContext, section: Section) -> bool:
    """An item whose run-in title or first clause is an action (（一）5G网络。新建5G基站4万个。 /
    （一）加快5G网络建设。): under a heading that names a subject (二、数字基础设施) it is a measure
    all the same; an item that describes (（一）钒钛产业。现有企业20家。) is not. A 规划 lays out
    its 产业体系 and 空间布局 in such words too, and keeps its measures under its task chapters."""
    if ctx.doc.meta.doc_type == "规划":
        return False
    body = simplify(ctx.doc.text[section.span.start : section.span.end])
    body = body[len(section.number or "") :].lstrip()
    clauses = re.split(r"[。；：\n]", body, maxsplit=2)
    return any(_is_action_heading(c) for c in clauses[:2] if c.strip())


def _ancestors(ctx: DocumentContext, section: Section) -> list[Section]:
    """Ancestors from the top of the ladder down, without the document's own title heading."""
    by_id = ctx.by_id
    chain: list[Section] = []
    cur = by_id.get(section.parent_id) if section.parent_id else None
    while cur is not None:
        if cur.kind != "preamble" and not _is_doc_title(cur):
            chain.append(cur)
        cur = by_id.get(cur.parent_id) if cur.parent_id else None
    return list(reversed(chain))


def _operative_annex(ctx: DocumentContext, annex: Section) -> bool:
    doc = ctx.doc
    """An attachment whose own title (the 附件 line and the lines before its first item) names a
    document or a list of tasks: 附件：XX实施方案, 附件 重点任务分工表, 附件 改革举措推广清单. A list of
    典型经验做法, 考核指标 or 成员单位 is not: its items are not measures."""
    children = ctx.children(annex)
    end = min(annex.span.end, children[0].span.start if children else annex.span.start + _ANNEX_HEAD)
    head = simplify(doc.text[annex.span.start : end][:_ANNEX_HEAD])
    kind = _title_kind(head)
    # with no words of its own, the 附件 a notice issues is operative; one after the issued
    # document (its list of 重点领域) is that document's own list
    issued_here = ctx.issues_attached and ctx.issued_from == annex.span.start
    return kind == "task" or bool(_DOC_TITLE_IN.search(head)) or (issued_here and kind is None)


def _is_doc_title(section: Section) -> bool:
    return section.kind == "heading" and bool(_DOC_TITLE.search(simplify(section.title)))


def _is_unowned_measure(
    ctx: DocumentContext, section: Section, uses_units: bool, structured: bool
) -> bool:
    if section.kind not in _NUMBERED_KINDS or ctx.children(section):
        return False
    ancestors = _ancestors(ctx, section)
    if any(a.kind == "annex" and not _operative_annex(ctx, a) for a in ancestors):
        return False  # a list of praised practices, indicators or contacts attached to a notice
    headings = [a for a in ancestors if not a.run_in]  # 4.推进… is an action, not a section kind
    verdict = next((k for a in headings if (k := _title_kind(a.title)) is not None), None)
    own = None if section.run_in else _title_kind(section.title)
    if role_lexicon().rule("section_phase").regex.search(simplify(section.title)):
        return True  # （一）动员部署阶段（2024年3月—4月）: a dated phase of the 实施步骤
    if verdict == "non_task" or own == "non_task":
        return False  # the second: a heading on its own line with only prose under it (一、总体要求)
    if verdict is None and not headings:
        verdict = own  # a top heading with only prose under it speaks for itself (四、组织实施)
    if verdict is None:
        # an item under a descriptive heading is a measure when it acts, whether or not the
        # document names units for its neighbours (a 政府工作报告 分工 leaves a few unbracketed)
        return not structured or any(_is_action_heading(a.title) for a in headings) or _acts(ctx, section)
    _, _, guarantee = _section_rules()
    return not (uses_units and any(guarantee.search(simplify(a.title)) for a in headings))


def _under_guarantee(ctx: DocumentContext, section: Section) -> bool:
    _, _, guarantee = _section_rules()
    return any(not a.run_in and guarantee.search(simplify(a.title)) for a in (*_ancestors(ctx, section), section))


# --------------------------------------------------------------------------------------------
# Building a Task


def _task(ctx: DocumentContext, section: Section, parses: list[ResponsibilityParse]) -> Task:
    doc = ctx.doc
    span = _measure_span(ctx, section, parses)
    text = doc.text[span.start : span.end]
    lead, supporting, unassigned = split_roles([u for p in parses for u in p.units])
    return Task(
        task_id=f"{doc.doc_id}:{_number_path(ctx, section)}",
        doc_id=doc.doc_id,
        number=section.number,
        title=_title_without_statements(doc, section.title.strip() or first_sentence(text), parses),
        text=text,
        section_path=doc.section_path(section.section_id),
        lead=lead,
        supporting=supporting,
        unassigned_units=unassigned,
        role_rule=next((p.rule_applied for p in parses if p.rule_applied), None),
        deadlines=tuple(measure_deadlines(ctx, text, span.start)),
        span=span,
        source=doc.source_ref(span, section.section_id),
    )


def _measure_span(ctx: DocumentContext, section: Section, parses: list[ResponsibilityParse]) -> Span:
    doc = ctx.doc
    start, end = section.span.start, section.span.end
    box = next((c for c in ctx.doc.sections if c.parent_id == section.section_id and c.kind == "box"), None)
    if box is not None:  # 1.建立…理论体系。… 专栏1 基础理论: the box is the measure's annex, not its text
        end = box.span.start
    last = max((p.span.end for p in parses if p.span is not None), default=None)
    if last is not None and last > end:  # a statement standing as its own paragraph after it
        end = last
    elif last is not None and "\n" in doc.text[last:end] and not ctx.children(section):
        end = last  # a closing paragraph after the measure's statement is not the measure's
    while end > start and doc.text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end)


def _title_without_statements(doc: Document, title: str, parses: list[ResponsibilityParse]) -> str:
    """1.（市发展改革委牵头，市财政局配合）推进项目建设 → 推进项目建设: the units are in their columns."""
    for p in parses:
        written = doc.text[p.span.start : p.span.end] if p.span is not None else ""
        if written and written in title and title.replace(written, "", 1).strip():
            title = title.replace(written, "", 1).strip()
    return _SCORE_WEIGHT.sub("", title) or title  # 产业链规模增长（20分）: the weight is a column of its own


_SCORE_WEIGHT = re.compile(r"\s*[（(]\s*[0-9０-９.]+\s*分\s*[）)]\s*$")


def _number_token(ctx: DocumentContext, section: Section) -> str:
    """二、 → 二, 1. → 1, (二) → （二）; dash and unnumbered items count among their siblings."""
    doc = ctx.doc
    if section.number and section.kind != "dash":
        return number_token(section.number)
    siblings = [
        s for s in doc.sections if s.parent_id == section.parent_id and s.kind == section.kind
    ]
    k = next(i for i, s in enumerate(siblings, 1) if s.section_id == section.section_id)
    return f"—{k}" if section.kind == "dash" else f"h{k}"


def _number_path(ctx: DocumentContext, section: Section) -> str:
    chain = [a for a in _ancestors(ctx, section) if a.number or a.kind == "dash"] + [section]
    tokens = [_number_token(ctx, s) for s in chain]
    # 2.1.1 under 2.1 under 2: a decimal number already holds its ancestors' numbers
    kept = [t for k, t in enumerate(tokens) if not (k + 1 < len(tokens) and tokens[k + 1].startswith(t + "."))]
    return ".".join(kept)
