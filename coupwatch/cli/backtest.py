"""``coupwatch backtest`` and ``coupwatch score``."""

from __future__ import annotations

from pathlib import Path

import typer

from coupwatch import validate
from coupwatch.cli import monthly, tables
from coupwatch.cli.common import (
    HIDDEN_END,
    HIDDEN_START,
    WORKERS_HELP,
    bar,
    brier_labelled,
    console,
    deliver,
    metrics_table,
    show,
    span_alias,
    writable,
)

# The forecasting modules pull in scikit-learn, LightGBM and SciPy (seconds to import):
# they are imported inside the commands so that `coupwatch data ...` starts fast.


def backtest(
    start: int = typer.Option(1990, "--from", help="first target year"),
    end: int = typer.Option(2022, "--to", help="last target year"),
    outcome: str = typer.Option("attempt", help=validate.OUTCOME_HELP),
    model: str | None = typer.Option(None, help=validate.model_help()),
    seed: int = typer.Option(0),
    output: Path | None = typer.Option(None, help="CSV file for the country-year forecasts "
                                       "('-' for standard output)"),
    workers: int | None = typer.Option(None, help=WORKERS_HELP),
    backend: str = typer.Option("local", help="local (joblib on this machine's cores) or dask"),
    scheduler: str | None = typer.Option(None, help="address of a running dask scheduler "
                                         "(default with dask: a local cluster)"),
    unit: str = typer.Option("year", help="year, or month: origins at every month's end"),
    horizon: int | None = typer.Option(None, help="months ahead (--unit month): 1, 3, 6 "
                                       "or 12 (default 3)"),
    start_alias: int | None = HIDDEN_START,
    end_alias: int | None = HIDDEN_END,
) -> None:
    """Rolling-origin backtest: for each year T (or month, --unit month), train on what was
    known before it and predict it."""
    from coupwatch.forecasts import backtest as bt
    from coupwatch.forecasts import runner, service

    monthly.check_unit(unit, horizon=horizon)
    start, end = span_alias(start, start_alias), span_alias(end, end_alias)
    runner.check(backend, workers, scheduler)
    model = validate.model(model)
    if unit == "month":
        con = writable()
        try:
            monthly.backtest(con, start=start, end=end, horizon=horizon, outcome=outcome,
                             model=model, seed=seed, output=output, workers=workers,
                             backend=backend, scheduler=scheduler)
        finally:
            con.close()
        return
    outcome = validate.outcome(outcome)
    target = validate.output(output)
    con = writable()
    try:
        design = service.design_rows(con)
        years = service.backtest_years(design, start, end)
        progress, tick = bar(f"backtest {model}")
        with progress:
            frame = service.backtest(con, design, years, model=model,
                                     seed=seed, backend=backend, workers=workers,
                                     scheduler=scheduler, progress=tick)
    finally:
        con.close()
    rows = bt.rows(frame, outcome, model)
    if output is not None:
        text = bt.to_csv(rows)
        deliver(text, target, len(rows), rows.shape[1])
    summary, calibration = bt.evaluate(rows, base_rate=bt.climatology(rows, design, outcome)
                                       .to_numpy(), seed=seed)
    metrics_table(summary, f"{model}, {outcome}, {start}-{end}: {summary.attrs['n']:,} "
                  f"country-years, {summary.attrs['events']} events (95 % bootstrap CI)",
                  reference="prior_years")
    tables.calibration(calibration, "calibration (deciles of forecast)")


def score(
    file: Path = typer.Argument(..., help="forecast file (CSV) with country, year and p"),
    p_column: str = typer.Option("p", help="column holding the probability"),
    year_column: str | None = typer.Option(None, help="year the forecast is for "
                                           "(default: for_year, else year)"),
    country_column: str | None = typer.Option(None, help="gwcode, ISO3 or name column"),
    outcome: str = typer.Option("attempt", help=validate.OUTCOME_HELP),
    model: str | None = typer.Option(None, help="our model to compare with: "
                                     + validate.model_help()),
    seed: int = typer.Option(0),
    start: int | None = typer.Option(None, "--from", help="only forecasts for years >= this"),
    end: int | None = typer.Option(None, "--to", help="only forecasts for years <= this"),
) -> None:
    """Score a forecast file against observed coups, side by side with our own backtest."""
    from coupwatch.forecasts import score as sc

    outcome, model = validate.outcome(outcome), validate.model(model)
    forecasts = sc.read_forecasts(file, p_column=p_column, year_column=year_column,
                                  country_column=country_column, outcome=outcome,
                                  start=start, end=end)
    con = writable()
    try:
        result = sc.compare(con, forecasts, outcome=outcome, model=model, seed=seed)
    finally:
        con.close()
    rows = result.rows
    console.print(f"{file.name}: {len(rows):,} common country-years "
                  f"{rows['year'].min()}-{rows['year'].max()}, {int(rows['observed'].sum())} "
                  f"events ({outcome}); {result.unmatched} rows without a known outcome, "
                  f"{result.dropped_outcome_rows} rows for other outcomes")
    if forecasts.unplaced:
        lines = forecasts.unplaced
        console.print(f"{len(lines)} row{'s' if len(lines) != 1 else ''} not scored: no "
                      f"country in any country column (lines {', '.join(map(str, lines[:5]))}"
                      f"{', ...' if len(lines) > 5 else ''})", highlight=False)
    side = brier_labelled(result.theirs[["metric"]], "sample")
    for label, frame in (("theirs", result.theirs), (f"ours ({model})", result.ours)):
        side[label] = [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in
                       zip(frame["value"], frame["ci_low"], frame["ci_high"], strict=True)]
    show(side, title="metrics with 95 % bootstrap CI")
    metrics_table(result.difference, "ours - theirs (paired bootstrap on the same rows)")
