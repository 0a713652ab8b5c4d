"""``coupwatch events``."""

from __future__ import annotations

import typer

from coupwatch import operations
from coupwatch.cli.common import console, show


def events(
    country: str | None = typer.Option(None, help="ISO3 code, G&W code or name"),
    date_from: str | None = typer.Option(None, "--from", help="YYYY, YYYY-MM or YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="YYYY, YYYY-MM or YYYY-MM-DD"),
    release: str | None = typer.Option(None, help="Powell & Thyne release (default newest)"),
) -> None:
    """Coup attempts (Powell & Thyne), successful and failed, as a table."""
    frame = operations.list_events(country, date_from, date_to, release=release)
    show(frame.drop(columns=["file", "line"]), title=f"{len(frame)} coup attempts")
    if frame.empty:
        console.print("no events match")
