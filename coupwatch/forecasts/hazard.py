"""A discrete-time hazard of coup attempts: P(first attempt in month m+k | none in m+1..m+k-1),
from the features of month m and the lead k, combined into P(at least one in h months).

Training rows stack every state-month m (the origin) with leads k = 1..12, restricted to the
risk set (no attempt in the months between). Events are kept; non-events are kept when a
hash of (state, month, lead, seed) falls under ``SAMPLE`` (case-control sampling: the same
row is kept or dropped whatever else the data hold, so a training window's sample never
depends on later data), and predicted odds are multiplied by ``SAMPLE`` to undo the
sampling (the prior correction of King & Zeng 2001, exact for the logistic model).

Then P(at least one attempt in h) = 1 - prod_{k<=h} (1 - hazard_k): never lower for a longer
horizon. Successful coups: q = P(success | attempt) from a logistic model of attempt
months (features of the month before), and P(at least one coup in h) = 1 - prod (1 - q
hazard_k), never above P(attempt).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from threadpoolctl import threadpool_limits

from coupwatch.forecasts import monthly_models
from coupwatch.models.linear import Logit
from coupwatch.panel import monthly

LEADS = 12
HORIZONS = (1, 3, 6, 12)
SAMPLE = 0.02  # share of non-event rows kept (0.04 scored the same on 2001-2010)
LOG_PREFIXES = ("months_since_", "leader_months", "state_age", "pop", "gdp_pc",
                "regime_duration", "leader_tenure", "years_since_election", "infmort")
SUCCESS = ["log_months_since_coup", "coups_36m", "coups_10y", "attempts_10y",
           "leader_is_military", "gov_military", "log_regime_duration", "v2x_horacc_osp",
           "v2xcl_rol", "log_gdp_pc", "log_state_age"]


def features(panel: pd.DataFrame) -> pd.DataFrame:
    """Model features of every state-month (float32): heavy-tailed counts of months on a log
    scale (the tree models do not care, the logistic model does), the columns of
    ``monthly_models.columns``."""
    names = [c for c in monthly.feature_names(panel) if not c.endswith("_cf")]
    out = {}
    for name in names:
        values = panel[name].to_numpy(dtype="float64")
        if name.startswith(LOG_PREFIXES) and not name.endswith(("_d1", "_d5", "growth")):
            out[f"log_{name}"] = np.log1p(np.clip(values, 0, None))
        else:
            out[name] = values
    frame = pd.DataFrame(out, index=panel.index)
    return frame[monthly_models.columns(frame)].astype("float32")


def _keep(gwcode: np.ndarray, mi: np.ndarray, lead: int, seed: int) -> np.ndarray:
    """A per-row uniform number from a 64-bit mix of (state, month, lead, seed)."""
    x = (gwcode.astype(np.uint64) << np.uint64(32)) ^ (mi.astype(np.uint64) << np.uint64(4))
    x ^= np.uint64(lead) ^ (np.uint64(seed + 1) * np.uint64(0x9E3779B97F4A7C15))
    with np.errstate(over="ignore"):
        for shift, mult in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            x = (x ^ (x >> np.uint64(shift))) * np.uint64(mult)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def stack(panel: pd.DataFrame, seed: int = 0, sample: float = SAMPLE) -> pd.DataFrame:
    """Sampled training rows of the whole panel: ``row`` (the origin's position in
    ``panel``), ``lead``, ``target`` (the month m+k), ``y`` (an attempt in m+k)."""
    gw, mi = panel["gwcode"].to_numpy(), panel["mi"].to_numpy()
    attempt = panel["attempt"].to_numpy(dtype="float64") > 0
    before = np.concatenate([[0], np.cumsum(attempt)])  # attempts in rows < i
    n = len(panel)
    parts = []
    for lead in range(1, LEADS + 1):
        i = np.arange(n - lead)
        j = i + lead
        # same state, months contiguous, and no attempt in the months in between
        ok = (gw[j] == gw[i]) & (mi[j] - mi[i] == lead) & (before[j] - before[i + 1] == 0)
        i, j = i[ok], j[ok]
        y = attempt[j]
        kept = y | (_keep(gw[i], mi[i], lead, seed) < sample)
        parts.append(pd.DataFrame({"row": i[kept], "lead": lead, "target": mi[j[kept]],
                                   "y": y[kept].astype(np.int8)}))
    return pd.concat(parts, ignore_index=True).sort_values(["target", "row", "lead"],
                                                           kind="mergesort",
                                                           ignore_index=True)


def design(x: pd.DataFrame, rows: np.ndarray, leads: np.ndarray,
           target: np.ndarray) -> pd.DataFrame:
    """Model rows: origin features, the lead, and ``year`` (of the month predicted) that
    the estimators use to hold out the last years of their own window for tuning."""
    out = x.iloc[rows].reset_index(drop=True)
    out["lead"] = leads.astype("float32")
    out["log_lead"] = np.log(leads).astype("float32")
    out["year"] = (target // 12).astype(int)
    return out


class Hazard:
    """Attempt hazard and success model fitted on one training window."""

    def __init__(self, model: str = "logit", seed: int = 0, sample: float = SAMPLE) -> None:
        self.model, self.seed, self.sample = model, seed, sample

    def fit(self, x: pd.DataFrame, panel: pd.DataFrame, rows: pd.DataFrame,
            cutoff: int) -> Hazard:
        """Fit on stacked ``rows`` whose predicted month is <= ``cutoff`` (known by then)."""
        train = rows[rows["target"] <= cutoff]
        X = design(x, train["row"].to_numpy(), train["lead"].to_numpy(),
                   train["target"].to_numpy())
        y = train["y"].to_numpy(dtype=int)
        # attempt months with the features of the month before, for q = P(success | attempt)
        mi, gw = panel["mi"].to_numpy(), panel["gwcode"].to_numpy()
        here = np.flatnonzero((panel["attempt"].to_numpy() > 0) & (mi <= cutoff))
        here = here[(here > 0) & (gw[here - 1] == gw[here]) & (mi[here - 1] == mi[here] - 1)]
        success = x.iloc[here - 1].reset_index(drop=True)
        won = (panel["coup"].to_numpy()[here] > 0).astype(int)
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore")
            self.attempt_ = monthly_models.make(self.model, self.seed).fit(X, y)
            self.success_ = Logit(columns=SUCCESS, Cs=(0.1,)).fit(success, won)
        self.events_, self.rows_ = int(y.sum()), len(y)
        return self

    def predict(self, x: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hazards (len(rows) x 12) for the origins at ``rows`` and q = P(success|attempt)."""
        n = len(rows)
        leads = np.repeat(np.arange(1, LEADS + 1)[None, :], n, axis=0).ravel()
        X = design(x, np.repeat(rows, LEADS), leads, np.zeros(n * LEADS, dtype=int))
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore")
            raw = self.attempt_.predict_proba(X)[:, 1]
            q = self.success_.predict_proba(x.iloc[rows])[:, 1]
        odds = logit(np.clip(raw, 1e-9, 1 - 1e-9)) + np.log(self.sample)
        return expit(odds).reshape(n, LEADS), q


def cumulative(hazards: np.ndarray, horizon: int, q: np.ndarray | None = None) -> np.ndarray:
    """P(at least one event in ``horizon`` months); with ``q``, of a successful coup."""
    h = hazards[:, :horizon] * (1.0 if q is None else q[:, None])
    return 1.0 - np.prod(1.0 - h, axis=1)
