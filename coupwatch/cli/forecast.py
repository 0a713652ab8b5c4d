"""``coupwatch backtest``, ``score``, ``forecast`` and ``explain``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from coupwatch import operations, warehouse
from coupwatch.cli import monthly
from coupwatch.cli.common import console, show, write_frame
from coupwatch.errors import BadInput

# The forecasting modules pull in scikit-learn, LightGBM and SciPy (seconds to import):
# they are imported inside the commands so that `coupwatch data ...` starts fast.
OUTCOMES = ("attempt", "coup", "failed")

OUTCOME_HELP = "attempt, coup or failed"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _bar(label: str):
    """A progress bar for model fits; the number of fits is known once the cache is read."""
    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True)
    task = progress.add_task(label, total=None)
    return progress, lambda _year, total: progress.update(task, total=total, advance=1)


def _writable(*, fill_from: Path | None | bool = False):
    """A writable warehouse connection; refuses an empty warehouse unless ``fill_from`` is
    given (a mirror path, or None for COUPWATCH_MIRROR / the publishers), which loads it."""
    con = warehouse.connect()
    if warehouse.is_empty(con):
        con.close()
        if fill_from is False:
            raise BadInput("the warehouse is empty: run `coupwatch data update` first")
        console.print("empty warehouse: running `coupwatch data update` first")
        operations.update_data(mirror=fill_from)
        con = warehouse.connect()
    return con


def _metrics_table(frame: pd.DataFrame, title: str) -> None:
    shown = frame.copy()
    for column in ("value", "ci_low", "ci_high", "difference", "share_better"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.3f}")
    show(shown, title=title)


def backtest(
    start: int = typer.Option(1990, help="first target year"),
    end: int = typer.Option(2022, help="last target year"),
    outcome: str = typer.Option("attempt", help=OUTCOME_HELP),
    model: str = typer.Option("ensemble", envvar="COUPWATCH_MODEL",
                              help="ensemble, logit, lgbm, forest, history, climatology"),
    seed: int = typer.Option(0),
    output: Path | None = typer.Option(None, help="CSV file for the country-year forecasts"),
    unit: str = typer.Option("year", help="year, or month: origins at every month's end"),
    horizon: int | None = typer.Option(None, help="months ahead (--unit month): 1, 3, 6, 12"),
    workers: int = typer.Option(1, help="parallel refits (--unit month)"),
    backend: str = typer.Option("loky", help="joblib backend of the refits (--unit month)"),
) -> None:
    """Rolling-origin backtest: for each year T, train on years before T and predict T."""
    from coupwatch.forecasts import backtest as bt
    from coupwatch.forecasts import metrics, service

    monthly.check_unit(unit, horizon=horizon)
    if unit == "month":
        if output is not None and not output.parent.exists():
            raise BadInput(f"directory does not exist: {output.parent}", parameter="output")
        con = _writable()
        try:
            monthly.backtest(con, start=start, end=end, horizon=horizon, outcome=outcome,
                             model=model, seed=seed, output=output, workers=workers,
                             backend=backend, bar=_bar)
        finally:
            con.close()
        return
    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome '{outcome}' ({OUTCOME_HELP})", parameter="outcome")
    if output is not None and not output.parent.exists():
        raise BadInput(f"directory does not exist: {output.parent}", parameter="output")
    con = _writable()
    try:
        design = service.design_rows(con)
        first, last = service.year_range(design)
        if start > end or start < first or end > last - 1:
            raise BadInput(f"years must satisfy {first} <= start <= end <= {last - 1}",
                           parameter="start" if start < first or start > end else "end")
        bar, tick = _bar(f"backtest {model}: fitting year")
        with bar:
            frame = service.backtest(con, design, list(range(start, end + 1)), model=model,
                                     seed=seed, progress=tick)
    finally:
        con.close()
    rows = frame[["gwcode", "iso3", "country", "year"]].copy()
    rows["outcome"] = outcome
    rows["observed"] = frame[f"observed_{outcome}"].astype(int)
    rows["p"] = frame[f"p_{outcome}"]
    rows["model"] = model
    if output is not None:
        output.write_text(bt.to_csv(rows))
    base = bt.climatology(rows, design, outcome)
    summary = metrics.summary(rows, base_rate=base.to_numpy(), seed=seed)
    _metrics_table(summary, f"{model}, {outcome}, {start}-{end}: {summary.attrs['n']:,} "
                   f"country-years, {summary.attrs['events']} events (95 % bootstrap CI)")
    show(metrics.calibration(rows), title="calibration (deciles of forecast)")


def score(
    file: Path = typer.Argument(..., help="forecast file (CSV) with country, year and p"),
    p_column: str = typer.Option("p", help="column holding the probability"),
    year_column: str | None = typer.Option(None, help="year the forecast is for "
                                           "(default: for_year, else year)"),
    country_column: str | None = typer.Option(None, help="gwcode, ISO3 or name column"),
    outcome: str = typer.Option("attempt", help=OUTCOME_HELP),
    model: str = typer.Option("ensemble", envvar="COUPWATCH_MODEL",
                              help="our model to compare with"),
    seed: int = typer.Option(0),
    start: int | None = typer.Option(None, "--from", help="only forecasts for years >= this"),
    end: int | None = typer.Option(None, "--to", help="only forecasts for years <= this"),
) -> None:
    """Score a forecast file against observed coups, side by side with our own backtest."""
    from coupwatch.forecasts import score as sc

    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome '{outcome}' ({OUTCOME_HELP})", parameter="outcome")
    forecasts = sc.read_forecasts(file, p_column=p_column, year_column=year_column,
                                  country_column=country_column, outcome=outcome,
                                  start=start, end=end)
    con = _writable()
    try:
        result = sc.compare(con, forecasts, outcome=outcome, model=model, seed=seed)
    finally:
        con.close()
    rows = result.rows
    console.print(f"{file.name}: {len(rows):,} common country-years "
                  f"{rows['year'].min()}-{rows['year'].max()}, {int(rows['observed'].sum())} "
                  f"events ({outcome}); {result.unmatched} rows without a known outcome, "
                  f"{result.dropped_outcome_rows} rows for other outcomes")
    side = result.theirs[["metric"]].copy()
    for label, frame in (("theirs", result.theirs), (f"ours ({model})", result.ours)):
        side[label] = [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in
                       zip(frame["value"], frame["ci_low"], frame["ci_high"], strict=True)]
    show(side, title="metrics with 95 % bootstrap CI")
    _metrics_table(result.difference, "ours - theirs (paired bootstrap on the same rows)")


def forecast(
    year: int | None = typer.Option(None, help="target year (default: the year after the "
                                    "latest coup data)"),
    format: Format = typer.Option(Format.table, "--format"),
    output: Path | None = typer.Option(None, help="write here instead of the screen"),
    model: str = typer.Option("ensemble", envvar="COUPWATCH_MODEL",
                              help="ensemble, logit, lgbm, forest, history, climatology"),
    seed: int = typer.Option(0),
    top: int = typer.Option(30, help="rows shown in table format"),
    mirror: Path | None = typer.Option(None, help="mirror for the first data update"),
    unit: str = typer.Option("year", help="year, or month: risks over the next 1, 3, 6 and "
                             "12 months from the newest month of data"),
) -> None:
    """Ranked one-year-ahead coup risk; on an empty warehouse, fetches the data first."""
    from coupwatch.forecasts import service

    if output is not None and not output.parent.exists():
        raise BadInput(f"directory does not exist: {output.parent}", parameter="output")
    monthly.check_unit(unit, year=year)
    con = _writable(fill_from=mirror)
    if unit == "month":
        try:
            monthly.forecast(con, model=model, seed=seed, fmt=format.value, output=output,
                             top=top)
        finally:
            con.close()
        return
    try:
        bar, tick = _bar("fitting models for year")
        with bar:
            frame, run_id = service.forecast(con, year, model=model, seed=seed, progress=tick)
    finally:
        con.close()
    if format is Format.table:
        shown = frame.head(top).copy()
        for column in ("p_attempt", "p_coup", "p_failed", "p_attempt_last_year"):
            shown[column] = shown[column].map(lambda v: f"{v:.1%}" if v == v else "")
        shown["change"] = frame["change"].head(top).map(lambda v: f"{v:+.1%}" if v == v
                                                        else "")
        show(shown.drop(columns=["gwcode"]), title=f"coup risk {frame['year'].iloc[0]} "
             f"(run {run_id}; top {top} of {len(frame)})")
        if output is not None:
            write_frame(frame, "csv", output)
    else:
        write_frame(frame, format.value, output)


def explain(
    country: str = typer.Argument(..., help="ISO3 code, G&W code or name"),
    year: int | None = typer.Option(None, help="target year (default: the next year)"),
    what_if: list[str] | None = typer.Option(None, "--what-if", help="feature=value; "
                                             "repeatable"),
    top: int = typer.Option(5, help="factors shown in each direction"),
    format: Format = typer.Option(Format.table, "--format"),
    model: str = typer.Option("ensemble", envvar="COUPWATCH_MODEL",
                              help="ensemble, logit or lgbm"),
    seed: int = typer.Option(0),
) -> None:
    """The factors raising and lowering a country's risk, in plain words."""
    from coupwatch.forecasts import explain as ex

    con = _writable()
    try:
        result = ex.explain(con, country, year, what_if=what_if, top=top, model=model,
                            seed=seed)
    finally:
        con.close()
    if format is Format.json:
        payload = {k: v for k, v in result.__dict__.items() if k != "drivers"}
        payload["drivers"] = json.loads(result.drivers.to_json(orient="records"))
        console.file.write(json.dumps(payload, indent=1) + "\n")
        return
    console.print(f"{result.country}, {result.year}: P(attempt) {result.p_attempt:.1%}, "
                  f"P(successful coup) {result.p_coup:.1%}, P(failed) {result.p_failed:.1%}")
    drivers = result.drivers.copy()
    drivers["contribution"] = drivers["contribution"].map(lambda v: f"{v:+.2f}")
    show(drivers[["direction", "text", "contribution", "feature"]],
         title="drivers (contribution in log-odds)")
    if result.what_if:
        changes = ", ".join(f"{k}={v:g}" for k, v in result.what_if.items())
        console.print(f"what if {changes}: P(attempt) {result.p_attempt_what_if:.1%} "
                      f"(was {result.p_attempt:.1%}), P(coup) {result.p_coup_what_if:.1%}, "
                      f"P(failed) {result.p_failed_what_if:.1%}")
