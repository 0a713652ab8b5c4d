"""``coupwatch backtest --unit month`` and ``coupwatch forecast --unit month``: the monthly
early warning (``coupwatch.forecasts.monthly``), reached from the annual commands."""

from __future__ import annotations

from pathlib import Path

from coupwatch import validate
from coupwatch.cli import tables
from coupwatch.cli.common import (
    bar,
    console,
    deliver,
    left_out_footer,
    metrics_table,
    write_frame,
)
from coupwatch.errors import BadInput
from coupwatch.warehouse.store import data_versions

UNITS = ("year", "month")


def check_unit(unit: str, *, horizon: int | None = None, year: int | None = None) -> None:
    if unit not in UNITS:
        raise BadInput(f"unknown unit '{unit}' (year or month)", parameter="unit")
    if unit == "year" and horizon is not None:
        raise BadInput("--horizon is for --unit month (the annual forecast covers one "
                       "calendar year)", parameter="horizon")
    if unit == "month" and year is not None:
        raise BadInput("--year is for --unit year (the monthly forecast starts from the "
                       "newest month of data)", parameter="year")


def backtest(con, *, start: int, end: int, horizon: int | None, outcome: str, model: str,
             seed: int, output: Path | None, workers: int | None, backend: str,
             scheduler: str | None) -> None:
    """Rolling monthly backtest, one row per state and origin month, and its metrics."""
    from coupwatch.forecasts import backtest as bt
    from coupwatch.forecasts import metrics, monthly, monthly_metrics

    horizon = 3 if horizon is None else horizon
    monthly.check(horizon, outcome, model)
    target = validate.output(output)
    data = monthly.prepare(con)
    first, last = monthly.origin_range(data, start, end, horizon)
    progress, tick = bar(f"monthly backtest {model}")
    with progress:
        frame = monthly.backtest(con, data, first, last, model=model, seed=seed,
                                 workers=workers, backend=backend, scheduler=scheduler,
                                 progress=tick)
    rows = monthly.published(data, frame, horizon, outcome, model)
    if output is not None:
        text = bt.to_csv(rows)
        deliver(text, target, len(rows), rows.shape[1])
    base = monthly_metrics.climatology(data, rows, outcome)
    summary = monthly_metrics.summary(rows, base, seed=seed)
    origins = rows[["year", "month"]].drop_duplicates()
    console.print(f"{model}, {outcome} within {horizon} months of origins "
                  f"{_label(origins.iloc[0])} to {_label(origins.iloc[-1])}: "
                  f"{summary.attrs['n']:,} state-months, {summary.attrs['events']} with an "
                  f"event (base rate {summary.attrs['base_rate']:.4f}); intervals: bootstrap "
                  "of state x year clusters; top-k: per origin month")
    metrics_table(summary, "metrics (95 % bootstrap CI)", reference="prior_months")
    tables.calibration(metrics.calibration(rows), "calibration (deciles of forecast)")


def _label(row) -> str:
    return f"{int(row['year'])}-{int(row['month']):02d}"


def forecast(con, *, model: str, seed: int, fmt: str, output: Path | None, top: int) -> None:
    """States ranked by the 3-month risk, beside the 1-, 6- and 12-month risks."""
    from coupwatch.forecasts import monthly

    monthly.check(3, "attempt", model)
    with console.status("fitting the monthly hazard on every month of data"):
        frame, run_id = monthly.forecast(con, model=model, seed=seed)
    versions = data_versions(con)
    if fmt != "table":
        write_frame(frame, fmt, output)
        return
    origin = f"{int(frame['year'].iloc[0])}-{int(frame['month'].iloc[0]):02d}"
    dropped = tables.fitted(tables.forecast_cells(frame.head(top)), tables.MONTHLY_PRIORITY,
                           title=f"coup attempt risk after {origin}, the newest month of "
                           f"data, within 1-12 months (top {top} of {len(frame)} by 3 months)")
    tables.footer(f"the 3 months after {origin} (columns: within 1, 3, 6, 12 months)", model,
                  run_id, versions)
    tables.dropped_note(dropped)
    rises = monthly.watchlist(frame)
    if len(rises):
        tables.fitted(tables.forecast_cells(rises), tables.WATCHLIST_PRIORITY,
                      title="watchlist: largest rises of the 3-month risk since the month "
                      "before")
    left_out_footer(frame.attrs.get("left_out", []))
    if output is not None:
        write_frame(frame, "csv", output)
