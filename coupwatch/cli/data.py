"""``coupwatch data update``, ``data status`` and ``data compare-leaders``."""

from __future__ import annotations

from pathlib import Path

import typer

from coupwatch import operations
from coupwatch.cli.common import console, show, update_data
from coupwatch.cli.helpstyle import Command, Group

app = typer.Typer(help="Fetch sources into the warehouse and report what it holds.",
                  no_args_is_help=True, cls=Group)


@app.command(cls=Command)
def update(
    mirror: Path | None = typer.Option(None, help="read files from this mirror directory "
                                       "(default: $COUPWATCH_MIRROR, else download)"),
    source: list[str] | None = typer.Option(None, help="only these sources (repeatable)"),
    base_url: str | None = typer.Option(None, help="download from this HTTP mirror instead of "
                                        "the publishers (same layout as a mirror directory)"),
) -> None:
    """Fetch, parse and load sources; a bad file anywhere leaves the warehouse unchanged."""
    outcomes = update_data(source or None, mirror=mirror, base_url=base_url)
    import pandas as pd

    show(pd.DataFrame([o.__dict__ for o in outcomes]), title="data update")


@app.command(cls=Command)
def status() -> None:
    """Per source: releases, rows, years, duplicates, unmapped countries; then file hashes."""
    report = operations.data_status()
    summary = report["sources"].copy()
    summary["ingested_at"] = summary["ingested_at"].astype(str).str[:19]
    show(summary, title="sources")
    files = report["files"][["source", "file", "release", "sha256", "rows", "year_min",
                             "year_max"]].copy()
    files["sha256"] = files["sha256"].str[:16]
    show(files, title="files (sha256 prefix)")
    fresh = report["freshness"].drop(columns=["title"])
    for column, run in (("left_out", "no forecast run yet"),
                        ("left_out_monthly", "no monthly run yet")):
        fresh[column] = fresh[column].map(lambda v, run=run: run if v is None else v)
    show(fresh, title="freshness: last period covered, "
         "and inputs the newest forecast left out (no value at its origin)")
    if len(report["absent"]):
        show(report["absent"], title="sources not in the warehouse")
    if len(report["unmapped"]):
        show(report["unmapped"], title="not mapped to a G&W state (kept out of the panel)")
    if len(report["events_outside"]):
        show(report["events_outside"], title="events outside the G&W state-years")


@app.command("compare-leaders", cls=Command)
def compare_leaders(
    country: str | None = typer.Option(None, help="ISO3 code, G&W code or name"),
    date_from: int | None = typer.Option(None, "--from", help="first year"),
    date_to: int | None = typer.Option(None, "--to", help="last year"),
) -> None:
    """Where REIGN and Wikidata both cover a state-year: the share whose leader changes agree
    (Wikidata's office that matches REIGN's leader), and the state-years that disagree."""
    result = operations.compare_leaders(country, date_from, date_to)
    if not result.total:
        console.print("no state-year is covered by both REIGN and Wikidata")
        return
    first, last = result.years
    show(result.disagreements.drop(columns=["reign_change", "wikidata_change"]),
         title=f"{len(result.disagreements)} state-years where the sources disagree")
    console.print(f"leader changes agree in {result.agree:,} of {result.total:,} state-years "
                  f"({result.share:.1%}) covered by both, {first}-{last}")
    console.print("a change: a new holder takes office in the year; Wikidata's office: the one "
                  "whose holder was REIGN's leader when REIGN's list ends (else by REIGN's "
                  "government type)")
