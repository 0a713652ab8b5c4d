"""Stored out-of-sample backtests: the list, and the skill of any one of them with bootstrap
confidence intervals (built in ``coupwatch.read.backtests``)."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Query

from coupwatch.api.deps import ERRORS, need_forecast, snapshot
from coupwatch.models import MODELS
from coupwatch.panel.spec import OUTCOMES
from coupwatch.read import backtests
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["backtest"])
Outcome = StrEnum("Outcome", {name: name for name in OUTCOMES})
Model = StrEnum("Model", {name: name for name in MODELS})
METRIC_ERRORS = {**ERRORS,
                 404: {"description": "No backtest stored for that model, seed and data key"},
                 422: {"description": "Invalid parameter (the message names it), 'from' after "
                                      "'to', or a year outside the chosen backtest's years"}}


@router.get("/backtests", summary="Every stored backtest: data key, model, seed, years; "
            "which one is served", responses=ERRORS)
def list_backtests(snap: Snapshot = Depends(snapshot)):
    need_forecast(snap)
    return backtests.listing(snap)


@router.get("/backtest/metrics", summary="ROC-AUC, PR-AUC, Brier, ... of a stored backtest "
            "(default: the served run's)", responses=METRIC_ERRORS)
def backtest_metrics(snap: Snapshot = Depends(snapshot),
                     outcome: Outcome = Query(Outcome.attempt),
                     start: int | None = Query(None, alias="from", ge=1900, le=2100,
                                               description="first year (default: the first)"),
                     end: int | None = Query(None, alias="to", ge=1900, le=2100,
                                             description="last year (default: the last)"),
                     model: Model | None = Query(None, description="default: the served "
                                                 "run's model"),
                     seed: int | None = Query(None, ge=0, le=1_000_000,
                                              description="default: the served run's seed"),
                     data_key: str | None = Query(None, pattern="^[0-9a-f]{16}$",
                                                  description="default: the served run's "
                                                  "data key (see GET /api/backtests)")):
    need_forecast(snap)
    return backtests.metrics(snap, outcome.value, start, end,
                             model=model.value if model else None, seed=seed, key=data_key)
