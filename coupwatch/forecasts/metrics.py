"""Forecast skill with bootstrap confidence intervals (resampling country-years)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

N_BOOT = 1000


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Mann-Whitney form of ROC-AUC (ties count half), as sklearn computes it."""
    positives = y.sum()
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return np.nan
    ranks = rankdata(p)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the precision-recall curve as a step sum over distinct thresholds
    (sklearn's ``average_precision_score``), without its per-call overhead."""
    if y.sum() == 0:
        return np.nan
    order = np.argsort(-p, kind="mergesort")
    scores, hits = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_pos = np.cumsum(hits)[last]
    precision = true_pos / (last + 1)
    recall = true_pos / true_pos[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _point(y: np.ndarray, p: np.ndarray, base: np.ndarray) -> dict[str, float]:
    brier = float(np.mean((p - y) ** 2))
    reference = float(np.mean((base - y) ** 2))
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": average_precision(y, p),
        "brier": brier,
        "brier_skill": 1 - brier / reference if reference > 0 else np.nan,
        "log_loss": float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))),
    }


def top_k_flags(frame: pd.DataFrame, k: int) -> np.ndarray:
    """Whether each row's country ranked in the top ``k`` of its year."""
    ranks = frame.groupby("year")["p"].rank(ascending=False, method="first")
    return ranks.to_numpy() <= k


def recall_top(frame: pd.DataFrame, k: int) -> float:
    """Share of observed events whose country ranked in that year's top ``k``."""
    events = frame["observed"].to_numpy(dtype=float)
    return _recall(events, top_k_flags(frame, k))


def _recall(events: np.ndarray, top: np.ndarray) -> float:
    total = events.sum()
    return float((events * top).sum() / total) if total else np.nan


def summary(frame: pd.DataFrame, *, base_rate: np.ndarray | float | None = None,
            n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame:
    """Metrics with 95 % bootstrap intervals for a frame with ``year, observed, p``.

    ``base_rate`` is the climatology each row is compared with for the Brier skill score
    (default: the frame's own event rate, which flatters climatology slightly). In the
    bootstrap a country-year keeps the top-10/20 rank it had among its year's forecasts.
    """
    y = frame["observed"].to_numpy(dtype=float)
    p = frame["p"].to_numpy(dtype=float)
    base = np.full(len(y), y.mean()) if base_rate is None else np.broadcast_to(
        np.asarray(base_rate, dtype=float), y.shape)
    tops = {k: top_k_flags(frame, k) for k in (10, 20)}
    point = _point(y, p, base)
    for k, top in tops.items():
        point[f"recall_top{k}"] = _recall(y, top)
    rng = np.random.default_rng(seed)
    draws = {key: [] for key in point}
    for _ in range(n_boot):
        index = rng.integers(0, len(y), len(y))
        stats = _point(y[index], p[index], base[index])
        for k, top in tops.items():
            stats[f"recall_top{k}"] = _recall(y[index], top[index])
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
