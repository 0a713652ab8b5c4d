"""Monthly early warning end to end: the rolling backtest (refitted each January), the live
forecast from the newest month, and a country's risk history.

Origins are month ends. The model for the origins of year Y is fitted once, on the stacked
rows whose predicted month is December of Y-1 or earlier (a lead-k row of origin m is used
only once m + k has passed), and applied to the features of each origin. Refits of
different years are independent and run in parallel (``forecasts.runner``: joblib, or dask);
results are put together in year order, so the output never depends on the workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from coupwatch import catalog, regions, validate
from coupwatch.errors import BadInput, EmptyWarehouse
from coupwatch.forecasts import (
    availability,
    hazard,
    monthly_models,
    monthly_store,
    ranking,
    runner,
)
from coupwatch.panel import monthly as monthly_panel
from coupwatch.panel.months import label

FIRST_YEAR = 1970  # twenty years of outcomes before the first refit, as the annual backtest
OUTCOMES = ("attempt", "coup")
COLUMNS = ["gwcode", "iso3", "country", "year", "month", "horizon", "outcome", "observed", "p",
           "model"]


@dataclass
class Data:
    panel: pd.DataFrame
    x: pd.DataFrame
    last: int  # the newest month of data: the last the coup events cover

    def origins(self, first: int, last: int) -> np.ndarray:
        mi = self.panel["mi"].to_numpy()
        return np.flatnonzero((mi >= first) & (mi <= last))


def prepare(con: duckdb.DuckDBPyConnection) -> Data:
    if con.execute("SELECT count(*) FROM provenance").fetchall()[0][0] == 0:
        raise EmptyWarehouse()
    panel = monthly_panel.build(con)
    return Data(panel, hazard.features(panel), int(panel.attrs["last_month"]))


def check(horizon: int, outcome: str, model: str) -> None:
    if horizon not in hazard.HORIZONS:
        raise BadInput(f"horizon {horizon} is not one of {', '.join(map(str, hazard.HORIZONS))}"
                       " (months)", parameter="horizon")
    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome '{outcome}' (attempt or coup)", parameter="outcome")
    monthly_models.make(model)


def _core(panel: pd.DataFrame) -> pd.DataFrame:
    return panel[["gwcode", "mi", "attempt", "coup"]]


def _fit_year(x: pd.DataFrame, core: pd.DataFrame, rows: pd.DataFrame, year: int,
              last: int, model: str, seed: int) -> pd.DataFrame:
    """Hazards for every origin of ``year`` from a model of outcomes through December Y-1,
    fitted once for each set of inputs the year's origins have values for (a source that
    runs out in the year splits it: ``availability``)."""
    mi = core["mi"].to_numpy()
    at = np.flatnonzero((mi // 12 == year) & (mi <= last))
    groups: dict[tuple[str, ...], list[int]] = {}
    for origin in sorted(set(mi[at])):
        here = at[mi[at] == origin]
        groups.setdefault(tuple(availability.left_out(x.iloc[here], list(x.columns))),
                          []).extend(here)
    parts = []
    for drop, where in groups.items():
        known = x.drop(columns=list(drop))
        fitted = hazard.Hazard(model, seed).fit(known, core, rows, cutoff=year * 12 - 1)
        rows_at = np.asarray(sorted(where))
        h, q = fitted.predict(known, rows_at)
        part = pd.DataFrame(h, columns=monthly_store.HAZARDS)
        part.insert(0, "gwcode", core["gwcode"].to_numpy()[rows_at])
        part.insert(0, "origin", mi[rows_at])
        part["q"] = q
        parts.append(part)
    return pd.concat(parts, ignore_index=True).sort_values(["origin", "gwcode"]) \
        .reset_index(drop=True)


def _fit_shared(shared: tuple, year: int, model: str, seed: int) -> pd.DataFrame:
    x, core, rows, last = shared
    return _fit_year(x, core, rows, year, last, model, seed)


def backtest(con: duckdb.DuckDBPyConnection, data: Data, first: int, last: int, *,
             model: str = monthly_models.DEFAULT, seed: int = 0, workers: int | None = None,
             backend: str = "local", scheduler: str | None = None,
             progress: Callable[[str | None, int], None] | None = None) -> pd.DataFrame:
    """Hazards and q for every state at every origin month in [first, last], cached."""
    key = monthly_store.data_key(con)
    wanted = sorted({int(m) for m in data.panel["mi"].to_numpy()[data.origins(first, last)]})
    have = monthly_store.cached(con, key, model, seed, wanted)
    years = sorted({m // 12 for m in set(wanted) - set(have["origin"])})
    fresh = []
    if years:
        shared = (data.x, _core(data.panel), hazard.stack(data.panel, seed), data.last)
        if progress:
            progress(None, len(years))
        fresh = runner.run(_fit_shared, [(y, model, seed) for y in years], backend=backend,
                           workers=workers, scheduler=scheduler, shared=shared,
                           on_result=lambda i, _: progress and progress(f"{model} {years[i]}",
                                                                      len(years)))
        monthly_store.save(con, key, model, seed, pd.concat(fresh, ignore_index=True))
    frame = pd.concat([have, *fresh], ignore_index=True)
    frame = frame[frame["origin"].isin(wanted)]
    return frame.sort_values(["origin", "gwcode"]).reset_index(drop=True)


def probabilities(frame: pd.DataFrame, horizon: int, outcome: str) -> np.ndarray:
    hazards = frame[monthly_store.HAZARDS].to_numpy()
    q = frame["q"].to_numpy() if outcome == "coup" else None
    return hazard.cumulative(hazards, horizon, q)


def observed(data: Data, gwcodes: np.ndarray, origins: np.ndarray, horizon: int,
             outcome: str) -> np.ndarray:
    """1 if the state had an event in the ``horizon`` months after the origin (NaN: the
    window runs past the coup data)."""
    panel = data.panel
    lookup = pd.Series(panel[outcome].to_numpy(dtype="float64"),
                       index=panel["gwcode"].to_numpy() * 100_000 + panel["mi"].to_numpy())
    out = np.zeros(len(origins))
    for lead in range(1, horizon + 1):
        value = lookup.reindex(gwcodes * 100_000 + origins + lead).to_numpy()
        out = np.fmax(out, np.nan_to_num(value))
    return np.where(origins + horizon <= data.last, out, np.nan)


def published(data: Data, frame: pd.DataFrame, horizon: int, outcome: str,
              model: str) -> pd.DataFrame:
    """The backtest file: one row per state and origin month."""
    names = data.panel.drop_duplicates("gwcode").set_index("gwcode")[["iso3", "country"]]
    origin, codes = frame["origin"].to_numpy(), frame["gwcode"].to_numpy()
    out = pd.DataFrame({"gwcode": codes, "iso3": names["iso3"].reindex(codes).to_numpy(),
                        "country": names["country"].reindex(codes).to_numpy(),
                        "year": origin // 12, "month": origin % 12 + 1})
    out["horizon"], out["outcome"] = horizon, outcome
    out["observed"] = pd.array(observed(data, codes, origin, horizon, outcome), dtype="Int64")
    out["p"] = probabilities(frame, horizon, outcome)
    out["model"] = model
    return out[COLUMNS]


def origin_range(data: Data, start: int, end: int, horizon: int) -> tuple[int, int]:
    """Origins of years start..end whose whole window the coup data cover."""
    newest = (data.last - horizon) // 12
    if not FIRST_YEAR <= start <= end <= newest:
        raise BadInput(f"years must satisfy {FIRST_YEAR} <= start <= end <= {newest} (coup "
                       f"events end {label(data.last)}; a {horizon}-month window must close "
                       "by then)", parameter="from" if start < FIRST_YEAR or start > end
                       else "to")
    return start * 12, min(end * 12 + 11, data.last - horizon)


def forecast(con: duckdb.DuckDBPyConnection, *, model: str = monthly_models.DEFAULT,
             seed: int = 0, save: bool = True, origin: int | None = None,
             ) -> tuple[pd.DataFrame, str | None]:
    """States ranked by P(attempt in the 3 months after the origin), with the 1-, 6- and
    12-month risks and the change since the month before.

    The origin is the newest month of data (the last the coup events cover: November 2022
    for V2022.11.29) unless ``origin`` (a month index, ``year * 12 + month - 1``) asks for
    the forecast as it would have been issued at the end of an earlier month. The model is
    fitted on everything known by the origin; the previous month's risk comes from the same
    model, so the change shows what the month's events moved, not a refit.
    """
    data = prepare(con)
    origin = data.last if origin is None else int(origin)
    if not FIRST_YEAR * 12 <= origin <= data.last:
        raise BadInput(f"origin {label(origin)} is outside {FIRST_YEAR}-01 to "
                       f"{label(data.last)}", parameter="origin")
    rows = hazard.stack(data.panel, seed)
    here = np.flatnonzero(data.panel["mi"].to_numpy() == origin)
    drop = availability.left_out(data.x.iloc[here], list(data.x.columns))
    known = Data(**{**vars(data), "x": data.x.drop(columns=drop)})
    fitted = hazard.Hazard(model, seed).fit(known.x, _core(data.panel), rows, origin)
    frame = _ranked(known, fitted, origin)
    frame.attrs["left_out"] = [{"feature": c, "label": catalog.label(c.removeprefix("log_")),
                                "source": catalog.get(c.removeprefix("log_")).source,
                                "reason": f"no value for any state at the end of "
                                          f"{label(origin)}"} for c in drop]
    run_id = monthly_store.save_run(con, frame, origin=origin, model=model, seed=seed) \
        if save else None
    return frame, run_id


def _ranked(data: Data, fitted: hazard.Hazard, origin: int) -> pd.DataFrame:
    panel = data.panel
    now = np.flatnonzero(panel["mi"].to_numpy() == origin)
    before = np.flatnonzero(panel["mi"].to_numpy() == origin - 1)
    h, q = fitted.predict(data.x, now)
    out = panel.iloc[now][["gwcode", "iso3", "country", "year", "month"]].reset_index(
        drop=True)
    for horizon in hazard.HORIZONS:
        out[f"p_attempt_{horizon}m"] = hazard.cumulative(h, horizon)
    for horizon in hazard.HORIZONS:
        out[f"p_coup_{horizon}m"] = hazard.cumulative(h, horizon, q)
    hb, _ = fitted.predict(data.x, before)
    previous = pd.Series(hazard.cumulative(hb, 3), index=panel["gwcode"].to_numpy()[before])
    out["p_attempt_3m_previous"] = out["gwcode"].map(previous)
    out["change_3m"] = out["p_attempt_3m"] - out["p_attempt_3m_previous"]
    out = out.sort_values("gwcode").reset_index(drop=True)
    out["rank"] = ranking.rank(out["p_attempt_3m"])
    out["region"] = out["gwcode"].map(regions.label)
    return out.sort_values("rank")[monthly_store.FORECAST_COLUMNS].reset_index(drop=True)


def watchlist(frame: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The largest rises of the 3-month risk since the previous month."""
    rises = frame[frame["change_3m"] > 0].sort_values(["change_3m", "gwcode"],
                                                      ascending=[False, True])
    return rises.head(top).reset_index(drop=True)


def history(con: duckdb.DuckDBPyConnection, country: str | int, *, horizon: int = 3,
            outcome: str = "attempt", start: int = 2011, end: int | None = None,
            model: str = monthly_models.DEFAULT, seed: int = 0, workers: int | None = None,
            ) -> pd.DataFrame:
    """A country's monthly risk from the stored backtest (computed and stored first where
    missing): one row per origin month, ``p`` beside what happened (``observed`` is empty
    where the window runs past the coup data)."""
    from coupwatch import countries

    check(horizon, outcome, model)
    code = countries.resolve(country)
    data = prepare(con)
    newest = data.last // 12
    end = newest if end is None else end
    validate.year_span(start, end, FIRST_YEAR, newest)
    frame = backtest(con, data, start * 12, min(end * 12 + 11, data.last), model=model,
                     seed=seed, workers=workers)
    frame = frame[frame["gwcode"] == code]
    if frame.empty:
        raise BadInput(f"no G&W state {code} in {start}-{end}", parameter="country")
    return published(data, frame, horizon, outcome, model).reset_index(drop=True)
