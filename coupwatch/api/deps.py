"""Shared helpers of the route modules: the snapshot, JSON bytes, parameter checks."""

from __future__ import annotations

import json
from enum import Enum

from fastapi import Path, Request
from fastapi.responses import Response

from coupwatch import regions
from coupwatch.errors import BadInput, NoData, NotFound
from coupwatch.read.snapshot import Snapshot

ISO3 = Path(..., pattern="^[A-Za-z]{3}$", min_length=3, max_length=3,
            description="ISO 3166 alpha-3 code, e.g. MLI", examples=["MLI"])
Region = Enum("Region", {name: name for name in regions.groups()}, type=str)
Region.__doc__ = ("World, membership groups (ECOWAS, Sahel, AU regions, ...), continents, "
                  "UN subregions")

ERRORS = {
    404: {"description": "Unknown country"},
    422: {"description": "Invalid parameter (the message names it)"},
    503: {"description": "The warehouse has no forecast yet"},
}


def snapshot(request: Request) -> Snapshot:
    return request.app.state.store.get()


def dumps(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":"), allow_nan=False,
                      ensure_ascii=False).encode("utf-8")


def json_bytes(content: bytes, status_code: int = 200) -> Response:
    return Response(content=content, status_code=status_code, media_type="application/json")


def country(snap: Snapshot, iso3: str, parameter: str = "iso3") -> int:
    code = snap.gwcode(iso3)
    if code is None:
        raise NotFound(f"unknown country '{iso3}' (give an ISO3 code such as MLI)", parameter)
    return code


def need_forecast(snap: Snapshot) -> None:
    if snap.run is None:
        raise NoData("the warehouse has no forecast yet: run `coupwatch forecast`")


def check_year(snap: Snapshot, year: int | None, parameter: str = "year") -> int:
    need_forecast(snap)
    years = snap.years()
    if year is None:
        return snap.target_year
    if year not in years:
        raise BadInput(f"no forecast for {year} (available: {years[0]}-{years[-1]})",
                       parameter=parameter)
    return year
