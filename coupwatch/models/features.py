"""Model features beyond the panel's own: regional contagion and group membership.

All are computed on panel rows (year t, from outcomes of years <= t) and so, like every
panel feature, describe what was known at the end of t; ``panel.design`` lags them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coupwatch import regions

WINDOWS = (1, 3, 5)
GROUPS = ("ECOWAS", "Sahel", "G5-Sahel")


def add_context(panel: pd.DataFrame) -> pd.DataFrame:
    geo = regions.geography()
    out = panel.copy()
    out["un_subregion"] = out["gwcode"].map(geo["un_subregion"])
    out["au_region"] = out["gwcode"].map(geo["au_region"])
    attempts = out["n_attempts"].astype("float64")
    for level, label in (("un_subregion", "subregion"), ("au_region", "au_region")):
        for window in WINDOWS:
            out[f"{label}_attempts_{window}y"] = _regional(out, attempts, level, window)
    world = attempts.groupby(out["year"]).sum(min_count=1)
    for window in WINDOWS:
        rolled = world.rolling(window, min_periods=window).sum()
        own = _own(out, attempts, window)
        out[f"world_attempts_{window}y"] = out["year"].map(rolled) - own
    for group in GROUPS:
        out[f"member_{group.lower().replace('-', '_')}"] = _member(out, group)
    return out.drop(columns=["un_subregion", "au_region"])


def _member(frame: pd.DataFrame, group: str) -> np.ndarray:
    """1.0 where the state was a member of ``group`` at the end of the row's year (as
    ``regions.members(group, year)``, for all rows at once)."""
    spans = regions.in_force(None)
    spans = spans[spans["region"].str.lower() == group.lower()].dropna(subset=["gwcode"])
    rows = pd.DataFrame({"gwcode": frame["gwcode"].to_numpy(), "row": np.arange(len(frame)),
                         "end_of_year": pd.to_datetime(frame["year"].astype(int).astype(str)
                                                       + "-12-31").to_numpy()})
    pairs = rows.merge(spans.astype({"gwcode": "int64"})[["gwcode", "start", "end"]],
                       on="gwcode")
    inside = (pairs["start"] <= pairs["end_of_year"]) & (
        pairs["end"].isna() | (pairs["end"] > pairs["end_of_year"]))
    out = np.zeros(len(frame))
    out[pairs.loc[inside, "row"].to_numpy()] = 1.0
    return out


def _own(frame: pd.DataFrame, attempts: pd.Series, window: int) -> pd.Series:
    rolled = attempts.groupby(frame["gwcode"]).rolling(window, min_periods=window).sum()
    return rolled.reset_index(level=0, drop=True).reindex(frame.index)


def _regional(frame: pd.DataFrame, attempts: pd.Series, level: str, window: int) -> pd.Series:
    """Attempts in the same region over the last ``window`` years, the state's own excluded."""
    keyed = pd.DataFrame({"region": frame[level], "year": frame["year"], "n": attempts})
    totals = keyed.groupby(["region", "year"])["n"].sum(min_count=1).reset_index()
    totals = totals.sort_values(["region", "year"])
    totals["rolled"] = totals.groupby("region")["n"].transform(
        lambda s: s.rolling(window, min_periods=window).sum())
    merged = keyed.merge(totals[["region", "year", "rolled"]], on=["region", "year"],
                         how="left")
    value = merged["rolled"].to_numpy() - _own(frame, attempts, window).to_numpy()
    return pd.Series(value, index=frame.index).where(frame[level].notna())
