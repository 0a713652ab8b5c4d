"""Tables that fit the terminal: a narrow terminal (or a pipe at 80 columns) drops the
least important columns instead of wrapping a country name letter by letter."""

from __future__ import annotations

import pandas as pd
from rich.table import Table
from rich.text import Text

from coupwatch import catalog
from coupwatch.cli.common import console

RIGHT = ("rank", "p_attempt", "p_coup", "p_failed", "p_attempt_last_year", "change",
         "p_attempt_3m", "p_attempt_1m", "p_attempt_6m", "p_attempt_12m", "p_coup_3m",
         "p_attempt_3m_previous", "change_3m")
# Most important first: the last ones are dropped first when the terminal is narrow.
FORECAST_PRIORITY = ("rank", "country", "p_attempt", "change", "p_coup", "p_failed",
                     "p_attempt_last_year", "region", "iso3", "status")
MONTHLY_PRIORITY = ("rank", "country", "p_attempt_3m", "change_3m", "p_attempt_1m",
                    "p_attempt_6m", "p_attempt_12m", "p_coup_3m", "region", "iso3")
PROBABILITIES = ("p_low", "p_high", "mean_p", "observed_rate")  # of a calibration table
WATCHLIST_PRIORITY = ("rank", "country", "p_attempt_3m_previous", "p_attempt_3m",
                      "change_3m", "iso3")


def fitted(frame: pd.DataFrame, priority: tuple[str, ...], *, title: str | None = None,
           width: int | None = None) -> list[str]:
    """Print ``frame`` (cells already text) with human headers, keeping the columns of
    ``priority`` that fit in ``width`` (default: the console's); returns the columns
    dropped. No cell ever wraps."""
    width = width or console.width
    columns = [c for c in priority if c in frame.columns]
    need = {c: max([len(catalog.FORECAST_HEADERS.get(c, c)),
                    *frame[c].astype(str).str.len().tolist()]) + 3 for c in columns}
    kept = list(columns)
    while len(kept) > 2 and sum(need[c] for c in kept) + 1 > width:
        kept.pop()
    table = Table(title=title)
    for column in kept:
        table.add_column(catalog.FORECAST_HEADERS.get(column, column), no_wrap=True,
                         justify="right" if column in RIGHT else "left",
                         min_width=need[column] - 3 if column == "country" else None,
                         overflow="ellipsis")
    for row in frame[kept].itertuples(index=False):
        table.add_row(*(Text(str(v)) for v in row))
    console.print(table)
    return [c for c in columns if c not in kept]


def forecast_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast frame's columns as text for people (probabilities in %, change in pt)."""
    shown = frame.copy()
    for column in shown.columns:
        if column.startswith("p_"):
            shown[column] = shown[column].map(catalog.probability_text)
        elif column.startswith("change"):
            shown[column] = shown[column].map(catalog.points_text)
    return shown.fillna("").astype(str)


def dropped_note(dropped: list[str]) -> None:
    if dropped:
        names = ", ".join(catalog.FORECAST_HEADERS.get(c, c) for c in dropped)
        console.print(f"(too narrow for: {names}; widen the terminal or use --format csv)",
                      style="dim", highlight=False)


def provenance(model: str, run_id: str | None, versions: list[dict]) -> str:
    """Which model, run and data made a forecast, in a few words."""
    sources = sorted({v["source"] for v in versions})
    coups = sorted(v["release"] for v in versions if v["source"] == "powell_thyne")
    data = f"{len(sources)} sources" + (f", coups: Powell & Thyne {coups[-1]}" if coups else "")
    run = f", run {run_id}" if run_id else ""
    return f"model {model}{run}; data: {data} (`coupwatch data status`)"


def footer(period: str, model: str, run_id: str | None, versions: list[dict]) -> None:
    """One line under a forecast table: what the probability is, and what made it."""
    console.print(catalog.FORECAST_MEANING.format(period=period) + "; "
                  + provenance(model, run_id, versions), highlight=False, markup=False)


def calibration(frame: pd.DataFrame, title: str) -> None:
    """The calibration table with probabilities for people ("<0.1 %", "4.5 %")."""
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(catalog.CALIBRATION_HEADERS.get(column, column), justify="right",
                         no_wrap=True)
    for row in frame.itertuples(index=False):
        cells = [catalog.probability_text(float(v)) if c in PROBABILITIES else f"{int(v):,}"
                 for c, v in zip(frame.columns, row, strict=True)]
        table.add_row(*cells)
    console.print(table)
