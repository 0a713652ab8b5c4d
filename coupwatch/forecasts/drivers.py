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

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.catalog import describe
from coupwatch.forecasts.store import latest_run_sql


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
    matching = f"(SELECT * FROM forecast_runs WHERE {' AND '.join(where)})"
    rows = con.execute(f"SELECT run_id, target_year, model, seed, data_key FROM "
                       f"({latest_run_sql(matching)})", params).fetchall()
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
