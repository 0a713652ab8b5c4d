"""Shared console helpers for the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def show(frame: pd.DataFrame, title: str | None = None, *, limit: int | None = None) -> None:
    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
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
    return str(value)


def write_frame(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    """Write csv/json/parquet to a file, or csv/json to stdout."""
    if fmt == "parquet":
        frame.to_parquet(output, index=False)
    elif fmt == "csv":
        text = frame.to_csv(index=False)
        output.write_text(text) if output else console.file.write(text)
    elif fmt == "json":
        text = json.dumps(json.loads(frame.to_json(orient="records")), indent=1)
        output.write_text(text + "\n") if output else console.file.write(text + "\n")
