"""Forecasts end to end: design rows from the warehouse, cached backtests, the live forecast."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from coupwatch import models, panel, regions
from coupwatch.errors import BadInput
from coupwatch.forecasts import availability, ranking, rolling, runner, store
from coupwatch.forecasts.rolling import CALIBRATION_YEARS, target_span
from coupwatch.models import add_context, split_outcomes
from coupwatch.models.base import model_columns
from coupwatch.models.calibration import Platt
from coupwatch.panel import store as panel_store
from coupwatch.panel.spec import NEEDS
from coupwatch.warehouse.completeness import completeness

HISTORY_YEARS = 8  # past years a forecast brings with it, out of sample


def design_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Model rows (features of T-1, outcomes of T) for every target year with features;
    refused when the warehouse lacks a source the features are built from."""
    completeness(con, NEEDS).require("forecasts")
    return panel.design(add_context(panel_store.load(con)))


def year_range(design: pd.DataFrame) -> tuple[int, int]:
    """Targets we can forecast: from 20 years after the first outcome to one past the last."""
    known = design.loc[design["attempt"].notna(), "year"]
    return target_span(int(known.min()), int(known.max()))


def backtest_years(design: pd.DataFrame, start: int, end: int) -> list[int]:
    """Target years ``start``..``end`` of a backtest, each with a known outcome."""
    from coupwatch import validate

    first, last = year_range(design)
    validate.year_span(start, end, first, last - 1)
    return list(range(start, end + 1))


def check_year(design: pd.DataFrame, year: int, parameter: str = "year") -> None:
    first, last = year_range(design)
    if not first <= year <= last:
        raise BadInput(f"{year} is outside the data: forecasts can target {first}-{last} "
                       f"(coup events are known through {last - 1})", parameter=parameter)


def backtest(con: duckdb.DuckDBPyConnection, design: pd.DataFrame, years: list[int], *,
             model: str = "ensemble", seed: int = 0, backend: str = "local",
             workers: int | None = None, scheduler: str | None = None,
             keep_year: int | None = None,
             progress: Callable[[str | None, int], None] | None = None) -> pd.DataFrame:
    """Calibrated P(attempt), P(coup), P(failed) for each target year, beside what happened.

    Every year's raw forecast comes from members fitted on earlier years only, combined as
    chosen on their forecasts of the years before it (``models.nested``); the year's
    calibration map is fitted on the raw out-of-sample forecasts of the
    ``CALIBRATION_YEARS`` years before it. Member fits run in parallel (``backend``,
    ``workers``) and are stored in the warehouse per data version, member, seed and year, so
    later runs, other models using the same members, and the live forecast reuse them.
    """
    models.check(model)
    runner.check(backend, workers, scheduler)
    todo = rolling.plan(con, design, [(model, seed)], years, keep_year=keep_year)
    rolling.execute(con, design, todo.jobs, backend=backend, workers=workers,
                    scheduler=scheduler, progress=progress)
    return finish(con, design, years, model, seed)


def finish(con: duckdb.DuckDBPyConnection, design: pd.DataFrame, years: list[int],
           model: str, seed: int) -> pd.DataFrame:
    """Combine stored fits, calibrate, store the model's backtest, return ``years``.

    Only years whose whole calibration window was assembled are stored: the lead-in years
    before ``years`` are calibrated on a truncated window, and storing them would make a
    stored year's numbers depend on the span of whichever backtest wrote it last."""
    frame = calibrate(rolling.assemble(con, design, years, model, seed), model)
    have = set(frame["year"].unique().tolist()) if len(frame) else set()
    first = year_range(design)[0]
    complete = {y for y in have
                if set(range(max(first, y - CALIBRATION_YEARS), y)) <= have}
    store.save_backtest(con, rolling.fit_key(con, design), model, seed,
                        frame[frame["year"].isin(complete)])
    out = frame[frame["year"].isin(set(years))]
    return out.sort_values(["year", "gwcode"]).reset_index(drop=True)


def calibration_for(con: duckdb.DuckDBPyConnection, design: pd.DataFrame, target: int, *,
                    model: str = "ensemble", seed: int = 0) -> Platt:
    """The calibration map used for ``target`` (fitted on the raw forecasts before it)."""
    past = [y for y in range(target - CALIBRATION_YEARS, target) if y >= year_range(design)[0]]
    frame = backtest(con, design, past, model=model, seed=seed) if past else None
    if frame is None or model == "climatology":
        return Platt().fit([], [])
    return Platt().fit(frame["p_attempt_raw"], frame["observed_attempt"])


def calibrate(frame: pd.DataFrame, model: str) -> pd.DataFrame:
    """Apply each year's rolling calibration map; the climatology reference stays as it is."""
    frame = frame.sort_values(["year", "gwcode"]).reset_index(drop=True)
    p = frame["p_attempt_raw"].to_numpy(dtype=float).copy()
    if model != "climatology":
        for year in frame["year"].unique():
            past = frame[(frame["year"] < year) & (frame["year"] >= year - CALIBRATION_YEARS)
                         & frame["observed_attempt"].notna()]
            here = (frame["year"] == year).to_numpy()
            mapping = Platt().fit(past["p_attempt_raw"], past["observed_attempt"])
            p[here] = mapping.predict(frame.loc[here, "p_attempt_raw"])
    frame["p_attempt"] = p
    frame["p_coup"], frame["p_failed"] = split_outcomes(p, frame["q_success"].to_numpy())
    return frame


def forecast(con: duckdb.DuckDBPyConnection, year: int | None = None, *,
             model: str = "ensemble", seed: int = 0, save: bool = True,
             workers: int | None = None,
             progress: Callable[[str | None, int], None] | None = None,
             ) -> tuple[pd.DataFrame, str | None]:
    """Ranked one-year-ahead forecast for ``year`` (default: one past the last known year).

    The target year's fitted members and every country's drivers are stored with the run,
    so ``explain`` and the brief need no refit.
    """
    design = design_rows(con)
    target = year_range(design)[1] if year is None else year
    check_year(design, target)
    # the years before the target are backtested with it, so the risk trend beside a forecast
    # (brief, dashboard) is there after a first forecast, each year calibrated on its whole
    # window; their fits are stored and reused by a later `coupwatch backtest`
    first = year_range(design)[0]
    years = list(range(max(first, target - HISTORY_YEARS), target + 1))
    frame = backtest(con, design, years, model=model, seed=seed,
                     workers=workers, keep_year=target, progress=progress)
    ranked = ranking.rank_years(frame)
    now = ranked[ranked["year"] == target].copy()
    now["region"] = now["gwcode"].map(regions.label)
    now = now.sort_values("rank")[["year", "rank", "gwcode", "iso3", "country", "region",
                                   "p_attempt", "p_coup", "p_failed", "p_attempt_last_year",
                                   "change"]].reset_index(drop=True)
    now.attrs["left_out"] = availability.explain(design, target, model_columns(design))
    if not save:
        return now, None
    same = store.same_run(con, target=target, model=model, seed=seed)
    if same is not None:  # an identical run is stored already: reuse it, store no duplicate
        return now, same
    run_id = store.save_forecast(con, now, target=target, model=model, seed=seed,
                                 left_out=now.attrs["left_out"])
    save_drivers(con, design, run_id, target, model, seed)
    return now, run_id


def save_drivers(con: duckdb.DuckDBPyConnection, design: pd.DataFrame, run_id: str,
                 target: int, model: str, seed: int) -> None:
    """Every country's contributions for the run, from the target year's stored fits."""
    from coupwatch.forecasts import drivers
    from coupwatch.forecasts.engine import load

    key = store.data_key(con)
    names = models.check(model)
    blobs = store.stored_fits(con, key, target, [(m, rolling.member_seed(m, seed))
                                                 for m in names])
    if len(blobs) < len(names):
        return
    fitted = [load(blobs[(m, rolling.member_seed(m, seed))]) for m in names]
    stack = rolling.stack_at(con, design, target, model, seed)
    frame = drivers.contributions(fitted, stack, design[design["year"] == target])
    if len(frame):
        drivers.save(con, run_id, frame)
