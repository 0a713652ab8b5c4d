"""``coupwatch sql "SELECT ..."``: the read-only SQL console (``coupwatch sql --views``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys

import typer
from rich.table import Table
from rich.text import Text

from coupwatch.cli.common import console, err_console, printable
from coupwatch.errors import BadInput
from coupwatch.read import console as engine
from coupwatch.validate import TableFormat

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def sql(
    query: str | None = typer.Argument(None, help="one SELECT query (quote it; '-' reads "
                                       "it from standard input)"),
    fmt: TableFormat = typer.Option("table", "--format"),
    limit: int = typer.Option(engine.DEFAULT_LIMIT, help="most rows to return"),
    timeout: float = typer.Option(engine.DEFAULT_TIMEOUT, help="seconds before the query "
                                  "is stopped"),
    views: bool = typer.Option(False, "--views", help="list the views, their columns and "
                               "example queries instead"),
) -> None:
    """Query the warehouse read-only: coups, panel, forecasts, indicators, countries, ...

    Only one SELECT at a time; no writes, files, network or settings. Example:
    coupwatch sql "SELECT year, count(*) FROM coups GROUP BY year ORDER BY year"
    """
    if views:
        _views(fmt)
        return
    if query is None:
        raise BadInput("give one SELECT query, or --views to see what there is to query",
                       parameter="sql")
    text = sys.stdin.read() if query == "-" else query
    result = engine.query(text, limit=limit, timeout=timeout)
    if fmt == "json":
        console.file.write(json.dumps(result.payload(), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        # to a terminal, control characters are shown escaped; to a file or a pipe, as they are
        clean = printable if console.file.isatty() else str
        writer = csv.writer(console.file, lineterminator="\n")
        writer.writerow([clean(c) for c in result.columns])
        writer.writerows([clean(_text(v)) for v in row] for row in result.rows)
    else:
        _table(result)
    if result.truncated:
        # on stderr, so csv/json on stdout stay clean
        err_console.print(f"note: only the first {result.limit:,} rows are shown; the query "
                          "returned more (raise --limit, or aggregate)", highlight=False)


def _table(result: engine.Result) -> None:
    table = Table()
    for name, kind in zip(result.columns, result.types, strict=True):
        numeric = kind.startswith(NUMERIC) and "[]" not in kind
        table.add_column(Text(printable(name)), justify="right" if numeric else "left",
                         overflow="fold")
    for row in result.rows:
        # Text, not str: a value such as ["Sahel"] must not be read as Rich markup
        table.add_row(*(Text(printable(_text(v))) for v in row))
    console.print(table)
    count = len(result.rows)
    console.print(f"{count:,} row{'s' if count != 1 else ''} in {result.elapsed_ms:.0f} ms",
                  style="dim", highlight=False)


def _text(value) -> str:
    """A cell as text: full precision for numbers, ISO dates, nothing for NULL."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() or abs(value) >= 1e16 else str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(engine.jsonable(value), ensure_ascii=False)
    return str(value)


def _views(fmt: str) -> None:
    described = engine.describe()
    if fmt == "json":
        console.file.write(json.dumps(engine.catalog(described), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(console.file, lineterminator="\n")
        writer.writerow(["view", "column", "type"])
        writer.writerows([v.name, c, t] for v in described for c, t in v.columns)
        return
    for view in described:
        console.print(f"[bold]{view.name}[/bold]: {view.description}", highlight=False)
        if view.available:
            console.print("  " + ", ".join(f"{c} [dim]{t}[/dim]" for c, t in view.columns),
                          highlight=False)
        else:
            console.print(f"  not available yet: {view.needs}", highlight=False)
    console.print("\n[bold]Examples[/bold]")
    for title, text in engine.EXAMPLES:
        console.print(f"-- {title}\n{text};\n", highlight=False, markup=False)
