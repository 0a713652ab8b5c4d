"""Drivers of a forecast: per-feature contributions in log-odds, stored with the forecast
run, and described in plain words.

A model pools its members' log-odds with weights (``models.nested.Stack``), so its log-odds
are the weighted sum of the members': the drivers are the weighted sum of the members'
contributions -- coefficient x standardized value for the logistic model, TreeSHAP values
(computed by LightGBM) for the boosted trees. The forest's share is not decomposed (its SHAP
values are slow to compute). ``coupwatch forecast`` stores every country's contributions
(table ``forecast_drivers``), so ``stored`` reads them back without scikit-learn,
LightGBM or shap.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from coupwatch import countries
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


def contributions(fitted: list, stack, rows: pd.DataFrame) -> pd.DataFrame:
    """Long ``gwcode, feature, value, contribution`` for ``rows`` (empty if no member of the
    model can be decomposed)."""
    parts = []
    for index, (member, group) in enumerate(zip(fitted, stack.groups, strict=True)):
        weight = stack.weights_[index]
        if hasattr(member, "contributions") and weight > 0:
            parts.append(weight * member.contributions(rows, stack.picks_[index] - group[0]))
    if not parts:
        return pd.DataFrame(columns=["gwcode", "feature", "value", "contribution"])
    features = sorted(set().union(*(part.columns for part in parts)))
    total = sum(part.reindex(columns=features, fill_value=0.0) for part in parts)
    total["gwcode"] = rows["gwcode"].to_numpy()
    out = total.melt(id_vars="gwcode", var_name="feature", value_name="contribution")
    values = rows.set_index("gwcode").reindex(columns=features)
    out["value"] = [float(values.at[g, f]) for g, f in zip(out["gwcode"], out["feature"],
                                                            strict=True)]
    return out[["gwcode", "feature", "value", "contribution"]]


def top(frame: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` largest contributions each way, with direction and plain words."""
    frame = frame[frame["contribution"] != 0]
    up = frame[frame["contribution"] > 0].nlargest(n, "contribution")
    down = frame[frame["contribution"] < 0].nsmallest(n, "contribution")
    chosen = pd.concat([up, down], ignore_index=True)
    chosen["direction"] = np.where(chosen["contribution"] > 0, "raises", "lowers")
    chosen["text"] = [describe(f, v) for f, v in zip(chosen["feature"], chosen["value"],
                                                     strict=True)]
    return chosen[["direction", "feature", "value", "contribution", "text"]]


def save(con, run_id: str, frame: pd.DataFrame) -> None:
    from coupwatch.warehouse.store import transaction

    with transaction(con, incoming=frame.assign(run_id=run_id)):
        con.execute("""INSERT INTO forecast_drivers SELECT run_id, gwcode, feature, value,
                       contribution FROM incoming""")


def newest_run(con, year: int | None = None, model: str | None = None,
               seed: int | None = None, data_key: str | None = None) -> dict | None:
    """The newest forecast run with stored drivers matching what is given."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not {"forecast_runs", "forecast_drivers"} <= tables:
        return None
    where, params = ["run_id IN (SELECT DISTINCT run_id FROM forecast_drivers)"], []
    for column, value in (("target_year", year), ("model", model), ("seed", seed),
                          ("data_key", data_key)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = con.execute(f"""SELECT run_id, target_year, model, seed, data_key FROM forecast_runs
                           WHERE {' AND '.join(where)} ORDER BY created_at DESC LIMIT 1""",
                       params).fetchall()
    if not rows:
        return None
    return dict(zip(("run_id", "year", "model", "seed", "data_key"), rows[0], strict=True))


def stored(con, country: str, year: int | None = None, *, model: str | None = None,
           seed: int | None = None, data_key: str | None = None, n: int = 5) -> dict | None:
    """A country's drivers as stored by the newest matching forecast run (None if there is
    none): ``run_id``, ``year``, ``model``, ``gwcode``, ``country``, the run's ``p_attempt``,
    ``p_coup`` and ``p_failed`` (None if the country is not in the run) and ``drivers`` (top
    ``n`` each way, as from ``top``). Reads the warehouse only: nothing is fitted or
    imported."""
    gwcode = countries.resolve(country)
    run = newest_run(con, year, model, seed, data_key)
    if run is None:
        return None
    frame = con.execute("""SELECT gwcode, feature, value, contribution FROM forecast_drivers
                           WHERE run_id = ? AND gwcode = ?""", [run["run_id"], gwcode]).df()
    risk = con.execute("""SELECT p_attempt, p_coup, p_failed FROM forecasts WHERE run_id = ?
                          AND gwcode = ?""", [run["run_id"], gwcode]).fetchall()
    p_attempt, p_coup, p_failed = risk[0] if risk else (None, None, None)
    return {**run, "gwcode": gwcode, "country": countries.gw_name(gwcode),
            "p_attempt": p_attempt, "p_coup": p_coup, "p_failed": p_failed,
            "drivers": top(frame, n)}
