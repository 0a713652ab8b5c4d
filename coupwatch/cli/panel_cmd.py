"""``coupwatch panel export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from coupwatch import operations
from coupwatch.cli.common import console, write_frame
from coupwatch.errors import BadInput

app = typer.Typer(help="The country-year panel.", no_args_is_help=True)


class PanelFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


@app.command()
def export(
    output: Path = typer.Option(..., help="file to write"),
    format: PanelFormat = typer.Option(PanelFormat.csv, "--format"),
    start: int | None = typer.Option(None, "--from", help="first year"),
    end: int | None = typer.Option(None, "--to", help="last year"),
) -> None:
    """Write the panel (features known at the end of each year, and that year's outcomes)."""
    if output.parent and not output.parent.exists():
        raise BadInput(f"directory does not exist: {output.parent}", parameter="output")
    frame = operations.load_panel(start=start, end=end)
    write_frame(frame, format.value, output)
    console.print(f"wrote {len(frame):,} rows x {frame.shape[1]} columns to {output}")
