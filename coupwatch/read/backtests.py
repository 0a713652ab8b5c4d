"""Stored backtests as the interfaces show them: the list to pick from (every model, seed and
data version a ``backtest``, ``forecast`` or ``sweep`` stored) and the skill of any one of
them, with bootstrap intervals and the calibration table.

The served run's own backtest is in the snapshot; any other is read from the warehouse,
read-only, when asked for (and kept with the snapshot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from coupwatch import validate
from coupwatch.errors import BadInput, NotFound
from coupwatch.forecasts import backtest, store
from coupwatch.read import views
from coupwatch.read.jsonify import records

if TYPE_CHECKING:
    from coupwatch.read.snapshot import Snapshot

N_BOOT = 200  # metrics.summary resamples with pandas: ~10 ms a draw
ABOUT = ("95 % bootstrap intervals, resampling country-years; Brier skill is relative to the "
         "event rate of the same rows")


def listing(snap: Snapshot) -> dict:
    """Every stored backtest: data key, model, seed, years; which one the dashboard serves."""
    def build():
        with views.tables(snap.path) as con:
            frame = store.list_backtests(con)
        run = snap.run or {}
        frame["served"] = [(k, m, int(s)) == (run.get("data_key"), run.get("model"),
                                              run.get("seed"))
                           for k, m, s in zip(frame["data_key"], frame["model"],
                                              frame["seed"], strict=True)]
        frame = frame.sort_values(["served", "current", "model", "seed"],
                                  ascending=[False, False, True, True])
        return {"count": len(frame), "served": {k: run.get(k) for k in
                                                ("data_key", "model", "seed")},
                "items": records(frame)}
    return snap.cached("backtest-list", build)


def chosen(snap: Snapshot, model: str | None, seed: int | None,
           key: str | None) -> tuple[str, int, str, pd.DataFrame]:
    """The rows of one stored backtest; by default the served run's."""
    run = snap.run
    model = model or run["model"]
    seed = int(run["seed"]) if seed is None else int(seed)
    key = key or run["data_key"]
    if (key, model, seed) == (run["data_key"], run["model"], int(run["seed"])):
        return model, seed, key, snap.backtests

    def read():
        with views.tables(snap.path) as con:
            return store.stored_backtest(con, model, seed, key)
    frame = snap.cached(("backtest", key, model, seed), read)
    if frame.empty:
        raise NotFound(f"no backtest stored for model {model}, seed {seed} and data key "
                       f"{key}: see GET /api/backtests, or run `coupwatch sweep --models "
                       f"{model} --seeds {seed}`", parameter="model")
    return model, seed, key, frame


def metrics(snap: Snapshot, outcome: str, start: int | None, end: int | None, *,
            model: str | None = None, seed: int | None = None,
            key: str | None = None) -> dict:
    """ROC-AUC, PR-AUC, Brier, ... with 95 % intervals and the calibration table."""
    model, seed, key, frame = chosen(snap, model, seed, key)
    known = frame[frame["observed_attempt"].notna()]
    if known.empty:
        raise BadInput("this backtest has no year with known outcomes: run `coupwatch "
                       "backtest`", parameter="from")
    first, last = int(known["year"].min()), int(known["year"].max())
    start, end = validate.year_span(first if start is None else start,
                                    last if end is None else end, first, last)

    def build():
        rows = backtest.rows(frame[frame["year"].between(start, end)], outcome, model)
        summary, calibration = backtest.evaluate(rows, n_boot=N_BOOT, seed=0)
        return {"outcome": outcome, "from": start, "to": end, "model": model, "seed": seed,
                "data_key": key, "served": key == snap.run["data_key"] and model ==
                snap.run["model"] and seed == int(snap.run["seed"]),
                "run_id": snap.run["run_id"], "country_years": int(summary.attrs["n"]),
                "events": int(summary.attrs["events"]), "n_boot": N_BOOT, "about": ABOUT,
                "metrics": records(summary), "calibration": records(calibration)}
    return snap.cached(("metrics", key, model, seed, outcome, start, end), build)
