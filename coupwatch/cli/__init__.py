"""The ``coupwatch`` command line (Typer + Rich). Each sub-module adds one group of commands."""

from __future__ import annotations

import sys

import typer

from coupwatch import config
from coupwatch.cli import (
    backtest,
    brief,
    case_cmd,
    data,
    events,
    forecast,
    panel_cmd,
    region_cmd,
    serve,
    sql_cmd,
    sweep,
)
from coupwatch.cli.common import console, err_console
from coupwatch.cli.helpstyle import Command, Group
from coupwatch.errors import Expected

app = typer.Typer(help="coupwatch: open early warning of coups.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False, cls=Group)


def _version(value: bool) -> None:
    if value:
        from coupwatch import __version__

        console.print(f"coupwatch {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _settings(version: bool = typer.Option(False, "--version", callback=_version,
                                           is_eager=True, help="print the version and exit"),
              ) -> None:
    # settings are read once per command (an in-process caller may have changed them)
    config.reload()


app.add_typer(data.app, name="data")
app.add_typer(panel_cmd.app, name="panel")
app.command("events", cls=Command)(events.events)
app.command("backtest", cls=Command)(backtest.backtest)
app.command("score", cls=Command)(backtest.score)
app.command("forecast", cls=Command)(forecast.forecast)
app.command("explain", cls=Command)(forecast.explain)
app.command("serve", cls=Command)(serve.serve)
app.command("brief", cls=Command)(brief.brief)
app.command("region", cls=Command)(region_cmd.region)
app.command("case", cls=Command)(case_cmd.case)
app.command("sql", cls=Command)(sql_cmd.sql)
app.command("sweep", cls=Command)(sweep.sweep)


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        _fail("stopped", 130)
    except typer.TyperException as err:  # a bad option value, a missing argument, a typo
        if type(err).__name__ == "NoArgsIsHelpError":  # a group called without a command
            console.print(err.ctx.get_help(), markup=False, highlight=False)
            sys.exit(0)
        _fail(_usage(err), getattr(err, "exit_code", 2))
    except Expected as err:
        _fail(str(err), err.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _usage(err: typer.TyperException) -> str:
    """Click's message on one line, naming the parameter like every other error."""
    message = " ".join(err.format_message().split()).replace("Value error, ", "")
    param = getattr(err, "param", None)
    if param is not None:
        name = (param.opts[0] if param.opts else param.name or "").lstrip("-")
        message = message.replace(f"Invalid value for '{param.opts[0]}': ", "") \
            if param.opts else message
        return f"parameter '{name}': {message}"
    return message


def _fail(message: str, code: int) -> None:
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


__all__ = ["app", "console", "main"]
