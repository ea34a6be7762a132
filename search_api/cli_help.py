"""Chinese framing for ``taizhang --help``: the panel titles, the usage line and the help option.

Typer renders help through click and rich with English framing ("Usage:", "Options", "Show this
message and exit."). The command and option texts are written in Chinese in cli.py; these
command classes and titles make the frame around them Chinese too, so a user reading ``--help``
meets no English but option names and examples.
"""

from __future__ import annotations

import click
import typer.rich_utils as rich_help
from typer.core import TyperCommand, TyperGroup

HELP_OPTION_TEXT = "显示本帮助并退出。"
USAGE_PREFIX = "用法："

# the titles typer's rich help prints around arguments, options and commands
rich_help.ARGUMENTS_PANEL_TITLE = "参数"
rich_help.OPTIONS_PANEL_TITLE = "选项"
rich_help.COMMANDS_PANEL_TITLE = "命令"
rich_help.ERRORS_PANEL_TITLE = "错误"
rich_help.DEFAULT_STRING = "[默认：{}]"
rich_help.ENVVAR_STRING = "[环境变量：{}]"
rich_help.REQUIRED_LONG_STRING = "[必填]"
rich_help.ABORTED_TEXT = "已中止。"
rich_help.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"


def _chinese_help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option


def _usage(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)


class ChineseCommand(TyperCommand):
    """A command whose usage line and help option read in Chinese."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[选项]"

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese_help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _usage(self, ctx, formatter)


class ChineseGroup(TyperGroup):
    """The ``taizhang`` group: Chinese usage line and help option; its commands are
    ``ChineseCommand`` (pass ``cls=ChineseCommand`` to each ``@app.command``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[选项]"
        self.subcommand_metavar = "命令 [参数]..."

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese_help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _usage(self, ctx, formatter)
