"""Coup events of the newest Powell & Thyne release, filtered and paginated."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pandas as pd
from fastapi import APIRouter, Depends, Query

from coupwatch import countries
from coupwatch.api.deps import ERRORS, snapshot
from coupwatch.errors import BadInput, NotFound
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["events"])
DATE = "^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


class Kind(StrEnum):
    successful = "successful"
    failed = "failed"


def _bound(text: str | None, parameter: str, end: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (or, for ``to``, last) day it covers."""
    if text is None:
        return None
    parts = [int(p) for p in text.split("-")]
    try:
        if len(parts) == 1:
            day = dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
        elif len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            day = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date() if end else first
        else:
            day = dt.date(*parts)
    except ValueError:
        raise BadInput(f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                       parameter=parameter) from None
    return day.isoformat()


@router.get("/events", summary="Coup events (Powell & Thyne), paginated", responses=ERRORS)
def events(
    snap: Snapshot = Depends(snapshot),
    country: str | None = Query(None, max_length=60, description="ISO3, G&W code or name"),
    date_from: str | None = Query(None, alias="from", pattern=DATE,
                                  description="YYYY, YYYY-MM or YYYY-MM-DD"),
    date_to: str | None = Query(None, alias="to", pattern=DATE,
                                description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)"),
    kind: Kind | None = Query(None, description="successful or failed"),
    page: int = Query(1, ge=1, le=10_000),
    page_size: int = Query(100, ge=1, le=500),
):
    start, stop = _bound(date_from, "from", False), _bound(date_to, "to", True)
    if start and stop and start > stop:
        raise BadInput(f"'from' {date_from} is after 'to' {date_to}", parameter="from")
    frame = snap.events
    if country is not None:
        try:
            code = countries.resolve(country)
        except BadInput:
            raise NotFound(f"unknown country '{country}' (give an ISO3 code, a G&W code or "
                           "a name)", "country") from None
        frame = frame[frame["gwcode"] == code]
    # dates compare as text: "2021-05" (no day) sorts before any day of May
    if start:
        frame = frame[frame["date"] >= start[: len(start)]]
    if stop:
        frame = frame[frame["date"] <= stop]
    if kind is not None:
        frame = frame[frame["kind"] == kind.value]
    total = len(frame)
    chunk = frame.iloc[(page - 1) * page_size: page * page_size]
    items = records(chunk[["date", "year", "gwcode", "iso3", "country", "kind", "release",
                           "file", "line"]])
    return {"total": total, "page": page, "page_size": page_size, "release": snap.release,
            "items": items}
