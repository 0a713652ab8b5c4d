"""Model choice by nested evaluation: variants and weights chosen on earlier years only.

For a training window (target years < T), the *inner origins* are the window's last
``INNER_YEARS`` years s, each forecast by members fitted on the years before s. On those
out-of-sample forecasts ``Stack`` picks each member's variant (penalty, number of trees) and
the members' weights; the members are then refitted on the whole window. Nothing from T or
later is looked at. The inner forecasts are exactly the rolling backtest's forecasts of
those years, which is how ``forecasts.service`` gets the same numbers without refitting.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, clone

INNER_YEARS = 8
MIN_TRAIN_YEARS = 20  # an origin needs this many years of outcomes before it
MIN_EVENTS = 10  # fewer events in the inner years: keep default variants and equal weights
WEIGHT_STEP = 0.1


def inner_origins(target: int, first_known: int, inner_years: int = INNER_YEARS) -> list[int]:
    """Years whose out-of-sample forecasts choose the model used for ``target``."""
    start = max(target - inner_years, first_known + MIN_TRAIN_YEARS)
    return list(range(start, target))


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _simplex(members: int, step: float) -> list[np.ndarray]:
    ticks = round(1 / step)
    return [np.array(c) / ticks for c in itertools.product(range(ticks + 1), repeat=members)
            if sum(c) == ticks]


class Stack(ClassifierMixin, BaseEstimator):
    """A weighted pool of member forecasts in log-odds, fitted on out-of-sample forecasts.

    ``fit(V, y)``: ``V`` holds one column per member variant (``groups[i]`` lists member i's
    columns, ``defaults[i]`` its default variant). Each member's variant is the one with the
    lowest log-loss. ``weights="equal"`` pools the members equally; ``"search"`` takes the
    weights on a grid of the simplex that minimise the pool's log-loss (on 1990-2010 this
    ranked worse than equal weights: a few dozen events cannot pin weights down). Pooling
    log-odds keeps drivers additive: the pool's log-odds are the weighted sum of the members'.
    With fewer than ``min_events`` events: default variants, equal weights.
    """

    def __init__(self, groups: list[list[int]], defaults: list[int], weights: str = "equal",
                 step: float = WEIGHT_STEP, min_events: int = MIN_EVENTS) -> None:
        self.groups = groups
        self.defaults = defaults
        self.weights = weights
        self.step = step
        self.min_events = min_events

    def fit(self, V, y) -> Stack:
        V, y = np.asarray(V, dtype=float), np.asarray(y, dtype=float)
        self.picks_ = [g[d] for g, d in zip(self.groups, self.defaults, strict=True)]
        self.weights_ = np.full(len(self.groups), 1 / len(self.groups))
        if len(y) and self.min_events <= y.sum() < len(y):
            self.picks_ = [g[int(np.argmin([_log_loss(y, V[:, c]) for c in g]))]
                           for g in self.groups]
            if self.weights == "search" and len(self.groups) > 1:
                z = logit(np.clip(V[:, self.picks_], 1e-6, 1 - 1e-6))
                losses = [(_log_loss(y, expit(z @ w)), i) for i, w in
                          enumerate(_simplex(len(self.groups), self.step))]
                self.weights_ = _simplex(len(self.groups), self.step)[min(losses)[1]]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, V) -> np.ndarray:
        z = logit(np.clip(np.asarray(V, dtype=float)[:, self.picks_], 1e-6, 1 - 1e-6))
        p = expit(z @ self.weights_)
        return np.column_stack([1 - p, p])


def stack_for(members: list, weights: str = "equal") -> Stack:
    """A ``Stack`` over the fitted (or template) ``members`` named ``names``."""
    groups, defaults, offset = [], [], 0
    for member in members:
        count = len(member.variant_names())
        groups.append(list(range(offset, offset + count)))
        defaults.append(min(getattr(member, "pick", 0), count - 1))
        offset += count
    return Stack(groups=groups, defaults=defaults, weights=weights)


def columns(members: list, names: list[str]) -> list[str]:
    """``member:variant`` column names, in the order of ``Stack``'s columns."""
    return [f"{name}:{v}" for member, name in zip(members, names, strict=True)
            for v in member.variant_names()]


class Nested(ClassifierMixin, BaseEstimator):
    """Members whose variants and weights are chosen by an inner rolling evaluation.

    ``fit`` refits the members at each inner origin (self-contained and slow: ``service``
    reuses the rolling backtest's fits instead, with identical results).
    """

    def __init__(self, members: tuple[str, ...] = ("logit", "lgbm", "forest"),
                 weights: str = "equal", inner_years: int = INNER_YEARS,
                 random_state: int = 0) -> None:
        self.members = members
        self.weights = weights
        self.inner_years = inner_years
        self.random_state = random_state

    def _templates(self) -> list:
        from coupwatch.models import make_member

        return [make_member(m, self.random_state) for m in self.members]

    def fit(self, X: pd.DataFrame, y) -> Nested:
        y = np.asarray(y, dtype=int)
        years = X["year"].to_numpy()
        templates = self._templates()
        self.stack_ = stack_for(templates, self.weights)
        rows, outcomes = [], []
        if sum(len(t.variant_names()) for t in templates) > 1:
            for origin in inner_origins(int(years.max()) + 1, int(years.min()),
                                        self.inner_years):
                before, now = years < origin, years == origin
                fitted = [clone(t).fit(X[before], y[before]) for t in templates]
                rows.append(np.column_stack([f.predict_variants(X[now]) for f in fitted]))
                outcomes.append(y[now])
        width = sum(len(t.variant_names()) for t in templates)
        V = np.vstack(rows) if rows else np.empty((0, width))
        self.stack_.fit(V, np.concatenate(outcomes) if outcomes else np.empty(0))
        self.members_ = [clone(t).fit(X, y) for t in templates]
        self.classes_ = np.array([0, 1])
        return self

    def predict_variants(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([m.predict_variants(X) for m in self.members_])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.stack_.predict_proba(self.predict_variants(X))
