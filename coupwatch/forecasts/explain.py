"""Why a country's risk is what it is: per-feature contributions in plain words, and what-ifs.

Contributions are in log-odds: SHAP values (``shap.TreeExplainer``) of the boosted trees and
coefficient x standardized value of the logistic model, averaged. The forest, the third
member of the ensemble, is not decomposed (its SHAP values are slow to compute); the
drivers therefore describe two of the three members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.catalog import describe
from coupwatch.errors import BadInput
from coupwatch.forecasts.engine import fit_predict, training_rows
from coupwatch.forecasts.service import (
    backtest,
    calibration_for,
    check_year,
    design_rows,
    year_range,
)
from coupwatch.models.base import model_columns


@dataclass
class Explanation:
    gwcode: int
    country: str
    year: int
    p_attempt: float
    p_coup: float
    p_failed: float
    drivers: pd.DataFrame  # feature, value, contribution, text
    what_if: dict[str, float]
    p_attempt_what_if: float | None = None
    p_coup_what_if: float | None = None
    p_failed_what_if: float | None = None


def parse_what_if(items: list[str], columns: list[str]) -> dict[str, float]:
    changes = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise BadInput(f"'{item}' is not feature=value", parameter="what-if")
        if name not in columns:
            near = [c for c in columns if name.lower() in c.lower()][:5]
            raise BadInput(f"unknown feature '{name}'" + (f" (did you mean {', '.join(near)}?)"
                           if near else "; `coupwatch explain --features` lists them"),
                           parameter="what-if")
        try:
            changes[name] = float(value)
        except ValueError:
            raise BadInput(f"'{value}' is not a number for {name}", parameter="what-if") \
                from None
    return changes


def _members(model) -> list:
    """The fitted models that can decompose a forecast (logistic and boosted trees)."""
    inner = getattr(model, "members_", [model])
    return [m for m in inner if hasattr(m, "contributions")]


def explain(con, country: str, year: int | None = None, *, what_if: list[str] | None = None,
            top: int = 5, seed: int = 0, model: str = "ensemble") -> Explanation:
    gwcode = countries.resolve(country)
    design = design_rows(con)
    target = year_range(design)[1] if year is None else year
    check_year(design, target)
    row = design[(design["year"] == target) & (design["gwcode"] == gwcode)]
    if row.empty:
        raise BadInput(f"{countries.gw_name(gwcode)} is not a state in {target}",
                       parameter="country")
    changes = parse_what_if(what_if or [], model_columns(design))
    headline = backtest(con, design, [target], model=model, seed=seed)
    headline = headline[headline["gwcode"] == gwcode].iloc[0]
    platt = calibration_for(con, design, target, model=model, seed=seed)
    _, fitted = fit_predict(training_rows(design, target), row, model, seed)
    ensemble = fitted["attempt"]
    parts = [m.contributions(row) for m in _members(ensemble)]
    if not parts:
        raise BadInput(f"model '{model}' cannot be decomposed into drivers (use ensemble, "
                       "logit or lgbm)", parameter="model")
    features = sorted(set().union(*(part.columns for part in parts)))
    contribution = np.mean([p.reindex(columns=features, fill_value=0.0).iloc[0].to_numpy()
                            for p in parts], axis=0)
    values = row.iloc[0]
    drivers = pd.DataFrame({"feature": features, "contribution": contribution})
    drivers["value"] = [values.get(f, np.nan) for f in features]
    drivers = drivers[drivers["contribution"] != 0]
    up = drivers[drivers["contribution"] > 0].nlargest(top, "contribution")
    down = drivers[drivers["contribution"] < 0].nsmallest(top, "contribution")
    chosen = pd.concat([up, down], ignore_index=True)
    chosen["direction"] = np.where(chosen["contribution"] > 0, "raises", "lowers")
    chosen["text"] = [describe(f, v) for f, v in zip(chosen["feature"], chosen["value"],
                                                     strict=True)]
    out = Explanation(gwcode, countries.gw_name(gwcode), target,
                      float(headline["p_attempt"]), float(headline["p_coup"]),
                      float(headline["p_failed"]),
                      chosen[["direction", "feature", "value", "contribution", "text"]],
                      changes)
    if changes:
        changed = row.copy()
        for name, value in changes.items():
            changed[name] = value
        p = float(platt.predict(ensemble.predict_proba(changed)[:, 1])[0])
        q = float(fitted["success"].predict_proba(changed)[0, 1])
        out.p_attempt_what_if, out.p_coup_what_if, out.p_failed_what_if = p, p * q, p * (1 - q)
    return out
