"""``coupwatch brief``: a country brief as HTML or PDF."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from coupwatch import validate
from coupwatch.cli.common import console, write_file
from coupwatch.validate import BriefFormat


def brief(
    country: str = typer.Argument(..., help="ISO3 code, G&W code or name"),
    year: int | None = typer.Option(None, help="forecast year (default: the latest run's)"),
    fmt: BriefFormat = typer.Option("pdf", "--format"),
    output: Path = typer.Option(..., help="file to write ('-' for standard output)"),
    drivers: bool = typer.Option(True, help="include the drivers"),
) -> None:
    """Write a country brief: risk and rank with interval, trend, history, indicators,
    drivers, sources."""
    from coupwatch.briefs import build, render

    target = validate.output(output)
    started = time.perf_counter()
    ctx = build(country, year, drivers=drivers)
    data = render.html(ctx).encode("utf-8") if fmt == "html" else render.pdf(ctx)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_file(target, data)
    console.print(f"{ctx['country']['name']} {ctx['year']}: wrote {output} "
                  f"({time.perf_counter() - started:.1f} s)")
