"""Models behind one contract (``fit`` / ``predict_proba``), selectable by name."""

from __future__ import annotations

from coupwatch.errors import BadInput
from coupwatch.models.base import Climatology
from coupwatch.models.ensemble import Ensemble, SuccessModel, split_outcomes
from coupwatch.models.features import add_context
from coupwatch.models.linear import Logit, history_model
from coupwatch.models.trees import Boosted, Forest

MODELS = {
    "climatology": lambda seed: Climatology(),
    "history": lambda seed: history_model(),
    "logit": lambda seed: Logit(),
    "lgbm": lambda seed: Boosted(random_state=seed),
    "forest": lambda seed: Forest(random_state=seed),
    "ensemble": lambda seed: Ensemble(random_state=seed),
}
MODEL_VERSION = "ensemble-1"


def make(name: str, seed: int = 0):
    try:
        return MODELS[name](seed)
    except KeyError:
        raise BadInput(f"unknown model '{name}' (known: {', '.join(MODELS)})",
                       parameter="model") from None


__all__ = ["MODELS", "MODEL_VERSION", "SuccessModel", "add_context", "make", "split_outcomes"]
