"""The ``taizhang`` command. Each command imports its implementation lazily, so that
``taizhang search`` never pays for torch and ``taizhang --help`` answers at once.

Errors: a file that cannot be read gets one line on stderr naming it and the reason; the other
files go on; the exit status is 1 at the end if any file failed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.settings import Settings

app = typer.Typer(
    name="taizhang",
    help="台账: turn Chinese policy documents into a task ledger (任务分工表), search it, check it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DataDir = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="where the registry, index and exports live (env TAIZHANG_DATA_DIR)"),
]
JsonOut = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def make_settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _fail(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="documents: .txt .md .docx .pdf .html")],
    as_json: JsonOut = False,
) -> None:
    """Parse documents and print the section tree each one was understood to have.

    Example: taizhang parse corpus/pzh-2025-yuanqu-tizhi-tongzhi.txt
    Example: taizhang parse report.pdf --json > report.json
    """
    from pipeline.report import print_parse_results

    ok = print_parse_results(files, as_json=as_json, settings=Settings())
    raise typer.Exit(0 if ok else 1)


@app.command()
def build(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="files or folders; default: the bundled corpus/")] = None,
    data_dir: DataDir = None,
    export: Annotated[bool, typer.Option("--export", help="also write the 任务分工表 workbook")] = False,
    no_index: Annotated[bool, typer.Option("--no-index", help="registry only; skip the search index")] = False,
) -> None:
    """Build or update the task registry (and the search index) from documents.

    Incremental: a document whose content has not changed is not extracted again.

    Example: taizhang build
    Example: taizhang build ~/收文/2025 --data-dir ~/taizhang-data --export
    """
    from extractors.registry.build import run_build_command

    index_step = None
    if not no_index:
        from search_api.index.indexing import index_step
    ok = run_build_command(
        paths or [], make_settings(data_dir), export=export, index_step=index_step,
    )
    raise typer.Exit(0 if ok else 1)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx, csv or json")] = "xlsx",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="output file (a folder for --all-units)")] = None,
    for_unit: Annotated[Optional[str], typer.Option("--for-unit", help="the 进展报送 template of this unit")] = None,
    all_units: Annotated[bool, typer.Option("--all-units", help="a 进展报送 template per unit, into --out")] = False,
    data_dir: DataDir = None,
) -> None:
    """Export the registry (with the secretariat's corrections): the 任务分工表 workbook (xlsx), a
    flat CSV, the JSON contract, or the units' 进展报送 templates.

    Example: taizhang export --format xlsx --out 任务分工表.xlsx
    Example: taizhang export --for-unit 市财政局 --out 市财政局.xlsx
    Example: taizhang export --all-units --out 进展报送/
    """
    if for_unit or all_units:
        from search_api.ledger_cli import run_unit_templates_command

        for path in run_unit_templates_command(make_settings(data_dir), for_unit, out):
            typer.echo(str(path))
        return
    from extractors.tracking.service import run_tracked_export

    path = run_tracked_export(make_settings(data_dir), fmt=fmt, out=out)
    typer.echo(str(path))


@app.command(name="import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="edited 任务分工表.xlsx and filled 进展报送 templates")],
    data_dir: DataDir = None,
) -> None:
    """Read workbooks back: corrections from an edited 任务分工表, reports from 进展报送 templates.

    Corrections survive every rebuild; a correction whose source text changed is listed 待复核.

    Example: taizhang import 任务分工表.xlsx
    Example: taizhang import 进展报送/*.xlsx
    """
    from search_api.ledger_cli import run_import_command

    raise typer.Exit(0 if run_import_command(files, make_settings(data_dir)) else 1)


@app.command()
def overdue(
    unit: Annotated[Optional[str], typer.Option("--unit", help="only this unit (canonical name)")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="the day to judge on (YYYY-MM-DD); default today")] = None,
    within: Annotated[int, typer.Option("--within", help="due soon: within this many days")] = 30,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="also write the 督办通报 workbook here")] = None,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """督办: overdue and due-soon tasks, and each unit's completion rate.

    Example: taizhang overdue --as-of 2025-06-30 --within 30
    Example: taizhang overdue --unit 区财政局 --xlsx 督办通报.xlsx
    """
    from search_api.ledger_cli import run_overdue_command

    run_overdue_command(make_settings(data_dir), unit, as_of, within, xlsx, as_json)


@app.command()
def corrections(
    pending: Annotated[bool, typer.Option("--pending", help="only those 待复核 (source changed)")] = False,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """The secretariat's corrections, and those waiting for review (待复核).

    Example: taizhang corrections --pending
    """
    from search_api.ledger_cli import run_corrections_command

    run_corrections_command(make_settings(data_dir), pending, as_json)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="documents to extract without touching the registry")],
    as_json: Annotated[bool, typer.Option("--json/--table", help="the JSON contract (default) or a table")] = True,
) -> None:
    """Extract measures, units, deadlines and targets from files and print the JSON contract.

    Example: taizhang extract 通知.docx --json > tasks.json
    """
    from extractors.registry.build import run_extract_command

    ok = run_extract_command(files, Settings(), as_json=as_json)
    raise typer.Exit(0 if ok else 1)


@app.command()
def show(
    locator: Annotated[str, typer.Argument(help="DOC_ID:START-END, as printed in the 来源 column")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Show a span of a registered document at its page and line in the original file.

    Every cell of the 任务分工表 carries such a locator in its 来源 column.

    Example: taizhang show pzh-2025-yuanqu-tizhi-tongzhi:1024-1290
    """
    from rich.console import Console
    from rich.text import Text

    from extractors.registry.store import Registry

    from pipeline.locate import locate, parse_locator

    try:
        doc_id, start, end = parse_locator(locator)
    except ValueError as exc:
        _fail(str(exc))
        raise typer.Exit(2) from exc
    doc = Registry.open(make_settings(data_dir)).document(doc_id)
    if doc is None:
        _fail(f"no document {doc_id!r} in the registry (run `taizhang build` first, or check the id)")
        raise typer.Exit(1)
    try:
        snippet = locate(doc, start, end)
    except ValueError as exc:
        _fail(str(exc))
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(snippet.model_dump_json(indent=2))
        return
    console = Console()
    # document text may hold "[...]" (e.g. [bookmark: …]): print it as Text, never as markup
    console.print(Text(snippet.title, style="bold") + Text(f"  ({snippet.source_path})"))
    console.print(Text(" > ".join(snippet.section_path) or "(preamble)"))
    console.print(Text(f"page {snippet.page}, lines {snippet.line_start}-{snippet.line_end}, chars {start}-{end}"))
    for number, line in snippet.raw_lines:
        console.print(Text(f"{number:>5} | ", style="dim") + Text(line))
    console.print(Text("text: ", style="bold") + Text(snippet.text, style="yellow"))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="plain Chinese (or English) question")],
    k: Annotated[int, typer.Option("-k", help="number of measures to return")] = 10,
    unit: Annotated[Optional[str], typer.Option("--unit", help="only measures this unit is named for (牵头, 配合 or 责任单位)")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="with --unit: lead, supporting or unassigned (牵头 / 配合 / 责任)")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="deadline year")] = None,
    doc: Annotated[Optional[str], typer.Option("--doc", help="doc_id")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="征求意见稿 / 代拟稿 / 正式")] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or sparse")] = "hybrid",
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """Search the ledger: measures with their owners, deadlines and sources.

    Example: taizhang search "土地要素保障谁牵头"
    Example: taizhang search "化工园区适用哪些措施" --year 2025 --json
    """
    from search_api.cli_search import run_search_command

    run_search_command(
        query, make_settings(data_dir), k=k, unit=unit, role=role, year=year, doc=doc,
        status=status, mode=mode, as_json=as_json,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="bind address; keep 127.0.0.1 unless behind a proxy")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Serve the REST API and the web page (搜索 / 任务分工表 / 冲突核查).

    Example: taizhang serve --port 8000   then open http://127.0.0.1:8000/
    """
    from search_api.app import run_server

    run_server(make_settings(data_dir), host=host, port=port, workers=workers)


@app.command()
def check(as_json: JsonOut = False, data_dir: DataDir = None) -> None:
    """Cross-document consistency checks: conflicting targets and rules, with both quotes.

    Example: taizhang check
    Example: taizhang check --json > 冲突核查.json
    """
    from search_api.check_cli import run_check_command

    run_check_command(make_settings(data_dir), as_json=as_json)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="the earlier version: a file or a doc id in the registry")],
    new: Annotated[str, typer.Argument(help="the later version: a file or a doc id")],
    as_json: JsonOut = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="also write the 修订对照表 workbook here")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="list unchanged measures too")] = False,
    data_dir: DataDir = None,
) -> None:
    """Compare two versions of a document measure by measure: added, removed, moved, changed
    (units and roles, deadlines, targets old → new, wording as a character diff).

    Example: taizhang diff 征求意见稿.docx 正式稿.docx --xlsx 修订对照表.xlsx
    """
    from extractors.relations.diff_cli import run_diff_command

    run_diff_command(old, new, make_settings(data_dir), as_json=as_json, xlsx=xlsx, show_all=show_all)


@app.command()
def trace(
    upper: Annotated[str, typer.Argument(help="the upper document: a file or a doc id in the registry")],
    lowers: Annotated[list[str], typer.Argument(help="the lower documents that implement it (承接)")],
    as_json: JsonOut = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="also write the 承接对照表 workbook here")] = None,
    dense: Annotated[bool, typer.Option("--dense/--no-dense", help="use the embedding model (slower, better)")] = True,
    data_dir: DataDir = None,
) -> None:
    """Link each upper measure to the lower measures that implement it, with both quotes;
    report 未承接, 自选动作 and targets or deadlines the lower document weakened.

    Example: taizhang trace 市实施意见.docx 东区方案.docx 西区方案.docx --xlsx 承接对照表.xlsx
    """
    from search_api.trace_cli import run_trace_command

    run_trace_command(upper, lowers, make_settings(data_dir), as_json=as_json, xlsx=xlsx, dense=dense)


@app.command(name="eval")
def evaluate(
    what: Annotated[str, typer.Argument(help="extraction, extraction-dev, search, heldout, consistency, diff, trace or all")] = "all",
    data_dir: DataDir = None,
) -> None:
    """Score extraction, search and consistency against the gold sets in eval/gold/.

    Example: taizhang eval extraction
    """
    from eval.run import run_eval_command

    ok = run_eval_command(what, make_settings(data_dir))
    raise typer.Exit(0 if ok else 1)


def main() -> None:
    from pipeline.errors import TaizhangError

    try:
        app()
    except BrokenPipeError:  # `taizhang … | head`
        sys.stderr.close()
    except TaizhangError as exc:  # one line saying what failed and what to do, no traceback
        _fail(exc.message)
        sys.exit(1)
