"""Backtest output: the published columns, the climatology reference, a stable CSV.

The rolling-origin loop itself (train on targets < T, predict T) is ``service.backtest``.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["gwcode", "iso3", "country", "year", "outcome", "observed", "p", "model"]


def climatology(frame: pd.DataFrame, design: pd.DataFrame, outcome: str) -> pd.Series:
    """For each row, the event rate of all years before it (the reference forecast)."""
    known = design[design[outcome].notna()]
    rates = {year: known.loc[known["year"] < year, outcome].mean()
             for year in frame["year"].unique()}
    return frame["year"].map(rates)


def to_csv(frame: pd.DataFrame) -> str:
    """Fixed formatting so the same data and seed give byte-identical files."""
    return frame.to_csv(index=False, float_format="%.10f", lineterminator="\n")


def published(frame: pd.DataFrame, outcome: str, model: str) -> pd.DataFrame:
    """A service backtest frame as the published rows (``COLUMNS``) for one outcome."""
    rows = frame[["gwcode", "iso3", "country", "year"]].copy()
    rows["outcome"] = outcome
    rows["observed"] = frame[f"observed_{outcome}"].astype(int)
    rows["p"] = frame[f"p_{outcome}"]
    rows["model"] = model
    return rows.reset_index(drop=True)
