"""``coupwatch events``."""

from __future__ import annotations

import typer

from coupwatch import operations
from coupwatch.cli.common import console, show
from coupwatch.errors import BadInput

TITLES = {"powell_thyne": "Powell & Thyne", "cline": "Cline"}


def events(
    country: str | None = typer.Option(None, help="ISO3 code, G&W code or name"),
    date_from: str | None = typer.Option(None, "--from", help="YYYY, YYYY-MM or YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="YYYY, YYYY-MM or YYYY-MM-DD"),
    release: str | None = typer.Option(None, help="release of the source (default newest)"),
    source: str = typer.Option("powell_thyne", help="powell_thyne (coup attempts) or cline "
                               "(coups, attempts and conspiracies, with actor codings)"),
    compare: bool = typer.Option(False, "--compare", help="the attempts one source lists and "
                                 "the other does not (same state, within 31 days)"),
) -> None:
    """Coup events of one source as a table (default: Powell & Thyne's attempts), or the two
    sources compared."""
    if compare:
        if release is not None:
            raise BadInput("--compare uses the newest release of each source",
                           parameter="release")
        _compare(country, date_from, date_to)
        return
    frame = operations.list_events(country, date_from, date_to, source=source, release=release)
    noun = "coup attempts" if source == "powell_thyne" else "Cline events"
    if frame.empty:
        console.print("no events match")
        return
    show(frame.drop(columns=["file", "line"]), title=f"{len(frame)} {noun}")


def _compare(country: str | None, date_from: str | None, date_to: str | None) -> None:
    result = operations.compare_events(country, date_from, date_to)
    first, second = TITLES[result.first], TITLES[result.second]
    show(result.only_first, title=f"{len(result.only_first)} in {first}, not in {second}")
    show(result.only_second, title=f"{len(result.only_second)} in {second}, not in {first}")
    differ = int((~result.pairs["same_outcome"]).sum())
    console.print(f"{len(result.pairs)} matched pairs (same state, at most {result.window} days "
                  f"apart, one to one); {differ} of them differ on success")
    console.print(f"{len(result.conspiracies)} Cline conspiracies (plots stopped before any "
                  "attempt) are left out of the comparison")
