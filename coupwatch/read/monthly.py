"""The monthly early warning as the interfaces show it: the newest monthly run ranked by any
of its horizons, and a country's monthly risk line (the stored out-of-sample backtest, then
the run's own point) beside its coup events.

Everything comes from the published views (``monthly_runs``, ``monthly_forecasts``,
``monthly_backtests``) copied into the snapshot; nothing is fitted here. Where nothing is
stored, the answer says which command stores it.
"""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coupwatch.errors import BadInput, NoData
from coupwatch.forecasts.ranking import rank
from coupwatch.read.jsonify import records
from coupwatch.read.views import HORIZONS

if TYPE_CHECKING:
    from coupwatch.read.snapshot import Snapshot

NO_RUN = "no monthly forecast is stored: run `coupwatch forecast --unit month`"
ITEM = ["rank", "gwcode", "iso3", "country", "region", "p_attempt", "p_coup", "change",
        *(f"p_attempt_{h}m" for h in HORIZONS)]


def load(con, available: set[str]) -> tuple[dict | None, pd.DataFrame, pd.DataFrame]:
    """The newest monthly run, its ranked rows and the backtest of its data, model and seed."""
    if "monthly_runs" not in available:
        return None, pd.DataFrame(), pd.DataFrame()
    runs = con.execute("SELECT * EXCLUDE (latest, data_versions) FROM monthly_runs "
                       "WHERE latest").df()
    if runs.empty:
        return None, pd.DataFrame(), pd.DataFrame()
    run = runs.iloc[0].to_dict()
    run["created_at"] = pd.Timestamp(run["created_at"]).isoformat()
    for key in ("origin_year", "origin_month", "seed"):
        run[key] = int(run[key])
    now = con.execute("SELECT * EXCLUDE (run_id, run_created_at, model) "
                      "FROM monthly_forecasts ORDER BY gwcode").df()
    past = con.execute("SELECT * EXCLUDE (model, iso3, country) FROM monthly_backtests") \
        .df() if "monthly_backtests" in available else pd.DataFrame()
    return run, now, past


def month_label(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def window(run: dict, horizon: int) -> str:
    """The months a horizon covers, in words: "December 2022 to February 2023"."""
    first = run["origin_year"] * 12 + run["origin_month"]  # the month after the origin
    last = first + horizon - 1
    start = month_label(first // 12, first % 12 + 1)
    return start if horizon == 1 else f"{start} to {month_label(last // 12, last % 12 + 1)}"


def run_info(run: dict) -> dict:
    out = {k: run[k] for k in ("run_id", "created_at", "model", "model_version",
                               "code_version", "seed", "data_key")}
    out["origin"] = f"{run['origin_year']:04d}-{run['origin_month']:02d}"
    return out


def need_run(snap: Snapshot) -> dict:
    if snap.monthly_run is None:
        raise NoData(NO_RUN)
    return snap.monthly_run


def check_horizon(horizon: int) -> int:
    if horizon not in HORIZONS:
        raise BadInput(f"horizon {horizon} is not one of {', '.join(map(str, HORIZONS))} "
                       "(months)", parameter="horizon")
    return horizon


def ranked(snap: Snapshot, horizon: int, members: set[int] | None) -> dict:
    """The newest monthly run ranked by P(attempt within ``horizon`` months) (``members``:
    the region's states, None for the world)."""
    run = need_run(snap)
    check_horizon(horizon)
    frame = snap.monthly.sort_values("gwcode").copy()
    frame["p_attempt"] = frame[f"p_attempt_{horizon}m"]
    frame["p_coup"] = frame[f"p_coup_{horizon}m"]
    # the run stores the month-on-month change of the 3-month risk only
    frame["change"] = frame["change_3m"] if horizon == 3 else np.nan
    frame["rank"] = rank(frame["p_attempt"])
    of = len(frame)
    if members is not None:
        frame = frame[frame["gwcode"].isin(members)]
    frame = frame.sort_values("rank")
    frame["region_rank"] = rank(frame["p_attempt"])
    for column in ("p_attempt", "p_coup", "change", *(f"p_attempt_{h}m" for h in HORIZONS)):
        frame[column] = frame[column].astype(float).round(6)
    return {"unit": "month", "horizon": horizon, "origin": run_info(run)["origin"],
            "window": window(run, horizon), "count": len(frame), "of": of,
            "run": run_info(run),
            "about": (f"Probability of at least one coup attempt (successful or failed) in "
                      f"the {horizon} month{'s' if horizon > 1 else ''} after "
                      f"{month_label(run['origin_year'], run['origin_month'])}, the newest "
                      "month of coup data (monthly hazard model). Change: the 3-month risk "
                      "against the month before."),
            "items": records(frame[[*ITEM, "region_rank"]])}


def observed(origins: np.ndarray, event_months: np.ndarray, horizon: int,
             last: int) -> list[int | None]:
    """1 if an event falls in the ``horizon`` months after each origin (None: the window
    runs past ``last``, the newest month the coup data cover)."""
    out: list[int | None] = []
    for origin in origins:
        if origin + horizon > last:
            out.append(None)
        else:
            out.append(int(((event_months > origin) & (event_months <= origin + horizon))
                           .any()))
    return out


def country_line(snap: Snapshot, gwcode: int, horizon: int) -> dict:
    """A country's monthly risk: the stored backtest's out-of-sample risk at each origin
    month beside what happened, the newest run's point, and the coup events."""
    run = need_run(snap)
    check_horizon(horizon)
    last = run["origin_year"] * 12 + run["origin_month"] - 1
    events = snap.country_events(gwcode)
    event_months = (events["year"] * 12 + events["month"] - 1).to_numpy(dtype="int64")
    past = snap.monthly_backtests
    past = past[past["gwcode"] == gwcode].sort_values(["year", "month"]) if len(past) \
        else pd.DataFrame(columns=["year", "month", f"p_attempt_{horizon}m",
                                   f"p_coup_{horizon}m"])
    origins = (past["year"] * 12 + past["month"] - 1).to_numpy(dtype="int64")
    items = [{"year": int(y), "month": int(m), "p": round(float(p), 6),
              "p_coup": round(float(q), 6), "observed": o}
             for y, m, p, q, o in zip(past["year"], past["month"],
                                      past[f"p_attempt_{horizon}m"],
                                      past[f"p_coup_{horizon}m"],
                                      observed(origins, event_months, horizon, last),
                                      strict=True)]
    now = snap.monthly[snap.monthly["gwcode"] == gwcode]
    current = None if now.empty else {
        "year": run["origin_year"], "month": run["origin_month"],
        "p": round(float(now[f"p_attempt_{horizon}m"].iloc[0]), 6),
        "p_coup": round(float(now[f"p_coup_{horizon}m"].iloc[0]), 6),
        "window": window(run, horizon)}
    note = None if items else (
        f"no monthly backtest is stored for this run's data and model: run `coupwatch "
        f"backtest --unit month --model {run['model']} --from 2011 --to "
        f"{run['origin_year']}`")
    return {"iso3": snap.countries.loc[gwcode, "iso3"],
            "country": snap.countries.loc[gwcode, "name"], "horizon": horizon,
            "run": run_info(run), "items": items, "current": current, "note": note,
            "about": (f"P(at least one coup attempt in the {horizon} months after each "
                      "month end): out-of-sample backtest forecasts (the model refitted each "
                      "January on earlier months only), then the newest run. observed: an "
                      "attempt followed within the window (empty where the window runs past "
                      "the coup data)."),
            "events": records(events[["date", "year", "month", "kind"]])}


def brief_risks(snap: Snapshot, gwcode: int) -> dict | None:
    """The 3- and 12-month risks of the newest monthly run, for a brief."""
    run = snap.monthly_run
    if run is None:
        return None
    row = snap.monthly[snap.monthly["gwcode"] == gwcode]
    if row.empty:
        return None
    return {"p3": float(row["p_attempt_3m"].iloc[0]), "p12": float(row["p_attempt_12m"].iloc[0]),
            "origin": month_label(run["origin_year"], run["origin_month"]),
            "model": run["model"], "run_id": run["run_id"]}
