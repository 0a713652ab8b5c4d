"""``coupwatch brief``: a one- or two-page country brief as HTML or PDF."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path

import typer

from coupwatch.cli.common import console
from coupwatch.errors import BadInput


class BriefFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def brief(
    country: str = typer.Argument(..., help="ISO3 code, G&W code or name"),
    year: int | None = typer.Option(None, help="forecast year (default: the latest run's)"),
    format: BriefFormat = typer.Option(BriefFormat.pdf, "--format"),
    output: Path = typer.Option(..., help="file to write"),
    drivers: bool = typer.Option(True, help="include the drivers (refits the model)"),
) -> None:
    """Write a country brief: risk and rank with interval, trend, history, indicators,
    drivers, sources."""
    from coupwatch.briefs import build, render

    if not output.parent.exists():
        raise BadInput(f"directory does not exist: {output.parent}", parameter="output")
    started = time.perf_counter()
    ctx = build(country, year, drivers=drivers)
    if format is BriefFormat.html:
        output.write_text(render.html(ctx), encoding="utf-8")
    else:
        output.write_bytes(render.pdf(ctx))
    console.print(f"{ctx['country']['name']} {ctx['year']}: wrote {output} "
                  f"({time.perf_counter() - started:.1f} s)")
