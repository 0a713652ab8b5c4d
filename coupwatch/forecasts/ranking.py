"""Ranks and changes of a ranked list: defined once, for the live forecast and the record of
past (backtest) years shown by every interface."""

from __future__ import annotations

import pandas as pd


def rank(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """1 = the highest value (of its group); ties in the order of the rows."""
    ranked = values.groupby(groups).rank(ascending=False, method="first") if groups is not None \
        else values.rank(ascending=False, method="first")
    return ranked.astype(int)


def rank_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year: ``rank`` by P(attempt) (1 = highest; ties in G&W code order), the state's
    P(attempt) of the year before (``p_attempt_last_year``) and ``change`` from it."""
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="int64"),
                            p_attempt_last_year=pd.Series(dtype="float64"),
                            change=pd.Series(dtype="float64"))
    frame = frame.sort_values(["year", "gwcode"]).copy()
    frame["rank"] = rank(frame["p_attempt"], frame["year"])
    before = frame[["gwcode", "year", "p_attempt"]].copy()
    before["year"] += 1
    frame = frame.merge(before.rename(columns={"p_attempt": "p_attempt_last_year"}),
                        on=["gwcode", "year"], how="left")
    frame["change"] = frame["p_attempt"] - frame["p_attempt_last_year"]
    return frame.sort_values(["year", "rank"]).reset_index(drop=True)
