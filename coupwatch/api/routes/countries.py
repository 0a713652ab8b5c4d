"""Countries: the list with regions and memberships, one country's profile, its CSV."""

from __future__ import annotations

import io

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from coupwatch import catalog
from coupwatch.api.deps import (
    ERRORS,
    ISO3,
    Region,
    country,
    dumps,
    json_bytes,
    snapshot,
)
from coupwatch.read.forecasts import region_members
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api/countries", tags=["countries"])

COLUMNS = ["gwcode", "iso3", "name", "region", "un_subregion", "continent", "au_region",
           "memberships", "suspended", "first_year", "last_year"]


def country_info(snap: Snapshot, code: int) -> dict:
    return records(snap.countries.loc[[code], COLUMNS])[0]


@router.get("", summary="All states (G&W) with region and memberships", responses=ERRORS)
def list_countries(snap: Snapshot = Depends(snapshot),
                   region: Region | None = Query(None, description="e.g. ECOWAS, Sahel, "
                                                 "Africa")):
    def build():
        frame = snap.countries
        year = snap.target_year - 1 if snap.target_year else None
        members = region_members(region, year)
        if members is not None:
            frame = frame[frame["gwcode"].isin(members)]
        items = records(frame[COLUMNS])
        return dumps({"count": len(items), "region": region.value if region else "World",
                      "items": items})
    return json_bytes(snap.cached(("countries", region.value if region else ""), build))


def indicator_series(snap: Snapshot, code: int) -> list[dict]:
    frame = snap.series(code)
    versions = snap.provenance.set_index("file")["release"].to_dict() \
        if len(snap.provenance) else {}
    out = []
    for meta in catalog.shown():
        rows = frame[frame["variable"] == meta.variable]
        if rows.empty:
            continue
        file = str(rows["file"].iloc[-1])
        out.append({"variable": meta.variable, "label": meta.label, "unit": meta.unit,
                    "group": meta.group, "source": meta.source,
                    "source_name": meta.attribution,
                    "file": file, "release": versions.get(file),
                    "points": [[int(y), round(float(v), 4)] for y, v in
                               zip(rows["year"], rows["value"], strict=True)]})
    return out


def latest_forecast(snap: Snapshot, code: int) -> dict | None:
    if snap.run is None:
        return None
    row = snap.forecast[snap.forecast["gwcode"] == code]
    if row.empty:
        return None
    item = records(row)[0]
    item["of"] = len(snap.forecast)
    item["run_id"] = snap.run["run_id"]
    return item


@router.get("/{iso3}", summary="Country profile: coup events, indicator series, forecast",
            responses=ERRORS)
async def profile(request: Request, iso3: str = ISO3):
    # on the event loop, no thread-pool hop: once built, a profile is bytes in memory (and
    # building one takes a few milliseconds of pandas)
    snap = snapshot(request)
    code = country(snap, iso3)

    def build():
        events = snap.country_events(code)[["date", "year", "kind", "release", "file", "line"]]
        return dumps({"country": country_info(snap, code), "events": records(events),
                      "events_release": snap.release,
                      "indicators": indicator_series(snap, code),
                      "forecast": latest_forecast(snap, code)})
    return json_bytes(snap.cached(("profile", code), build))


def country_table(snap: Snapshot, code: int) -> pd.DataFrame:
    """One row per year: our forecast, what happened, and the indicator values."""
    series = snap.series(code).pivot_table(index="year", columns="variable", values="value")
    history = snap.history(code).set_index("year")[
        ["p_attempt", "p_coup", "p_failed", "rank", "observed_attempt", "observed_coup",
         "observed_failed"]]
    events = snap.country_events(code)
    counts = events.groupby(["year", "kind"]).size().unstack(fill_value=0) \
        .reindex(columns=["successful", "failed"], fill_value=0) \
        .rename(columns={"successful": "coups_successful", "failed": "coups_failed"})
    years = sorted(set(series.index) | set(history.index) | set(counts.index))
    table = pd.DataFrame(index=pd.Index(years, name="year"))
    table = table.join(history).join(counts)
    table[["coups_successful", "coups_failed"]] = \
        table[["coups_successful", "coups_failed"]].fillna(0).astype(int)
    columns = [v.variable for v in catalog.shown() if v.variable in series.columns]
    table = table.join(series[columns])
    table.insert(0, "country", snap.countries.loc[code, "name"])
    table.insert(0, "iso3", snap.countries.loc[code, "iso3"])
    return table.reset_index()


@router.get("/{iso3}/csv", summary="Country-year CSV: forecasts, events, indicators",
            responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
def csv(iso3: str = ISO3, snap: Snapshot = Depends(snapshot)):
    code = country(snap, iso3)
    buffer = io.StringIO()
    country_table(snap, code).to_csv(buffer, index=False, float_format="%.6g")
    name = str(snap.countries.loc[code, "iso3"]).lower()
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="coupwatch-{name}.csv"'})
