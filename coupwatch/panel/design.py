"""From the panel to model rows: features of year T-1 beside the outcomes of year T."""

from __future__ import annotations

import pandas as pd

from coupwatch.panel.spec import OUTCOME_COLUMNS

ID_COLUMNS = ("gwcode", "iso3", "country", "year")
NOT_FEATURES = {*ID_COLUMNS, *OUTCOME_COLUMNS, "outcome_partial_year"}


def feature_columns(panel: pd.DataFrame) -> list[str]:
    return [c for c in panel.columns if c not in NOT_FEATURES]


def design(panel: pd.DataFrame, *, forecast_year: int | None = None) -> pd.DataFrame:
    """One row per state and target year T: features from T-1, outcomes from T.

    Target years are those of the panel, plus ``forecast_year`` (default: the year after the
    panel's last) for states present in T-1, whose outcomes are unknown (NaN).
    """
    features = panel[[*ID_COLUMNS, *feature_columns(panel)]].copy()
    features["year"] = features["year"] + 1  # known at end of T-1 => usable for target T
    outcomes = panel[["gwcode", "year", *OUTCOME_COLUMNS, "outcome_partial_year"]]
    rows = features.merge(outcomes, on=["gwcode", "year"], how="left")
    last = int(panel["year"].max()) + 1 if forecast_year is None else forecast_year
    exists = panel[["gwcode", "year"]].assign(exists=True)
    rows = rows.merge(exists, on=["gwcode", "year"], how="left")
    # A target year inside the panel keeps only states that existed that year.
    keep = rows["exists"].eq(True) | (rows["year"] == last)
    rows = rows[keep & (rows["year"] <= last)].drop(columns="exists")
    return rows.sort_values(["year", "gwcode"]).reset_index(drop=True)
