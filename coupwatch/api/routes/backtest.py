"""Skill of the stored out-of-sample backtest, with bootstrap confidence intervals."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Query

from coupwatch.api.deps import ERRORS, need_forecast, snapshot
from coupwatch.errors import BadInput
from coupwatch.forecasts import metrics
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api/backtest", tags=["backtest"])
N_BOOT = 200  # metrics.summary resamples with pandas: ~10 ms a draw


class Outcome(StrEnum):
    attempt = "attempt"
    coup = "coup"
    failed = "failed"


def compute(snap: Snapshot, outcome: str, start: int, end: int) -> dict:
    frame = snap.backtests[(snap.backtests["year"] >= start) &
                           (snap.backtests["year"] <= end) &
                           snap.backtests[f"observed_{outcome}"].notna()]
    rows = frame[["year", "gwcode"]].copy()
    rows["observed"] = frame[f"observed_{outcome}"].astype(int)
    rows["p"] = frame[f"p_{outcome}"]
    summary = metrics.summary(rows, n_boot=N_BOOT, seed=0)
    return {"outcome": outcome, "start": start, "end": end, "model": snap.run["model"],
            "run_id": snap.run["run_id"], "country_years": int(summary.attrs["n"]),
            "events": int(summary.attrs["events"]), "n_boot": N_BOOT,
            "about": "95 % bootstrap intervals, resampling country-years; Brier skill is "
                     "relative to the event rate of the same rows",
            "metrics": records(summary), "calibration": records(metrics.calibration(rows))}


@router.get("/metrics", summary="ROC-AUC, PR-AUC, Brier, ... of the stored backtest",
            responses=ERRORS)
def backtest_metrics(snap: Snapshot = Depends(snapshot),
                     outcome: Outcome = Query(Outcome.attempt),
                     start: int | None = Query(None, ge=1900, le=2100),
                     end: int | None = Query(None, ge=1900, le=2100)):
    need_forecast(snap)
    known = snap.backtests[snap.backtests["observed_attempt"].notna()]
    if known.empty:
        raise BadInput("the warehouse has no backtest with known outcomes: run "
                       "`coupwatch backtest`", parameter="start")
    first, last = int(known["year"].min()), int(known["year"].max())
    start = first if start is None else start
    end = last if end is None else end
    for name, value in (("start", start), ("end", end)):
        if not first <= value <= last:
            raise BadInput(f"{value} is outside the backtest ({first}-{last})", parameter=name)
    if start > end:
        raise BadInput(f"start {start} is after end {end}", parameter="start")
    return snap.cached(("metrics", outcome.value, start, end),
                       lambda: compute(snap, outcome.value, start, end))
