"""The ``coupwatch`` command line (Typer + Rich). Each sub-module adds one group of commands."""

from __future__ import annotations

import sys

import typer

from coupwatch.cli import (
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
from coupwatch.errors import BadInput
from coupwatch.sources.fetch import FetchError

app = typer.Typer(help="coupwatch: open early warning of coups.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
app.add_typer(data.app, name="data")
app.add_typer(panel_cmd.app, name="panel")
app.command("events")(events.events)
app.command("backtest")(forecast.backtest)
app.command("score")(forecast.score)
app.command("forecast")(forecast.forecast)
app.command("explain")(forecast.explain)
app.command("serve")(serve.serve)
app.command("brief")(brief.brief)
app.command("region")(region_cmd.region)
app.command("case")(case_cmd.case)
app.command("sql")(sql_cmd.sql)
app.command("sweep")(sweep.sweep)


def main() -> None:
    try:
        app(standalone_mode=True)
    except BadInput as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(BadInput.exit_code)
    except FetchError as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(FetchError.exit_code)


__all__ = ["app", "console", "main"]
