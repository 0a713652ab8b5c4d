"""Skill of the stored out-of-sample backtest, with bootstrap confidence intervals."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Query

from coupwatch import validate
from coupwatch.api.deps import ERRORS, need_forecast, snapshot
from coupwatch.errors import BadInput
from coupwatch.forecasts import backtest
from coupwatch.panel.spec import OUTCOMES
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api/backtest", tags=["backtest"])
N_BOOT = 200  # metrics.summary resamples with pandas: ~10 ms a draw
Outcome = StrEnum("Outcome", {name: name for name in OUTCOMES})


def compute(snap: Snapshot, outcome: str, start: int, end: int) -> dict:
    frame = snap.backtests[snap.backtests["year"].between(start, end)]
    rows = backtest.rows(frame, outcome, snap.run["model"])
    summary, calibration = backtest.evaluate(rows, n_boot=N_BOOT, seed=0)
    return {"outcome": outcome, "from": start, "to": end, "model": snap.run["model"],
            "run_id": snap.run["run_id"], "country_years": int(summary.attrs["n"]),
            "events": int(summary.attrs["events"]), "n_boot": N_BOOT,
            "about": "95 % bootstrap intervals, resampling country-years; Brier skill is "
                     "relative to the event rate of the same rows",
            "metrics": records(summary), "calibration": records(calibration)}


@router.get("/metrics", summary="ROC-AUC, PR-AUC, Brier, ... of the stored backtest",
            responses=ERRORS)
def backtest_metrics(snap: Snapshot = Depends(snapshot),
                     outcome: Outcome = Query(Outcome.attempt),
                     start: int | None = Query(None, alias="from", ge=1900, le=2100,
                                               description="first year (default: the first)"),
                     end: int | None = Query(None, alias="to", ge=1900, le=2100,
                                             description="last year (default: the last)")):
    need_forecast(snap)
    known = snap.backtests[snap.backtests["observed_attempt"].notna()]
    if known.empty:
        raise BadInput("the warehouse has no backtest with known outcomes: run "
                       "`coupwatch backtest`", parameter="from")
    first, last = int(known["year"].min()), int(known["year"].max())
    start, end = validate.year_span(first if start is None else start,
                                    last if end is None else end, first, last)
    return snap.cached(("metrics", outcome.value, start, end),
                       lambda: compute(snap, outcome.value, start, end))
