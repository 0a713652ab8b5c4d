"""``GET /api/region/{name}``: a region's coups by year, members' risks, P(at least one).

Reads the warehouse file read-only for the request, as the SQL console does.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request

from coupwatch import regions
from coupwatch.api.deps import dumps, json_bytes
from coupwatch.read import region as analysis

router = APIRouter(prefix="/api", tags=["regions"])
ERRORS = {422: {"description": "Unknown region, or no forecast for that year"},
          503: {"description": "No warehouse yet, or another process is writing it"}}


@router.get("/region/{name}", summary="A region: coups by year (dated membership), member "
            "risks, and P(at least one attempt) under independence, with bounds",
            responses=ERRORS)
def region_report(request: Request,
                  name: str = Path(..., min_length=1, max_length=60, examples=["ECOWAS"],
                                   description="a region of GET /api/regions (aliases such "
                                   "as g5sahel are accepted too)",
                                   json_schema_extra={"enum": regions.groups()}),
                  year: int | None = Query(None, ge=1951, le=2100,
                                           description="forecast year (default: newest)")):
    rep = analysis.report(name, year, path=request.app.state.store.path)
    return json_bytes(dumps(analysis.as_json(rep)))
