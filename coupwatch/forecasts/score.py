"""Scoring anyone's forecast file against observed coups, beside our own backtest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources._read import Table, read_table

COUNTRY_COLUMNS = ("gwcode", "GWcode", "gw", "ccode_gw", "iso3", "ISO3", "country", "Country",
                   "name")
YEAR_COLUMNS = ("for_year", "year", "Year")


@dataclass
class ForecastFile:
    """A forecast file reduced to ``gwcode, year, p`` with the rows it could not place."""

    frame: pd.DataFrame
    path: Path
    country_column: str
    year_column: str
    p_column: str
    dropped_outcome_rows: int
    unplaced: list[int]  # lines of the file blank in every country column (not scored)


def read_forecasts(path: Path, *, p_column: str = "p", year_column: str | None = None,
                   country_column: str | None = None, outcome: str = "attempt",
                   outcome_column: str = "outcome", start: int | None = None,
                   end: int | None = None) -> ForecastFile:
    if path.is_dir():
        raise BadInput("is a directory, not a forecast file", file=path)
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    table = read_table(path, sep=sep)
    country_col = country_column or _first(table, COUNTRY_COLUMNS, "country")
    year_col = year_column or _first(table, YEAR_COLUMNS, "year")
    table.require([country_col, year_col, p_column])
    dropped = 0
    if table.has(outcome_column):
        # Files such as forecaster2's hold several outcomes; score the one asked for.
        keep = (table.text(outcome_column) == outcome).to_numpy()
        dropped = int((~keep).sum())
        if not keep.any():
            raise BadInput(f"no rows with {outcome_column} = '{outcome}'", file=path,
                           column=outcome_column)
        table = _subset(table, keep)
    if start is not None and end is not None and start > end:
        raise BadInput(f"--from {start} is after --to {end}", parameter="from")
    years = table.number(year_col, integer=True, required=True, lo=1800, hi=2100)
    in_range = np.ones(len(years), dtype=bool)
    if start is not None:
        in_range &= (years >= start).to_numpy()
    if end is not None:
        in_range &= (years <= end).to_numpy()
    if not in_range.any():
        raise BadInput("no forecasts left in the years asked for", file=path, column=year_col)
    table, years = _subset(table, in_range), years[in_range]
    p = table.number(p_column, required=True, lo=0, hi=1)
    codes, placed = _countries(table, country_col)
    if not placed.any():
        raise BadInput("no row names a country", file=path, column=country_col)
    frame = pd.DataFrame({"gwcode": codes, "year": years.astype(int).to_numpy(),
                          "p": p.to_numpy(), "row": table.lines})
    unplaced = [int(r) for r in frame.loc[~placed, "row"]]
    frame = frame[placed]
    duplicated = frame.duplicated(["gwcode", "year"], keep="first")
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise BadInput(f"duplicate forecast for {countries.gw_name(int(row.gwcode))} "
                       f"{int(row.year)}", file=path, row=int(row.row), column=country_col)
    return ForecastFile(frame.drop(columns="row").reset_index(drop=True), path, country_col,
                        year_col, p_column, dropped, unplaced)


def _subset(table: Table, mask: np.ndarray) -> Table:
    return Table(table.path, table.header, table.frame[mask].reset_index(drop=True),
                 table.lines[mask])


def _first(table: Table, options: tuple[str, ...], what: str) -> str:
    for name in options:
        if table.has(name):
            return name
    raise BadInput(f"no {what} column (looked for {', '.join(options)}); name it with "
                   f"--{what}-column", file=table.path, row=1)


def _countries(table: Table, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The G&W code of each row, from ``column``; a blank (or unknown) cell falls back to the
    file's other country columns (gwcode, ISO3, name). Returns the codes and which rows are
    placed: a row blank in every country column is not placed (the caller reports it); an
    unknown value that no other column places is bad input."""
    others = [c for c in COUNTRY_COLUMNS if c != column and table.has(c)]
    columns = [column, *others]
    texts = {c: table.text(c) for c in columns}
    codes = np.zeros(len(table.lines), dtype=int)
    placed = np.zeros(len(table.lines), dtype=bool)
    cache: dict[str, int | None] = {}
    for index in range(len(codes)):
        for name in columns:
            text = str(texts[name].iloc[index]).strip()
            if text in ("", "nan", "NA", "None") or _resolve(text, cache) is None:
                continue
            codes[index], placed[index] = cache[text], True
            break
        else:
            text = str(texts[column].iloc[index]).strip()
            if text not in ("", "nan", "NA", "None"):
                raise table.fail(index, column, f"unknown country '{text}'"
                                 + (f" (nor in {', '.join(others)})" if others else ""))
    return codes, placed


def _resolve(text: str, cache: dict[str, int | None]) -> int | None:
    if text not in cache:
        number = pd.to_numeric(text, errors="coerce")
        try:
            cache[text] = countries.resolve(str(int(number)) if not np.isnan(number) else text)
        except BadInput:
            cache[text] = None
    return cache[text]


@dataclass
class Comparison:
    rows: pd.DataFrame  # gwcode, year, observed, p_theirs, p_ours
    theirs: pd.DataFrame  # metrics
    ours: pd.DataFrame
    difference: pd.DataFrame  # ours - theirs, paired bootstrap
    unmatched: int  # rows of the file with no G&W state-year or no known outcome
    dropped_outcome_rows: int


def compare(con, forecasts: ForecastFile, *, outcome: str = "attempt", model: str = "ensemble",
            seed: int = 0, n_boot: int = 1000, progress=None) -> Comparison:
    from coupwatch.forecasts import metrics
    from coupwatch.forecasts.service import backtest, check_year, design_rows

    design = design_rows(con)
    known = design[design[outcome].notna()][["gwcode", "year", outcome]]
    joined = forecasts.frame.merge(known, on=["gwcode", "year"], how="inner")
    if joined.empty:
        raise BadInput("no forecast in the file matches a country-year with a known outcome",
                       file=forecasts.path, column=forecasts.year_column)
    years = sorted(int(y) for y in joined["year"].unique())
    for year in (years[0], years[-1]):
        check_year(design, year, parameter="year-column")
    ours = backtest(con, design, years, model=model, seed=seed, progress=progress)
    rows = joined.rename(columns={outcome: "observed", "p": "p_theirs"}).merge(
        ours[["gwcode", "year", f"p_{outcome}"]].rename(columns={f"p_{outcome}": "p_ours"}),
        on=["gwcode", "year"], how="inner")
    rows = rows.sort_values(["year", "gwcode"]).reset_index(drop=True)
    theirs = metrics.summary(rows.rename(columns={"p_theirs": "p"}), n_boot=n_boot, seed=seed)
    mine = metrics.summary(rows.rename(columns={"p_ours": "p"}), n_boot=n_boot, seed=seed)
    diff = metrics.paired(rows, "p_ours", "p_theirs", n_boot=n_boot, seed=seed)
    return Comparison(rows, theirs, mine, diff, len(forecasts.frame) - len(rows),
                      forecasts.dropped_outcome_rows)
