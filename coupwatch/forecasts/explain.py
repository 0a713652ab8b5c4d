"""Why a country's risk is what it is: per-feature contributions in plain words, and what-ifs.

Contributions are in log-odds: SHAP values (``shap.TreeExplainer``) of the boosted trees and
coefficient x standardized value of the logistic model, averaged. The forest, the third
member of the ensemble, is not decomposed (its SHAP values are slow to compute); the
drivers therefore describe two of the three members.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coupwatch import countries
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
from coupwatch.panel.spec import CATEGORIES, FEATURES, GLOBAL

ABOUT = {f.column: f.about for f in (*FEATURES, *GLOBAL)}
ABOUT.update({
    "subregion_attempts_1y": "coup attempts elsewhere in the UN subregion last year",
    "subregion_attempts_3y": "coup attempts elsewhere in the UN subregion, past 3 years",
    "subregion_attempts_5y": "coup attempts elsewhere in the UN subregion, past 5 years",
    "au_region_attempts_1y": "coup attempts elsewhere in the AU region last year",
    "au_region_attempts_3y": "coup attempts elsewhere in the AU region, past 3 years",
    "au_region_attempts_5y": "coup attempts elsewhere in the AU region, past 5 years",
    "world_attempts_1y": "coup attempts worldwide last year",
    "world_attempts_3y": "coup attempts worldwide, past 3 years",
    "world_attempts_5y": "coup attempts worldwide, past 5 years",
})


def _years(v: float, what: str) -> str:
    return f"no {what} for {v:.0f} years" if v >= 1 else f"a {what} in the latest year"


PHRASES = {
    "years_since_attempt": lambda v: _years(v, "coup attempt"),
    "years_since_coup": lambda v: _years(v, "successful coup"),
    "years_since_failed": lambda v: _years(v, "failed coup attempt"),
    "attempts_5y": lambda v: f"{v:.0f} coup attempt(s) in the past 5 years",
    "attempts_10y": lambda v: f"{v:.0f} coup attempt(s) in the past 10 years",
    "coups_5y": lambda v: f"{v:.0f} successful coup(s) in the past 5 years",
    "coups_10y": lambda v: f"{v:.0f} successful coup(s) in the past 10 years",
    "gdp_pc_growth": lambda v: f"GDP per capita growth {v:+.1f} %",
    "gdp_growth": lambda v: f"GDP growth {v:+.1f} %",
    "gdp_pc": lambda v: f"GDP per capita US$ {v:,.0f} (constant)",
    "pop": lambda v: f"population {v / 1000:,.1f} million",
    "infmort": lambda v: f"infant mortality {v:.0f} per 1,000 live births",
    "leader_tenure": lambda v: f"leader in office for {v:.0f} years",
    "leader_military": lambda v: ("leader has a military background" if v >= 0.5
                                  else "civilian leader"),
    "state_age": lambda v: f"independent (in the state system) for {v:.0f} years",
    "years_since_election": lambda v: f"{v:.0f} years since the last national vote",
    "any_conflict": lambda v: "armed conflict under way" if v else "no armed conflict",
    "milex_gdp": lambda v: f"military spending {v:.1f} % of GDP",
}


def describe(feature: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{ABOUT.get(feature, feature)}: no data"
    if feature in PHRASES:
        return PHRASES[feature](value)
    for category in CATEGORIES:
        if feature.startswith(category.column + "_"):
            kind = feature[len(category.column) + 1:].replace("_", " ")
            return f"{category.about}: {'' if value >= 0.5 else 'not '}{kind}"
    about = ABOUT.get(feature, feature.replace("_", " "))
    return f"{about}: {value:.3g}"


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
                           if near else ""), parameter="what-if")
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
