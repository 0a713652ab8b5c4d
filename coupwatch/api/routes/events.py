"""Coup events of the newest Powell & Thyne release, filtered and paginated."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Query

from coupwatch import countries, validate
from coupwatch.api.deps import ERRORS, snapshot
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["events"])
DATE = "^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


class Kind(StrEnum):
    successful = "successful"
    failed = "failed"


@router.get("/events", summary="Coup events (Powell & Thyne), paginated",
            description="`from` must not be after `to`, and a date must exist (not "
            "2023-02-30): 422 otherwise, naming the parameter.",
            responses={**ERRORS, 422: {"description": "Invalid parameter, `from` after `to`, "
                                       "or a day that does not exist (the message names "
                                       "the parameter)"}})
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
    start, stop = (d.isoformat() if d else None
                   for d in validate.date_range(date_from, date_to))
    frame = snap.events
    if country is not None:
        frame = frame[frame["gwcode"] == countries.resolve(country)]
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
