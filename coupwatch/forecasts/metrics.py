"""Forecast skill with bootstrap confidence intervals (resampling country-years)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

N_BOOT = 1000


def _point(y: np.ndarray, p: np.ndarray, base: float) -> dict[str, float]:
    brier = float(np.mean((p - y) ** 2))
    reference = float(np.mean((base - y) ** 2))
    two = 0 < y.sum() < len(y)
    return {
        "roc_auc": float(roc_auc_score(y, p)) if two else np.nan,
        "pr_auc": float(average_precision_score(y, p)) if two else np.nan,
        "brier": brier,
        "brier_skill": 1 - brier / reference if reference > 0 else np.nan,
        "log_loss": float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1])),
    }


def recall_top(frame: pd.DataFrame, k: int) -> float:
    """Share of observed events whose country ranked in that year's top ``k``."""
    ranks = frame.groupby("year")["p"].rank(ascending=False, method="first")
    hits = frame["observed"].to_numpy() * (ranks.to_numpy() <= k)
    events = frame["observed"].sum()
    return float(hits.sum() / events) if events else np.nan


def summary(frame: pd.DataFrame, *, base_rate: np.ndarray | float | None = None,
            n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame:
    """Metrics with 95 % bootstrap intervals for a frame with ``year, observed, p``.

    ``base_rate`` is the climatology each row is compared with for the Brier skill score
    (default: the frame's own event rate, which flatters climatology slightly).
    """
    y = frame["observed"].to_numpy(dtype=float)
    p = frame["p"].to_numpy(dtype=float)
    base = np.full(len(y), y.mean()) if base_rate is None else np.broadcast_to(
        np.asarray(base_rate, dtype=float), y.shape)
    point = _point(y, p, base)
    point["recall_top10"] = recall_top(frame, 10)
    point["recall_top20"] = recall_top(frame, 20)
    rng = np.random.default_rng(seed)
    draws = {k: [] for k in point}
    years = frame["year"].to_numpy()
    for _ in range(n_boot):
        index = rng.integers(0, len(y), len(y))
        stats = _point(y[index], p[index], base[index])
        sample = pd.DataFrame({"year": years[index], "observed": y[index], "p": p[index]})
        stats["recall_top10"] = recall_top(sample, 10)
        stats["recall_top20"] = recall_top(sample, 20)
        for key, value in stats.items():
            draws[key].append(value)
    rows = []
    for key, value in point.items():
        values = np.asarray(draws[key], dtype=float)
        values = values[~np.isnan(values)]
        low, high = (np.quantile(values, [0.025, 0.975]) if len(values) else (np.nan, np.nan))
        rows.append({"metric": key, "value": value, "ci_low": low, "ci_high": high})
    out = pd.DataFrame(rows)
    out.attrs.update(n=len(y), events=int(y.sum()))
    return out


def paired(frame: pd.DataFrame, a: str, b: str, *, n_boot: int = N_BOOT,
           seed: int = 0) -> pd.DataFrame:
    """Difference ``a - b`` in ROC-AUC, PR-AUC and Brier, bootstrapped on the same rows."""
    y = frame["observed"].to_numpy(dtype=float)
    pa, pb = frame[a].to_numpy(dtype=float), frame[b].to_numpy(dtype=float)
    base = np.full(len(y), y.mean())

    def diff(index):
        sa, sb = _point(y[index], pa[index], base[index]), _point(y[index], pb[index],
                                                                   base[index])
        return {k: sa[k] - sb[k] for k in ("roc_auc", "pr_auc", "brier")}

    point = diff(np.arange(len(y)))
    rng = np.random.default_rng(seed)
    samples = [diff(rng.integers(0, len(y), len(y))) for _ in range(n_boot)]
    rows = []
    for key, value in point.items():
        values = np.array([s[key] for s in samples], dtype=float)
        values = values[~np.isnan(values)]
        better = (values < 0) if key == "brier" else (values > 0)
        rows.append({"metric": key, "difference": value,
                     "ci_low": float(np.quantile(values, 0.025)),
                     "ci_high": float(np.quantile(values, 0.975)),
                     "share_better": float(better.mean())})
    return pd.DataFrame(rows)


def calibration(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Reliability table: forecasts in quantile bins, mean forecast beside observed rate."""
    ranked = frame["p"].rank(method="first")
    groups = pd.qcut(ranked, q=min(bins, len(frame)), labels=False)
    table = frame.groupby(groups).agg(p_low=("p", "min"), p_high=("p", "max"),
                                      mean_p=("p", "mean"), observed_rate=("observed", "mean"),
                                      events=("observed", "sum"), n=("p", "size"))
    return table.reset_index(drop=True)
