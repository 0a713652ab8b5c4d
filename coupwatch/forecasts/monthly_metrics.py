"""Scores of monthly forecasts: the same metrics as the annual backtest (``metrics``), with
the climatology reference and bootstrap suited to overlapping monthly windows.

A state's forecasts at consecutive origins share most of their window (a 12-month window
moves by one month), so resampling single rows would make intervals far too narrow. The
bootstrap resamples clusters: a state's origins of one calendar year together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coupwatch.forecasts import metrics
from coupwatch.forecasts.monthly import Data, observed


def climatology(data: Data, frame: pd.DataFrame, outcome: str) -> np.ndarray:
    """For each row, the event rate of every window closed by its origin (all states, all
    origins o' with o' + h <= o since 1950): the reference forecast of the Brier skill."""
    horizon = int(frame["horizon"].iloc[0])
    panel = data.panel
    seen = observed(data, panel["gwcode"].to_numpy(), panel["mi"].to_numpy(), horizon,
                    outcome)
    by_origin = pd.DataFrame({"mi": panel["mi"], "y": seen}).dropna().groupby("mi")["y"]
    totals = by_origin.sum().cumsum()
    counts = by_origin.count().cumsum()
    rate = totals / counts
    origin = frame["year"].to_numpy() * 12 + frame["month"].to_numpy() - 1
    closed = rate.reindex(np.arange(rate.index.min(), origin.max() + 1)).ffill()
    return closed.reindex(origin - horizon).to_numpy()


def summary(frame: pd.DataFrame, base: np.ndarray, *, n_boot: int = metrics.N_BOOT,
            seed: int = 0) -> pd.DataFrame:
    """``metrics.summary``'s table for a published monthly backtest (top-k per origin month),
    with 95 % intervals from a bootstrap of state x origin-year clusters."""
    scored = pd.DataFrame({"year": frame["year"] * 12 + frame["month"] - 1,
                           "p": frame["p"], "observed": frame["observed"]})
    y, p = scored["observed"].to_numpy(float), scored["p"].to_numpy(float)
    base = np.asarray(base, dtype=float)
    tops = {k: metrics.top_k_flags(scored, k) for k in (10, 20)}
    clusters = pd.factorize(frame["gwcode"].astype(str) + "-" + frame["year"].astype(str))[0]
    members = pd.Series(np.arange(len(y))).groupby(clusters).apply(np.asarray).to_list()

    def stats(index: np.ndarray) -> dict[str, float]:
        out = metrics._point(y[index], p[index], base[index])
        for k, top in tops.items():
            out[f"recall_top{k}"] = metrics._recall(y[index], top[index])
        return out

    point = stats(np.arange(len(y)))
    rng = np.random.default_rng(seed)
    draws = {key: [] for key in point}
    for _ in range(n_boot):
        picked = rng.integers(0, len(members), len(members))
        for key, value in stats(np.concatenate([members[i] for i in picked])).items():
            draws[key].append(value)
    rows = []
    for key, value in point.items():
        values = np.asarray(draws[key], dtype=float)
        values = values[~np.isnan(values)]
        low, high = np.quantile(values, [0.025, 0.975]) if len(values) else (np.nan, np.nan)
        rows.append({"metric": key, "value": value, "ci_low": low, "ci_high": high})
    out = pd.DataFrame(rows)
    out.attrs.update(n=len(y), events=int(y.sum()), base_rate=float(y.mean()))
    return out
