"""Shared console helpers for the CLI: tables, files, progress bars, the warehouse."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from coupwatch import catalog, config, operations, validate, warehouse
from coupwatch.errors import BadInput, EmptyWarehouse

console = Console()
err_console = Console(stderr=True)


# Control characters (ESC, CR, BEL, C1 codes...) and bidirectional overrides in data must not
# reach a terminal, where they would recolour, move the cursor or reorder what is shown.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with each control character shown as an escape (``\\x1b``), tab and newline
    kept: what a terminal may print."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                       else f"\\u{ord(m.group()):04x}", text)


def show(frame: pd.DataFrame, title: str | None = None, *, limit: int | None = None) -> None:
    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(printable(str(column)), overflow="fold")
    rows = frame if limit is None else frame.head(limit)
    for row in rows.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)
    if limit is not None and len(frame) > limit:
        console.print(f"... {len(frame) - limit} more rows")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return printable(str(value))


def write_frame(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    """Write csv/json/parquet to a file, or csv/json to standard output (no file, or ``-``)."""
    target = validate.output(output)
    if fmt == "parquet":
        if target is None:
            raise BadInput("parquet is binary: give a file with --output", parameter="output")
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        deliver(buffer.getvalue(), target, len(frame), frame.shape[1])
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    else:
        text = json.dumps(json.loads(frame.to_json(orient="records")), indent=1) + "\n"
    deliver(text, target, len(frame), frame.shape[1])


def deliver(data: str | bytes, target: Path | None, rows: int, columns: int) -> None:
    """``data`` to standard output, or to ``target`` with one line saying what was written."""
    if target is None:
        console.file.write(data)
        return
    write_file(target, data)
    wrote(target, rows, columns)


def write_file(target: Path, data: str | bytes) -> None:
    """Write ``--output``; a full disk, a read-only place or ``/dev/full`` is one line."""
    try:
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
    except OSError as err:
        raise BadInput(f"cannot write {target}: {err.strerror or err}",
                       parameter="output") from None


def wrote(target: Path, rows: int, columns: int | None = None) -> None:
    """The one line saying what a command wrote to a file."""
    shape = f"{rows:,} rows" + (f" x {columns} columns" if columns else "")
    console.print(f"wrote {shape} to {target}", highlight=False, markup=False, soft_wrap=True)


def metrics_table(frame: pd.DataFrame, title: str, reference: str | None = None) -> None:
    """Metrics with intervals; ``reference`` (a key of ``catalog.BRIER_SKILL``) names what
    the Brier skill is measured against."""
    shown = brier_labelled(frame, reference)
    for column in ("value", "ci_low", "ci_high", "difference", "share_better"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.3f}")
    show(shown, title=title)


def brier_labelled(frame: pd.DataFrame, reference: str | None) -> pd.DataFrame:
    """``frame`` with its ``brier_skill`` metric named with its reference forecast."""
    shown = frame.copy()
    if reference is not None and "metric" in shown:
        shown["metric"] = shown["metric"].replace(
            {"brier_skill": catalog.BRIER_SKILL[reference]})
    return shown


def bar(label: str):
    """A progress bar for model fits: ``tick(None, total)`` once the fits to run are known
    (before the first starts), then ``tick(done, total)`` as each finishes, ``done`` naming
    it (e.g. "lgbm 2022", or a year)."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True,
                        disable=not console.is_interactive)

    task = progress.add_task(label, total=None)

    def tick(done, total: int) -> None:
        if done is None:
            progress.update(task, total=total, description=f"{label} ({total} to fit)",
                            refresh=True)
            return
        progress.update(task, total=total, advance=1, description=f"{label}: fitted {done}",
                        refresh=True)

    return progress, tick


class _Amount(ProgressColumn):
    """Bytes for a download, "3/9" for the count of sources."""

    def render(self, task):
        if task.fields.get("count"):
            return MofNCompleteColumn().render(task)
        return DownloadColumn().render(task)


def update_data(names: list[str] | None = None, *, mirror: Path | None = None,
                base_url: str | None = None):
    """``operations.update_data`` showing which source it reads (n of N) and each download."""
    from coupwatch.sources import CONNECTORS

    total = len(names or CONNECTORS)
    with Progress(TextColumn("{task.description}"), BarColumn(), _Amount(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_interactive) as bars:
        overall = bars.add_task("sources", total=total, count=True)
        seen: list[str] = []

        def on_source(name: str) -> None:
            seen.append(name)
            bars.update(overall, completed=len(seen) - 1, refresh=True,
                        description=f"source {len(seen)} of {total}: reading {name}")

        def progress(label: str):
            task = bars.add_task(f"  {label}", total=None)
            return lambda done, size: bars.update(task, completed=done, total=size)

        return operations.update_data(names, mirror=mirror, base_url=base_url,
                                      progress=progress, on_source=on_source)


def writable(*, fill_from: Path | None | bool = False):
    """A writable warehouse connection. An empty (or missing) warehouse is refused unless
    ``fill_from`` is given (a mirror path, or None for COUPWATCH_MIRROR / the publishers),
    which loads it first; nothing is created before the data are in hand."""
    if config.warehouse_path().exists():
        con = warehouse.connect()
        if not warehouse.is_empty(con):
            return con
        con.close()
    if fill_from is False:
        raise EmptyWarehouse()
    console.print("empty warehouse: running `coupwatch data update` first")
    update_data(mirror=fill_from)
    return warehouse.connect()


def span_alias(value: int, alias: int | None) -> int:
    """``--start``/``--end`` are old spellings of ``--from``/``--to``, kept hidden."""
    return value if alias is None else alias


WORKERS_HELP = "parallel fits (default: every core)"
HIDDEN_START = typer.Option(None, "--start", hidden=True)
HIDDEN_END = typer.Option(None, "--end", hidden=True)


def left_out_footer(entries: list[dict]) -> None:
    """The footer that says which inputs the forecast could not use, and why."""
    if not entries:
        return
    by_source: dict[str, list[str]] = {}
    for entry in entries:
        by_source.setdefault(entry["source"] or "derived", []).append(entry["feature"])
    parts = [f"{source} ({len(names)}: {', '.join(names[:4])}{', ...' if len(names) > 4 else ''})"
             for source, names in by_source.items()]
    console.print("inputs left out (no value for any state at the forecast's origin): "
                  + "; ".join(parts), highlight=False)
