"""Health, regions (for the filters), the ISO-numeric lookup for the map, data sources."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Depends, Request

from coupwatch import __version__, regions
from coupwatch.api.deps import ERRORS, dumps, json_bytes, snapshot
from coupwatch.read import monthly
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["meta"])

# Groups shown first in the dashboard's region filter (the rest follow alphabetically).
FEATURED = ["World", "Africa", "ECOWAS", "Sahel", "AU-North", "AU-West", "AU-Central",
            "AU-East", "AU-Southern"]


@router.get("/health", summary="Server and data status", responses={503: ERRORS[503]})
async def health(request: Request):
    # on the event loop, not in the thread pool that SQL queries may fill: it needs only
    # the snapshot in memory
    snap = snapshot(request)
    run = snap.run or {}
    return {"status": "ok", "loaded_at": snap.loaded_at, "forecast_run": run.get("run_id"),
            "target_year": run.get("target_year"), "model": run.get("model"),
            "data_key": run.get("data_key"), "events_release": snap.release,
            "years": snap.years(),
            "monthly_run": monthly.run_info(snap.monthly_run) if snap.monthly_run else None}


@router.get("/regions", summary="Region filters and their current members (ISO3)",
            responses=ERRORS)
def list_regions(snap: Snapshot = Depends(snapshot)):
    def build():
        year = snap.target_year - 1 if snap.target_year else None
        iso = snap.countries.set_index("gwcode")["iso3"]
        names = [g for g in FEATURED if g in regions.groups()] + \
            [g for g in regions.groups() if g not in FEATURED]
        out = []
        for name in names:
            members = regions.members_for(name, year) if year else regions.members(name)
            codes = sorted(str(iso[g]) for g in members if g in iso.index and
                           isinstance(iso[g], str) and iso[g])
            if codes:
                out.append({"name": name, "members": codes})
        return dumps({"year": year, "regions": out})
    return json_bytes(snap.cached("regions", build))


@lru_cache(maxsize=1)
def _numeric_lookup() -> dict[str, str]:
    from coupwatch import countries

    table = countries._converter().data[["ISO3", "ISOnumeric"]].dropna()
    out = {}
    for iso3, number in zip(table["ISO3"], table["ISOnumeric"], strict=True):
        try:
            out[f"{int(float(number)):03d}"] = str(iso3)
        except (TypeError, ValueError):
            continue
    return out


@router.get("/geo", summary="ISO 3166 numeric id (world-atlas) to ISO3 and G&W code")
def geo(snap: Snapshot = Depends(snapshot)):
    def build():
        lookup = _numeric_lookup()
        gw = {iso: int(code) for iso, code in snap.iso3_index.items()}
        return dumps({number: {"iso3": iso3, "gwcode": gw.get(iso3)}
                      for number, iso3 in sorted(lookup.items())})
    return json_bytes(snap.cached("geo", build))


@router.get("/sources", summary="Data sources and versions in the warehouse (provenance)")
def sources(snap: Snapshot = Depends(snapshot)):
    frame = snap.provenance.rename(columns={"title": "name"})
    return {"sources": records(frame), "freshness": records(snap.freshness),
            "forecast_run": snap.run}


@router.get("/meta", summary="What the served forecast stands on: version, run, and per "
            "source the last period covered and whether the forecast left it out")
def meta(snap: Snapshot = Depends(snapshot)):
    run = snap.run or {}
    return {"version": __version__, "loaded_at": snap.loaded_at,
            "forecast_run": {k: run.get(k) for k in ("run_id", "created_at", "target_year",
                                                     "model", "model_version", "data_key")},
            "left_out": run.get("left_out", []), "events_release": snap.release,
            "freshness": records(snap.freshness)}
