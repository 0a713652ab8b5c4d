"""Why a country's risk is what it is: per-feature contributions in plain words, and what-ifs.

Nothing is refitted when the forecast run already stored what is needed: ``coupwatch
forecast`` keeps the target year's fitted members (table ``fitted_members``) and every
country's contributions (``forecast_drivers``, see ``forecasts.drivers``). Otherwise the
members of the target year are fitted once and stored for the next call.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coupwatch import countries, models
from coupwatch.errors import BadInput
from coupwatch.forecasts import drivers as drv
from coupwatch.forecasts import store

# Without a what-if, a stored run answers from two tables: the modelling modules
# (scikit-learn, LightGBM, SciPy: seconds to import) are imported only when needed.


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


def _refuse_left_out(changes: dict[str, float], rows: pd.DataFrame, columns: list[str],
                     target: int) -> None:
    """A what-if on an input the forecast left out would change nothing: say so instead."""
    from coupwatch.forecasts import availability

    gone = set(availability.left_out(rows, columns))
    left = [name for name in changes if name in gone]
    if left:
        raise BadInput(f"{', '.join(left)} was left out of the {target} forecast (no value for "
                       f"any state at the end of {target - 1}): changing it changes nothing",
                       parameter="what-if")


def fitted_members(con, design: pd.DataFrame, target: int, model: str, seed: int) -> dict:
    """The members (and the success model) fitted for ``target``, from the warehouse; fitted
    and stored first if the forecast run did not keep them."""
    from coupwatch.forecasts import rolling
    from coupwatch.forecasts.engine import SUCCESS, load
    from coupwatch.forecasts.service import backtest

    names = [*models.check(model), SUCCESS]
    wanted = [(m, rolling.member_seed(m, seed)) for m in names]
    key = store.data_key(con)
    blobs = store.stored_fits(con, key, target, wanted)
    if len(blobs) < len(wanted):
        backtest(con, design, [target], model=model, seed=seed, keep_year=target)
        blobs = store.stored_fits(con, key, target, wanted)
    return {m: load(blobs[(m, s)]) for m, s in wanted}


def _same_data(con, run_id: str) -> bool:
    import json

    from coupwatch.warehouse.store import data_versions

    rows = con.execute("SELECT data_versions FROM forecast_runs WHERE run_id = ?",
                       [run_id]).fetchall()
    return bool(rows) and json.loads(rows[0][0] or "[]") == data_versions(con)


def from_run(con, country: str, year: int | None = None, *, top: int = 5, seed: int = 0,
             model: str = "ensemble") -> Explanation | None:
    """The explanation the newest matching forecast run stored, or None: reads two tables,
    fits and imports nothing heavy. A run made from other data files than the warehouse
    holds now does not count (its drivers would explain another forecast); one made by
    another version of the code does: it explains the forecast it made."""
    models.check(model)
    got = drv.stored(con, country, year, model=model, seed=seed, n=top)
    if got is None or got["p_attempt"] is None or not _same_data(con, got["run_id"]):
        return None
    target = int(got["year"])
    return Explanation(got["gwcode"], got["country"], target, got["p_attempt"], got["p_coup"],
                       got["p_failed"], got["drivers"].reset_index(drop=True), {})


def explain(con, country: str, year: int | None = None, *, what_if: list[str] | None = None,
            top: int = 5, seed: int = 0, model: str = "ensemble") -> Explanation:
    gwcode = countries.resolve(country)
    if not what_if:
        stored = from_run(con, country, year, top=top, seed=seed, model=model)
        if stored is not None:
            return stored
    from coupwatch.forecasts import rolling
    from coupwatch.forecasts.engine import SUCCESS
    from coupwatch.forecasts.service import backtest, check_year, design_rows, year_range
    from coupwatch.models.base import model_columns
    from coupwatch.models.calibration import Platt

    design = design_rows(con)
    target = year_range(design)[1] if year is None else year
    check_year(design, target)
    row = design[(design["year"] == target) & (design["gwcode"] == gwcode)]
    if row.empty:
        near = countries.named_like(str(country), design.loc[design["year"] == target,
                                                             "gwcode"].unique())
        raise BadInput(f"{countries.gw_name(gwcode)} is not a state in {target}"
                       + (f" (did you mean {' or '.join(near)}?)" if near else ""),
                       parameter="country")
    changes = parse_what_if(what_if or [], model_columns(design))
    _refuse_left_out(changes, design[design["year"] == target], model_columns(design), target)
    frame = backtest(con, design, [target], model=model, seed=seed)
    headline = frame[frame["gwcode"] == gwcode].iloc[0]
    stored = drv.stored(con, country, target, model=model, seed=seed,
                        data_key=store.data_key(con), n=top)
    chosen = stored["drivers"] if stored else None
    fitted, stack = None, None
    if chosen is None or changes:
        fitted = fitted_members(con, design, target, model, seed)
        stack = rolling.stack_at(con, design, target, model, seed)
    if chosen is None:
        members = [fitted[m] for m in models.check(model)]
        parts = drv.contributions(members, stack, row)
        if parts.empty:
            raise BadInput(f"model '{model}' cannot be decomposed into drivers (use "
                           f"{', '.join(models.DECOMPOSABLE)})", parameter="model")
        chosen = drv.top(parts, top)
    out = Explanation(gwcode, countries.gw_name(gwcode), target,
                      float(headline["p_attempt"]), float(headline["p_coup"]),
                      float(headline["p_failed"]), chosen.reset_index(drop=True), changes)
    if changes:
        changed = row.copy()
        for name, value in changes.items():
            changed[name] = value
        raw = rolling.assemble(con, design, [target], model, seed)  # stored fits only
        past = raw[(raw["year"] < target) & raw["observed_attempt"].notna()]
        platt = Platt().fit([], []) if model == "climatology" else \
            Platt().fit(past["p_attempt_raw"], past["observed_attempt"])
        members = [fitted[m] for m in models.check(model)]
        variants = pd.DataFrame([[v for m in members for v in m.predict_variants(changed)[0]]])
        p = float(platt.predict(stack.predict_proba(variants.to_numpy())[:, 1])[0])
        q = float(fitted[SUCCESS].predict_proba(changed)[0, 1])
        out.p_attempt_what_if, out.p_coup_what_if, out.p_failed_what_if = p, p * q, p * (1 - q)
    return out


__all__ = ["Explanation", "explain", "fitted_members", "from_run",
           "parse_what_if"]
