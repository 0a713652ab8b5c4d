"""Drivers of a country's forecast, computed in a worker process and cached."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from coupwatch.api.deps import ERRORS, ISO3, check_year, country, snapshot
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["explain"])


@router.get("/explain/{iso3}", summary="Factors raising and lowering a country's risk",
            responses={**ERRORS, 202: {"description": "Being computed: ask again shortly"}})
def explain(request: Request, iso3: str = ISO3, snap: Snapshot = Depends(snapshot),
            year: int | None = Query(None, ge=1900, le=2100),
            wait: float = Query(0.5, ge=0, le=30,
                                description="seconds to wait for a result being computed")):
    code = country(snap, iso3)
    target = check_year(snap, year)
    iso = str(snap.countries.loc[code, "iso3"])
    state, result, message = request.app.state.explainer.get(iso, target, snap.data_key, wait)
    if state == "done":
        return result
    if state in ("failed", "error"):
        return JSONResponse(status_code=422 if state == "failed" else 503,
                            content={"detail": message, "parameter": "iso3"})
    return JSONResponse(status_code=202, headers={"Retry-After": "5"},
                        content={"status": "pending", "iso3": iso, "year": target,
                                 "detail": "drivers are being computed (the model is "
                                           "refitted); ask again in a few seconds"})
