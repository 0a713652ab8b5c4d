"""``coupwatch region NAME [--year T]``."""

from __future__ import annotations

import json

import typer
from rich import box
from rich.table import Table

from coupwatch import catalog
from coupwatch.cli import tables
from coupwatch.cli.common import console, show
from coupwatch.read import region as analysis
from coupwatch.validate import TableFormat


def region(
    name: str = typer.Argument(..., help="ECOWAS, G5-Sahel, AES, Sahel, AU-West, a UN "
                               "subregion such as 'Western Africa', a continent, or World"),
    year: int | None = typer.Option(None, help="forecast year (default: the newest forecast)"),
    fmt: TableFormat = typer.Option("table", "--format", help="csv gives the member risks"),
) -> None:
    """A region's coups by year, its members' risks, and P(at least one attempt)."""
    rep = analysis.report(name, year)
    if fmt == "csv":
        console.file.write(rep.members.to_csv(index=False))
        return
    if fmt == "json":
        console.file.write(json.dumps(analysis.as_json(rep), indent=1) + "\n")
        return
    console.print(f"[bold]{rep.region}[/bold]: {len(rep.members)} members in {rep.year}; "
                  f"risks from {rep.basis}")
    show(_risk_table(rep.members), title=f"Risk of a coup attempt in {rep.year}")
    console.print(f"P(at least one attempt in {rep.year}) = [bold]{rep.p_any_attempt:.1%}"
                  f"[/bold]; P(at least one successful coup) = {rep.p_any_coup:.1%}; "
                  f"expected attempts {rep.expected_attempts:.2f}")
    console.print(f"Assumption: {rep.assumption} Here: {rep.bounds[0]:.1%} to "
                  f"{rep.bounds[1]:.1%}.", highlight=False)
    hit, years = rep.base_rate
    if years:
        console.print(f"For comparison: {hit} of the last {years} years had at least one "
                      "attempt in this region (members as they were each year).")
    if rep.missing:
        console.print(f"No forecast for: {', '.join(rep.missing)}")
    if rep.counts.empty:
        console.print(f"No year of coup data falls after {rep.region} was formed: the coup "
                      "record has no years to count for it yet.")
        return
    console.print(_decades(rep.counts))


def _risk_table(members):
    out = members[["country", "iso3", "p_attempt", "p_coup", "rank", "change", "status"]].copy()
    out["rank"] = out["rank"].map(lambda v: "" if v != v else str(int(v)))
    # probabilities and the change in points as `forecast` shows them
    return tables.forecast_cells(out).rename(columns=catalog.FORECAST_HEADERS)


def _decades(counts) -> Table:
    """Attempts per year as a decade-by-year grid ("3/2" = 3 attempts, 2 successful)."""
    table = Table(title="Coup attempts by year: attempts/successful (members as of each "
                  "year; · = none)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("")
    for digit in range(10):
        table.add_column(str(digit), justify="right")
    table.add_column("total", justify="right")
    by_year = counts.set_index("year")
    for decade in range(int(counts["year"].min()) // 10 * 10, int(counts["year"].max()) + 1,
                        10):
        cells = []
        for year in range(decade, decade + 10):
            if year not in by_year.index:
                cells.append("")
                continue
            row = by_year.loc[year]
            cells.append("·" if row["attempts"] == 0 else
                         f"{row['attempts']}/{row['successful']}")
        part = by_year.loc[decade:decade + 9]
        table.add_row(f"{decade}s", *cells,
                      f"{part['attempts'].sum()}/{part['successful'].sum()}")
    return table
