"""Backtest output: the published columns, the climatology reference, a stable CSV, and the
metrics every interface shows for it.

The rolling-origin loop itself (train on targets < T, predict T) is ``service.backtest``.
"""

from __future__ import annotations

import pandas as pd

from coupwatch.forecasts import metrics

COLUMNS = ["gwcode", "iso3", "country", "year", "outcome", "observed", "p", "model"]


def rows(frame: pd.DataFrame, outcome: str, model: str) -> pd.DataFrame:
    """One row per country-year with a known outcome, in the published columns."""
    known = frame[frame[f"observed_{outcome}"].notna()]
    out = known[["gwcode", "iso3", "country", "year"]].copy()
    out["outcome"] = outcome
    out["observed"] = known[f"observed_{outcome}"].astype(int)
    out["p"] = known[f"p_{outcome}"]
    out["model"] = model
    return out[COLUMNS].reset_index(drop=True)


def climatology(frame: pd.DataFrame, design: pd.DataFrame, outcome: str) -> pd.Series:
    """For each row, the event rate of all years before it (the reference forecast)."""
    known = design[design[outcome].notna()]
    rates = {year: known.loc[known["year"] < year, outcome].mean()
             for year in frame["year"].unique()}
    return frame["year"].map(rates)


def evaluate(published: pd.DataFrame, *, base_rate=None, n_boot: int = metrics.N_BOOT,
             seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics with bootstrap intervals, and the calibration table by deciles."""
    summary = metrics.summary(published, base_rate=base_rate, n_boot=n_boot, seed=seed)
    return summary, metrics.calibration(published)


def to_csv(frame: pd.DataFrame) -> str:
    """Fixed formatting so the same data and seed give byte-identical files."""
    return frame.to_csv(index=False, float_format="%.10f", lineterminator="\n")
