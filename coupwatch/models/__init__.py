"""Models behind one contract (``fit`` / ``predict_proba``), selectable by name.

Names are resolved lazily: scikit-learn and LightGBM take seconds to import, and commands
that only read forecasts (``region``, ``case``, ``sql``) need the version string alone.
"""

from __future__ import annotations

import importlib

from coupwatch.errors import BadInput

MODEL_VERSION = "nested-2"
# member name -> (module, factory attribute, whether it takes the seed)
MEMBERS = {
    "climatology": ("base", "Climatology", False),
    "history": ("linear", "history_model", False),
    "logit": ("linear", "Logit", False),
    "lgbm": ("trees", "Boosted", True),
    "forest": ("trees", "Forest", True),
}
# model name -> the members it combines (variants and weights chosen by models.nested)
MODELS = {
    "climatology": ("climatology",),
    "history": ("history",),
    "logit": ("logit",),
    "lgbm": ("lgbm",),
    "forest": ("forest",),
    "ensemble": ("logit", "lgbm", "forest"),
    "stacked": ("logit", "lgbm", "forest"),
}
WEIGHTS = {"stacked": "search"}  # how members are weighted (default: equally)
# Models whose forecasts ``explain`` can decompose into drivers (the default first): those
# with a logistic or boosted-tree member.
DECOMPOSABLE = ("ensemble", "stacked", "logit", "lgbm")
_EXPORTS = {"Climatology": "base", "Nested": "nested", "SuccessModel": "success",
            "split_outcomes": "success", "add_context": "features", "Logit": "linear",
            "history_model": "linear", "Boosted": "trees", "Forest": "trees"}


def check(name: str) -> tuple[str, ...]:
    """The members of model ``name``; an unknown name is bad input."""
    try:
        return MODELS[name]
    except KeyError:
        raise BadInput(f"unknown model '{name}' (known: {', '.join(MODELS)})",
                       parameter="model") from None


def seeded(member: str) -> bool:
    """Whether a member's fit depends on the seed (others are stored once, as seed 0)."""
    return MEMBERS[member][2]


def make_member(name: str, seed: int = 0):
    module, factory, takes_seed = MEMBERS[name]
    build = getattr(importlib.import_module(f"{__name__}.{module}"), factory)
    return build(random_state=seed) if takes_seed else build()


def make(name: str, seed: int = 0):
    """Model ``name``: its members, with variants and weights chosen by inner evaluation."""
    from coupwatch.models.nested import Nested

    return Nested(members=check(name), weights=WEIGHTS.get(name, "equal"), random_state=seed)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = ["DECOMPOSABLE", "MEMBERS", "MODELS", "MODEL_VERSION", "WEIGHTS", "SuccessModel",
           "add_context", "check", "make", "make_member", "seeded", "split_outcomes"]
