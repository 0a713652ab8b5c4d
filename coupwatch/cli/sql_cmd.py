"""``coupwatch sql "SELECT ..."``: the read-only SQL console (``coupwatch sql --views``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from coupwatch import validate
from coupwatch.cli.common import console, deliver, err_console, printable
from coupwatch.errors import BadInput
from coupwatch.read import console as engine
from coupwatch.validate import TableFormat

TERMINAL_ROWS = 50  # rows a terminal table shows; csv and json give them all
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
    output: Path | None = typer.Option(None, help="write csv/json here ('-' for standard "
                                       "output)"),
) -> None:
    """Query the warehouse read-only: coups, panel, forecasts, indicators, countries, ...

    Only one SELECT at a time; no writes, files, network or settings. The terminal table
    shows the first 50 rows; --format csv or json gives every row. Example:
    coupwatch sql "SELECT year, count(*) FROM coups GROUP BY year ORDER BY year"
    """
    if views:
        _views(fmt)
        return
    if query is None:
        raise BadInput("give one SELECT query, or --views to see what there is to query",
                       parameter="sql")
    target = validate.output(output)
    if target is not None and fmt == "table":
        raise BadInput("a file gets csv or json: add --format csv (or json)",
                       parameter="output")
    text = sys.stdin.read() if query == "-" else query
    result = engine.query(text, limit=limit, timeout=timeout)
    if fmt == "table":
        _table(result)
    else:
        buffer = io.StringIO()
        if fmt == "json":
            buffer.write(json.dumps(result.payload(), ensure_ascii=False) + "\n")
        else:
            # to a terminal, control characters are shown escaped; to a file or a pipe, as is
            clean = printable if target is None and console.file.isatty() else str
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow([clean(c) for c in result.columns])
            writer.writerows([clean(_text(v)) for v in row] for row in result.rows)
        deliver(buffer.getvalue(), target, len(result.rows), len(result.columns))
    if result.truncated and fmt != "table":  # the table's own line says so
        # on stderr, so csv/json on stdout stay clean
        err_console.print(f"note: only the first {result.limit:,} rows are returned; the "
                          "query has more (raise --limit, or aggregate)", highlight=False)


def _table(result: engine.Result) -> None:
    """The first TERMINAL_ROWS rows: drawing thousands of rows takes the terminal seconds
    and nobody reads them there."""
    table = Table()
    for name, kind in zip(result.columns, result.types, strict=True):
        numeric = kind.startswith(NUMERIC) and "[]" not in kind
        table.add_column(Text(printable(name)), justify="right" if numeric else "left",
                         overflow="fold")
    for row in result.rows[:TERMINAL_ROWS]:
        # Text, not str: a value such as ["Sahel"] must not be read as Rich markup
        table.add_row(*(Text(printable(_text(v))) for v in row))
    console.print(table)
    count = len(result.rows)
    more = " (the query has more: raise --limit)" if result.truncated else ""
    if count > TERMINAL_ROWS:
        console.print(f"showing {TERMINAL_ROWS} of {count:,} rows{more}, in "
                      f"{result.elapsed_ms:.0f} ms; use --format csv --output FILE for all",
                      style="dim", highlight=False)
    else:
        console.print(f"{count:,} row{'s' if count != 1 else ''} in "
                      f"{result.elapsed_ms:.0f} ms", style="dim", highlight=False)


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
