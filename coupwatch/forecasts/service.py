"""Forecasts end to end: design rows from the warehouse, cached backtests, the live forecast."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from coupwatch import panel, regions
from coupwatch.errors import BadInput
from coupwatch.forecasts import ranking, store
from coupwatch.forecasts.engine import OUTCOMES, fit_predict, training_rows
from coupwatch.models import add_context, split_outcomes
from coupwatch.models.calibration import Platt
from coupwatch.panel import store as panel_store
from coupwatch.panel.spec import NEEDS
from coupwatch.warehouse.completeness import completeness

MIN_TRAIN_YEARS = 20
CALIBRATION_YEARS = 10


def design_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Model rows (features of T-1, outcomes of T) for every target year with features;
    refused when the warehouse lacks a source the features are built from."""
    completeness(con, NEEDS).require("forecasts")
    return panel.design(add_context(panel_store.load(con)))


def year_range(design: pd.DataFrame) -> tuple[int, int]:
    """Targets we can forecast: from 20 years after the first outcome to one past the last."""
    known = design.loc[design["attempt"].notna(), "year"]
    return int(known.min()) + MIN_TRAIN_YEARS, int(known.max()) + 1


def check_year(design: pd.DataFrame, year: int, parameter: str = "year") -> None:
    first, last = year_range(design)
    if not first <= year <= last:
        raise BadInput(f"{year} is outside the data: forecasts can target {first}-{last} "
                       f"(coup events are known through {last - 1})", parameter=parameter)


def backtest(con: duckdb.DuckDBPyConnection, design: pd.DataFrame, years: list[int], *,
             model: str = "ensemble", seed: int = 0,
             progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Calibrated P(attempt), P(coup), P(failed) for each target year, beside what happened.

    Every year's raw forecast comes from models fitted on earlier years only; the year's
    calibration map is fitted on the raw out-of-sample forecasts of the ``CALIBRATION_YEARS``
    years before it. Raw forecasts are cached in the warehouse per data version, model and
    seed, so a later run (or the live forecast) reuses them.
    """
    first = year_range(design)[0]
    wanted = sorted(set(years))
    needed = sorted({y for t in wanted for y in range(max(first, t - CALIBRATION_YEARS), t + 1)})
    key = store.data_key(con)
    have = store.cached_backtest(con, key, model, seed, needed)
    missing = [y for y in needed if y not in set(have["year"])]
    fresh = []
    for target in missing:
        test = design[design["year"] == target]
        predicted, _ = fit_predict(training_rows(design, target), test, model, seed)
        for outcome in OUTCOMES:
            predicted[f"observed_{outcome}"] = test[outcome].astype("float64").to_numpy()
        fresh.append(predicted)
        if progress:
            progress(target, len(missing))
    frame = pd.concat([have, *fresh], ignore_index=True) if fresh else have
    frame = frame.drop(columns=["data_key", "model", "seed"], errors="ignore")
    frame = calibrate(frame, model)
    if fresh:
        store.save_backtest(con, key, model, seed, frame[frame["year"].isin(missing)])
    out = frame[frame["year"].isin(wanted)]
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
             progress: Callable[[int, int], None] | None = None,
             ) -> tuple[pd.DataFrame, str | None]:
    """Ranked one-year-ahead forecast for ``year`` (default: one past the last known year)."""
    design = design_rows(con)
    target = year_range(design)[1] if year is None else year
    check_year(design, target)
    frame = backtest(con, design, [target - 1, target], model=model, seed=seed,
                     progress=progress)
    ranked = ranking.rank_years(frame)
    now = ranked[ranked["year"] == target].copy()
    now["region"] = now["gwcode"].map(regions.label)
    now = now.sort_values("rank")[["year", "rank", "gwcode", "iso3", "country", "region",
                                   "p_attempt", "p_coup", "p_failed", "p_attempt_last_year",
                                   "change"]].reset_index(drop=True)
    run_id = store.save_forecast(con, now, target=target, model=model, seed=seed) if save \
        else None
    return now, run_id
