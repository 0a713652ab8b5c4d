"""Models behind one contract (``fit`` / ``predict_proba``), selectable by name.

Names are resolved lazily: scikit-learn and LightGBM take seconds to import, and commands
that only read forecasts (``region``, ``case``, ``sql``) need the version string alone.
"""

from __future__ import annotations

import importlib

from coupwatch.errors import BadInput

MODEL_VERSION = "ensemble-1"
# name -> (module, factory attribute, keyword arguments take the seed)
MODELS = {
    "climatology": ("base", "Climatology", False),
    "history": ("linear", "history_model", False),
    "logit": ("linear", "Logit", False),
    "lgbm": ("trees", "Boosted", True),
    "forest": ("trees", "Forest", True),
    "ensemble": ("ensemble", "Ensemble", True),
}
# Models whose forecasts ``explain`` can decompose into drivers (the default first).
DECOMPOSABLE = ("ensemble", "logit", "lgbm")
_EXPORTS = {"Climatology": "base", "Ensemble": "ensemble", "SuccessModel": "ensemble",
            "split_outcomes": "ensemble", "add_context": "features", "Logit": "linear",
            "history_model": "linear", "Boosted": "trees", "Forest": "trees"}


def make(name: str, seed: int = 0):
    try:
        module, factory, seeded = MODELS[name]
    except KeyError:
        raise BadInput(f"unknown model '{name}' (known: {', '.join(MODELS)})",
                       parameter="model") from None
    build = getattr(importlib.import_module(f"{__name__}.{module}"), factory)
    return build(random_state=seed) if seeded else build()


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = ["DECOMPOSABLE", "MODELS", "MODEL_VERSION", "SuccessModel", "add_context", "make",
           "split_outcomes"]
