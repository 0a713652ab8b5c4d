"""``coupwatch panel export``."""

from __future__ import annotations

from pathlib import Path

import typer

from coupwatch import operations, validate
from coupwatch.cli.common import write_frame
from coupwatch.cli.helpstyle import Command, Group
from coupwatch.validate import PanelFormat

app = typer.Typer(help="The country-year panel.", no_args_is_help=True, cls=Group)


@app.command(cls=Command)
def export(
    output: Path = typer.Option(..., help="file to write ('-': standard output, CSV only)"),
    fmt: PanelFormat = typer.Option("csv", "--format"),
    start: int | None = typer.Option(None, "--from", help="first year"),
    end: int | None = typer.Option(None, "--to", help="last year"),
) -> None:
    """Write the panel (features known at the end of each year, and that year's outcomes)."""
    validate.output(output)
    frame = operations.load_panel(start=start, end=end)
    write_frame(frame, fmt.value, output)  # says what it wrote to a file
