"""The estimators of the monthly hazard: the project's models (``coupwatch.models``) with
settings for the stacked monthly rows, on a fixed set of features chosen before any
monthly backtest was scored (validated on origins 2001-2010 only).

Left out of the annual panel's columns: REIGN's country-year variables and the leader and
election values the dated records give by month, GWF regime dummies (the REIGN government
type is kept for the types theory links to coups), ICT, oil, military spending, the yearly
changes of V-Dem indices, and counts of failed attempts (in the attempt counts already).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from coupwatch.errors import BadInput
from coupwatch.models import Climatology
from coupwatch.models.linear import Logit
from coupwatch.models.trees import Boosted, Forest

DROP_PREFIXES = ("regime_", "reign_", "gov_", "milex", "internet", "mobile", "oil",
                 "faileds_", "log_leader_tenure", "leader_age", "leader_military",
                 "log_years_since_election", "infmort_yearadj", "log_infmort_yearadj")
KEEP = ("log_regime_duration", "reign_delayed", "reign_anticipation", "reign_election_recent",
        "gov_dominant_party", "gov_indirect_military", "gov_military",
        "gov_military_personal", "gov_monarchy", "gov_parliamentary_democracy",
        "gov_personal_dictatorship", "gov_presidential_democracy", "gov_provisional_military")
VDEM = ("v2x_veracc_osp", "v2xcs_ccsi", "v2xcl_rol", "v2x_freexp_altinf", "v2x_horacc_osp",
        "v2x_pubcorr")


def columns(x: pd.DataFrame) -> list[str]:
    """The model's features among the columns of ``hazard.features``."""
    out = []
    for name in x.columns:
        if name.startswith("v2x"):
            if name in VDEM:
                out.append(name)
        elif name in KEEP or not name.startswith(DROP_PREFIXES):
            out.append(name)
    return out


class Mean(ClassifierMixin, BaseEstimator):
    """The mean of the members' probabilities. The monthly rows are many and the windows
    long, so one fixed variant per member (chosen on origins 2001-2010) stands in for the
    annual model's nested choice, which would refit every member at each inner origin."""

    def __init__(self, members: list | None = None) -> None:
        self.members = members

    def fit(self, X: pd.DataFrame, y) -> Mean:
        self.members_ = [clone(m).fit(X, y) for m in self.members]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.mean([m.predict_proba(X)[:, 1] for m in self.members_], axis=0)
        return np.column_stack([1 - p, p])


def _logit(seed: int) -> Logit:
    return Logit(Cs=(0.03,))


def _boosted(seed: int) -> Boosted:
    return Boosted(learning_rate=0.05, rounds=(300,), pick=0, random_state=seed)


def _forest(seed: int) -> Forest:
    return Forest(n_estimators=100, random_state=seed)


MODELS = {
    "climatology": lambda seed: Climatology(),
    "logit": _logit,
    "lgbm": _boosted,
    "forest": _forest,
    "ensemble": lambda seed: Mean(members=[_logit(seed), _boosted(seed), _forest(seed)]),
}
DEFAULT = "ensemble"


def make(name: str, seed: int = 0):
    try:
        return MODELS[name](seed)
    except KeyError:
        raise BadInput(f"unknown monthly model '{name}' (known: {', '.join(MODELS)})",
                       parameter="model") from None
