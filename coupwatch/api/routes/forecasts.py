"""Ranked forecasts (the latest annual run, past years from the out-of-sample backtest, or the
newest monthly run by horizon), a country's record and monthly risk line, the surprises.
The answers are built in ``coupwatch.read``."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from fastapi import APIRouter, Depends, Query

from coupwatch.api.deps import (
    ERRORS,
    ISO3,
    Region,
    check_year,
    country,
    dumps,
    json_bytes,
    need_forecast,
    snapshot,
)
from coupwatch.errors import BadInput
from coupwatch.read import forecasts as annual
from coupwatch.read import monthly
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["forecasts"])
Unit = StrEnum("Unit", {"year": "year", "month": "month"})
Horizon = IntEnum("Horizon", {f"months_{h}": h for h in monthly.HORIZONS})
MONTHLY_ERRORS = {**ERRORS, 503: {"description": "No forecast (or no monthly run) stored yet"}}


def ranked_payload(snap: Snapshot, year: int, region: str | None) -> bytes:
    return dumps(annual.ranked(snap, year, region))


def monthly_payload(snap: Snapshot, horizon: int, region: str | None) -> bytes:
    run = monthly.need_run(snap)
    members = annual.region_members(region, run["origin_year"])
    body = monthly.ranked(snap, horizon, members)
    return dumps({**body, "region": region or "World"})


@router.get("/forecasts", summary="Ranked coup risk: next year (default), a past year, or the "
            "next 1, 3, 6 or 12 months", responses=MONTHLY_ERRORS)
async def forecasts(
    request_snap: Snapshot = Depends(snapshot),
    year: int | None = Query(None, ge=1900, le=2100, description="target year (unit=year); "
                             "past years come from the backtest"),
    region: Region | None = Query(None, description="World, Africa, ECOWAS, Sahel, AU-West, "
                                  "..."),
    unit: Unit | None = Query(None, description="year: the annual forecast (the default); "
                              "month: the newest monthly run, ranked by `horizon` (the "
                              "default when `horizon` is given). `year` goes with unit=year "
                              "only, `horizon` with unit=month only: 422 otherwise"),
    horizon: Horizon | None = Query(None, description="months ahead, with unit=month "
                                    "(default 3)"),
):
    snap = request_snap
    name = region.value if region else None
    if unit is None:
        unit = Unit.month if horizon is not None else Unit.year
    if unit == Unit.month:
        if year is not None:
            raise BadInput("year is for unit=year (the monthly forecast starts from the "
                           "newest month of data)", parameter="year")
        months = int(horizon) if horizon is not None else 3
        return json_bytes(snap.cached(("forecasts-month", months, name),
                                      lambda: monthly_payload(snap, months, name)))
    if horizon is not None:
        raise BadInput("horizon is for unit=month (the annual forecast covers one calendar "
                       "year)", parameter="horizon")
    target = check_year(snap, year)
    return json_bytes(snap.cached(("forecasts", target, name),
                                  lambda: ranked_payload(snap, target, name)))


@router.get("/forecasts/{iso3}/history",
            summary="Our out-of-sample forecast for each past year beside what happened",
            responses=ERRORS)
def history(iso3: str = ISO3, snap: Snapshot = Depends(snapshot)):
    code = country(snap, iso3)
    need_forecast(snap)
    return json_bytes(snap.cached(("history", code),
                                  lambda: dumps(annual.history(snap, code))))


@router.get("/forecasts/{iso3}/monthly",
            summary="A country's monthly risk: the stored out-of-sample monthly backtest, the "
            "newest monthly run, and its coup events", responses=MONTHLY_ERRORS)
def monthly_line(iso3: str = ISO3, snap: Snapshot = Depends(snapshot),
                 horizon: Horizon = Query(Horizon.months_3, description="months ahead")):
    code = country(snap, iso3)
    months = int(horizon)
    return json_bytes(snap.cached(("monthly-line", code, months), lambda: dumps(
        monthly.country_line(snap, code, months))))


@router.get("/surprises", summary="Coup attempts our backtest forecast rated low: ranked "
            "outside the top outside_top states of their year (for a region: states that "
            "were members in the event's year)", responses=ERRORS)
def surprises(snap: Snapshot = Depends(snapshot),
              limit: int = Query(10, ge=1, le=100),
              region: Region | None = Query(None),
              outside_top: int = Query(annual.SURPRISE_RANK, ge=0, le=300)):
    need_forecast(snap)
    return annual.surprises(snap, limit, region.value if region else None, outside_top)
