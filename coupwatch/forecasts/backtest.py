"""Rolling-origin backtests: for each target year T, train on targets < T, predict T."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.forecasts.engine import OUTCOMES, fit_predict, training_rows

COLUMNS = ["gwcode", "iso3", "country", "year", "outcome", "observed", "p", "model"]


def rolling(design: pd.DataFrame, start: int, end: int, *, outcome: str = "attempt",
            model: str = "ensemble", seed: int = 0,
            progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """One row per country-year with the forecast made with data through T-1."""
    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome '{outcome}' (attempt, coup, failed)",
                       parameter="outcome")
    known = design.loc[design["attempt"].notna(), "year"]
    first, last = int(known.min()) + 20, int(known.max())
    if start > end:
        raise BadInput(f"--start {start} is after --end {end}", parameter="start")
    if start < first or end > last:
        raise BadInput(f"years must lie in {first}-{last} (outcomes known through {last}; "
                       "20 years kept for the first training window)",
                       parameter="start" if start < first else "end")
    parts = []
    for target in range(start, end + 1):
        test = design[(design["year"] == target) & design["attempt"].notna()]
        predicted, _ = fit_predict(training_rows(design, target), test, model, seed)
        rows = predicted[["gwcode", "iso3", "country", "year"]].copy()
        rows["outcome"] = outcome
        rows["observed"] = test[outcome].astype(int).to_numpy()
        rows["p"] = predicted[f"p_{outcome}"].to_numpy()
        rows["model"] = model
        parts.append(rows)
        if progress:
            progress(target)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def climatology(frame: pd.DataFrame, design: pd.DataFrame, outcome: str) -> pd.Series:
    """For each row, the event rate of all years before it (the reference forecast)."""
    known = design[design[outcome].notna()]
    rates = {year: known.loc[known["year"] < year, outcome].mean()
             for year in frame["year"].unique()}
    return frame["year"].map(rates)


def to_csv(frame: pd.DataFrame) -> str:
    """Fixed formatting so the same data and seed give byte-identical files."""
    return frame.to_csv(index=False, float_format="%.10f", lineterminator="\n")
