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

from search_api.cli_help import ChineseCommand, ChineseGroup

app = typer.Typer(
    name="taizhang",
    help="台账：把政策文件整理成任务分工表（措施、牵头和配合单位、完成时限、目标），可检索、可核查冲突。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=ChineseGroup,
)

DataDir = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="任务台账、索引和导出文件所在的文件夹（环境变量 TAIZHANG_DATA_DIR）"),
]
JsonOut = Annotated[bool, typer.Option("--json", help="输出 JSON（字段名为英文，供程序读取），不输出表格")]
AllVersions = Annotated[bool, typer.Option(
    "--all-versions", help="同时列入已有新版本的旧版本文件（默认只列每个文件的最新版本，见 taizhang versions）")]


def make_settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _fail(message: str) -> None:
    typer.echo(message, err=True)


@app.command(cls=ChineseCommand)
def parse(
    files: Annotated[list[Path], typer.Argument(help="文件：.txt .md .docx .pdf .html")],
    as_json: JsonOut = False,
) -> None:
    """解析文件，打印识别出的章节结构（标题层级、页码行号、段落数）。

    示例：taizhang parse corpus/pzh-2025-yuanqu-tizhi-tongzhi.txt
    示例：taizhang parse 报告.pdf --json > 报告.json
    """
    from pipeline.report import print_parse_results

    ok = print_parse_results(files, as_json=as_json, settings=Settings())
    raise typer.Exit(0 if ok else 1)


@app.command(cls=ChineseCommand)
def build(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="文件或文件夹；不写则用自带的 corpus/")] = None,
    data_dir: DataDir = None,
    export: Annotated[bool, typer.Option("--export", help="同时写出任务分工表（Excel）")] = False,
    no_index: Annotated[bool, typer.Option("--no-index", help="只更新任务台账，不建检索索引")] = False,
    ray: Annotated[bool, typer.Option("--ray", help="在 Ray 上解析和抽取（RAY_ADDRESS 指定的集群，或本机启动一个）")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="从台账中移除文件已从所处理文件夹中删除的文件")] = False,
    as_version_of: Annotated[Optional[str], typer.Option(
        "--as-version-of", help="把这个文件登记为台账中某文件（文件编号）的新版本，两者都保留")] = None,
) -> None:
    """从文件建立或更新任务台账（及检索索引）。

    增量更新：内容未变的文件不会重新抽取；修改过的文件以新版本替换旧版本。

    示例：taizhang build
    示例：taizhang build ~/收文/2025 --data-dir ~/taizhang-data --export
    示例：taizhang build ~/收文 --ray
    示例：taizhang build ~/收文/2025 --prune
    示例：taizhang build 方案（正式稿）.docx --as-version-of 方案征求意见稿-1a2b3c4d
    """
    from extractors.registry.build_cli import run_build_command

    index_step = None
    if not no_index:
        from search_api.index.indexing import index_step
    settings = make_settings(data_dir)
    if ray:
        settings = settings.model_copy(update={"build_ray": True})
    ok = run_build_command(paths or [], settings, export=export, index_step=index_step, prune=prune,
                           as_version_of=as_version_of)
    raise typer.Exit(0 if ok else 1)


@app.command(cls=ChineseCommand)
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx（任务分工表）、csv 或 json")] = "xlsx",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件（用 --all-units 时为文件夹，或一个 .xlsx 工作簿）")] = None,
    for_unit: Annotated[Optional[str], typer.Option("--for-unit", help="导出这个单位的进展报送模板")] = None,
    all_units: Annotated[bool, typer.Option(
        "--all-units", help="所有单位的进展报送模板：--out 为文件夹时每单位一个文件，为 .xlsx 时一个工作簿、每单位一张表")] = False,
    all_versions: AllVersions = False,
    data_dir: DataDir = None,
) -> None:
    """导出任务台账（含秘书处的更正）：任务分工表（xlsx）、扁平 CSV、JSON 数据，或各单位的进展报送模板。

    示例：taizhang export --format xlsx --out 任务分工表.xlsx
    示例：taizhang export --for-unit 市财政局 --out 市财政局.xlsx
    示例：taizhang export --all-units --out 进展报送/
    示例：taizhang export --all-units --out 各单位进展报送.xlsx
    示例：taizhang export --all-versions --out 含旧版本任务分工表.xlsx
    """
    if for_unit or all_units:
        from search_api.ledger_cli import run_unit_templates_command

        for path in run_unit_templates_command(make_settings(data_dir), for_unit, out, all_versions):
            typer.echo(str(path))
        return
    from extractors.tracking.service import run_tracked_export

    path = run_tracked_export(make_settings(data_dir), fmt=fmt, out=out, all_versions=all_versions)
    typer.echo(str(path))


@app.command(name="import", cls=ChineseCommand)
def import_(
    files: Annotated[list[Path], typer.Argument(help="改过的任务分工表.xlsx，以及填好的进展报送模板")],
    data_dir: DataDir = None,
) -> None:
    """读回工作簿：改过的任务分工表中的更正，进展报送模板中的进展。

    更正在每次重建后保留；原文已变的更正列为“待复核”。

    示例：taizhang import 任务分工表.xlsx
    示例：taizhang import 进展报送/*.xlsx
    """
    from search_api.ledger_cli import run_import_command

    raise typer.Exit(0 if run_import_command(files, make_settings(data_dir)) else 1)


@app.command(cls=ChineseCommand)
def overdue(
    unit: Annotated[Optional[str], typer.Option("--unit", help="只看这个单位（规范名称）")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="按哪一天判断（YYYY-MM-DD），默认今天")] = None,
    within: Annotated[int, typer.Option("--within", help="即将到期：多少天以内")] = 30,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="同时把督办通报工作簿写到这里")] = None,
    all_versions: AllVersions = False,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """督办：逾期和即将到期的任务，以及各单位的完成率。

    示例：taizhang overdue --as-of 2025-06-30 --within 30
    示例：taizhang overdue --unit 区财政局 --xlsx 督办通报.xlsx
    """
    from search_api.ledger_cli import run_overdue_command

    run_overdue_command(make_settings(data_dir), unit, as_of, within, xlsx, as_json, all_versions)


@app.command(cls=ChineseCommand)
def corrections(
    pending: Annotated[bool, typer.Option("--pending", help="只看待复核的（原文已变）")] = False,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """秘书处的更正，以及等待复核（待复核）的更正。

    示例：taizhang corrections --pending
    """
    from search_api.ledger_cli import run_corrections_command

    run_corrections_command(make_settings(data_dir), pending, as_json)


@app.command(cls=ChineseCommand)
def extract(
    files: Annotated[list[Path], typer.Argument(help="要抽取的文件（不写入任务台账）")],
    as_json: Annotated[bool, typer.Option("--json/--table", help="输出 JSON（默认）或表格")] = True,
) -> None:
    """从文件中抽取措施、责任单位、完成时限和目标，输出 JSON（不写入任务台账）。

    示例：taizhang extract 通知.docx --json > tasks.json
    """
    from extractors.registry.build_cli import run_extract_command

    ok = run_extract_command(files, Settings(), as_json=as_json)
    raise typer.Exit(0 if ok else 1)


@app.command(cls=ChineseCommand)
def show(
    locator: Annotated[str, typer.Argument(help="定位符 文件编号:起-止（任务分工表“来源”一栏给出）")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """显示台账中一段文字在原文件中的出处：第几页、第几行，连同上下文。

    示例：taizhang show pzh-2025-yuanqu-tizhi-tongzhi:1024-1290
    """
    from search_api.show_cli import run_show_command

    raise typer.Exit(run_show_command(locator, make_settings(data_dir), as_json))


@app.command(cls=ChineseCommand)
def search(
    query: Annotated[str, typer.Argument(help="用中文（或英文）提问")],
    k: Annotated[int, typer.Option("-k", help="返回的措施条数")] = 10,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只看这个单位负责的措施（牵头、配合或责任单位）")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="与 --unit 同用：牵头 / 配合 / 责任（未分牵头配合）")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="完成时限所在年份（问题中写了年份时自动读取）")] = None,
    doc: Annotated[Optional[str], typer.Option("--doc", help="只看这个文件（文件编号）")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="文件状态：征求意见稿 / 代拟稿 / 正式")] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid（混合，默认）、dense（语义）或 sparse（关键词）")] = "hybrid",
    details: Annotated[bool, typer.Option("--details", help="同时显示排序分数和定位符")] = False,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """检索任务台账：按问题找措施，附牵头和配合单位、完成时限和出处。

    示例：taizhang search "土地要素保障谁牵头"
    示例：taizhang search "2025年底前要完成哪些任务"
    示例：taizhang search "化工园区适用哪些措施" --year 2025 --json
    """
    from search_api.cli_search import run_search_command

    run_search_command(
        query, make_settings(data_dir), k=k, unit=unit, role=role, year=year, doc=doc,
        status=status, mode=mode, as_json=as_json, details=details,
    )


@app.command(cls=ChineseCommand)
def serve(
    host: Annotated[str, typer.Option(help="监听地址；不经代理时保持 127.0.0.1")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[int, typer.Option(help="服务进程数")] = 1,
    data_dir: DataDir = None,
) -> None:
    """启动网页（搜索 / 任务分工表 / 冲突核查）和接口服务；就绪后打印网址。

    示例：taizhang serve --port 8000   然后打开 http://127.0.0.1:8000/
    """
    from search_api.app import run_server

    run_server(make_settings(data_dir), host=host, port=port, workers=workers)


@app.command(cls=ChineseCommand)
def check(as_json: JsonOut = False, all_versions: AllVersions = False, data_dir: DataDir = None) -> None:
    """冲突核查：比对各文件（每个文件的最新版本）的目标和规定，列出相互冲突与相互印证之处，附两边原文。

    示例：taizhang check
    示例：taizhang check --json > 冲突核查.json
    """
    from search_api.check_cli import run_check_command

    run_check_command(make_settings(data_dir), as_json=as_json, all_versions=all_versions)


@app.command(cls=ChineseCommand)
def diff(
    old: Annotated[str, typer.Argument(help="较早的版本：文件，或任务台账中的文件编号（只写这一个时为较新的版本）")],
    new: Annotated[Optional[str], typer.Argument(help="较新的版本：文件，或文件编号；不写则与台账中的上一版本比对")] = None,
    as_json: JsonOut = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="同时把修订对照表工作簿写到这里")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="未改动的措施也列出")] = False,
    data_dir: DataDir = None,
) -> None:
    """逐条比对同一文件的两个版本：新增、删除、移动、改动的措施（单位和角色、完成时限、目标的新旧值，文字逐字比对）。

    示例：taizhang diff 征求意见稿.docx 正式稿.docx --xlsx 修订对照表.xlsx
    示例：taizhang diff pzh-2024-jianquan-qianglian-16tiao.v2-1a2b3c4d   （与它的上一版本比对）
    """
    from extractors.relations.diff_cli import run_diff_command

    run_diff_command(old, new, make_settings(data_dir), as_json=as_json, xlsx=xlsx, show_all=show_all)


@app.command(cls=ChineseCommand)
def versions(
    doc: Annotated[Optional[str], typer.Argument(help="任务台账中的文件编号，或登记过的文件；不写则列出所有多版本的文件")] = None,
    as_json: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """列出一个文件的各个版本（征求意见稿、送审稿、正式稿……），由早到晚，附判定依据。

    示例：taizhang versions pzh-2024-jianquan-qianglian-16tiao
    示例：taizhang versions --json
    """
    from extractors.relations.versions_cli import run_versions_command

    run_versions_command(doc, make_settings(data_dir), as_json=as_json)


@app.command(cls=ChineseCommand)
def trace(
    upper: Annotated[str, typer.Argument(help="上级文件：文件，或任务台账中的文件编号")],
    lowers: Annotated[list[str], typer.Argument(help="承接它的下级文件")],
    as_json: JsonOut = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="同时把承接对照表工作簿写到这里")] = None,
    dense: Annotated[bool, typer.Option("--dense/--no-dense", help="使用语义模型（较慢，较准）")] = True,
    data_dir: DataDir = None,
) -> None:
    """把上级文件的每条措施对应到承接它的下级措施，附两边原文；列出未承接、自选动作，以及下级文件放宽的目标或时限。

    示例：taizhang trace 市实施意见.docx 东区方案.docx 西区方案.docx --xlsx 承接对照表.xlsx
    """
    from search_api.trace_cli import run_trace_command

    run_trace_command(upper, lowers, make_settings(data_dir), as_json=as_json, xlsx=xlsx, dense=dense)


@app.command(cls=ChineseCommand)
def spacy(
    doc: Annotated[Optional[str], typer.Argument(help="文件，或任务台账中的文件编号")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="把抽取结果写成 spaCy DocBin（.spacy）文件")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="把单位、时限、目标的标注写成 displaCy 网页")] = None,
    gold: Annotated[bool, typer.Option("--gold", help="导出 eval/gold 中自带文件的人工标注（供训练统计模型）")] = False,
    data_dir: DataDir = None,
) -> None:
    """把一份文件的抽取结果（措施、带角色的单位、完成时限、目标）导出为 spaCy 标注，或导出人工标注。

    示例：taizhang spacy corpus/pzh-2025-yuanqu-tizhi-tongzhi.txt --out 通知.spacy --html 通知.html
    示例：taizhang spacy --gold --out 人工标注.spacy
    """
    from search_api.spacy_cli import run_spacy_command

    gold_docs = None
    if gold:
        from eval.spacy_gold import corpus_gold_docs as gold_docs
    raise typer.Exit(run_spacy_command(doc, out, html, make_settings(data_dir), gold_docs))


@app.command(cls=ChineseCommand)
def postgres(
    action: Annotated[str, typer.Argument(help="start（启动）或 stop（停止）")],
    data_dir: DataDir = None,
) -> None:
    """启动（或停止）本机的 PostgreSQL（带 pgvector，无需 Docker），打印连接地址。

    示例：export TAIZHANG_DB_URL=$(taizhang postgres start)
    """
    from search_api.postgres_cli import run_postgres_command

    raise typer.Exit(run_postgres_command(action, make_settings(data_dir)))


@app.command(name="eval", cls=ChineseCommand)
def evaluate(
    what: Annotated[str, typer.Argument(
        help="extraction（抽取）、extraction-dev（真实文件开发集，逐条列错）、search（检索，开发问题）、"
             "heldout（检索，留出问题：未用于调参）、consistency（冲突核查）、diff（版本比对）、"
             "trace（承接核查）或 all（全部）")] = "all",
    data_dir: DataDir = None,
) -> None:
    """用 eval/gold/ 中的人工标注评测抽取、检索和冲突核查的质量。

    heldout 评测从未用于调参的留出问题集，是检索质量的可信数字。

    示例：taizhang eval extraction
    示例：taizhang eval search
    示例：taizhang eval heldout
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


if __name__ == "__main__":  # `python -m search_api.cli …` is the `taizhang` command too
    main()
