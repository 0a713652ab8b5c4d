"""Ranked forecasts (the latest run, or past years from the out-of-sample backtest), a
country's forecast history beside what happened, and the surprises."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from coupwatch.api.deps import (
    ERRORS,
    ISO3,
    Region,
    check_year,
    country,
    dumps,
    in_region,
    json_bytes,
    need_forecast,
    region_members,
    snapshot,
)
from coupwatch.read.jsonify import records
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/api", tags=["forecasts"])

ITEM = ["rank", "gwcode", "iso3", "country", "region", "p_attempt", "p_coup", "p_failed",
        "p_attempt_last_year", "change", "observed_attempt", "observed_coup",
        "observed_failed"]


def run_info(snap: Snapshot) -> dict:
    run = snap.run
    return {k: run[k] for k in ("run_id", "created_at", "target_year", "model",
                                "model_version", "code_version", "seed", "data_key")}


def ranked_payload(snap: Snapshot, year: int, region: str | None) -> bytes:
    frame = snap.ranked(year).copy()
    members = region_members(region, year - 1)
    if "region" not in frame or frame["region"].isna().all():
        frame["region"] = frame["gwcode"].map(snap.countries["region"])
    if members is not None:
        frame = frame[frame["gwcode"].isin(members)]
    frame["region_rank"] = frame["p_attempt"].rank(ascending=False, method="first") \
        .astype("int64")
    for column in ITEM:
        if column not in frame:
            frame[column] = None
    for column in ("p_attempt", "p_coup", "p_failed", "p_attempt_last_year", "change"):
        frame[column] = frame[column].astype(float).round(6)  # 1e-6 is plenty, halves the size
    kind = "forecast" if year == snap.target_year else "backtest"
    return dumps({
        "year": year, "kind": kind, "region": region or "World", "count": len(frame),
        "of": len(snap.ranked(year)), "years": snap.years(), "run": run_info(snap),
        "about": ("Probability of at least one coup attempt (successful or failed) in the "
                  "year, made with data through the previous year. Past years are "
                  "out-of-sample backtest forecasts of the same model."),
        "items": records(frame[[*ITEM, "region_rank"]]),
    })


@router.get("/forecasts", summary="Ranked coup risk for a year (default: the next year)",
            responses=ERRORS)
async def forecasts(
    request_snap: Snapshot = Depends(snapshot),
    year: int | None = Query(None, ge=1900, le=2100,
                             description="target year; past years come from the backtest"),
    region: Region | None = Query(None, description="World, Africa, ECOWAS, Sahel, AU-West, "
                                  "..."),
):
    snap = request_snap
    target = check_year(snap, year)
    name = region.value if region else None
    key = ("forecasts", target, name)
    return json_bytes(snap.cached(key, lambda: ranked_payload(snap, target, name)))


@router.get("/forecasts/{iso3}/history",
            summary="Our out-of-sample forecast for each past year beside what happened",
            responses=ERRORS)
def history(iso3: str = ISO3, snap: Snapshot = Depends(snapshot)):
    code = country(snap, iso3)
    need_forecast(snap)

    def build():
        rows = snap.history(code)
        items = records(rows[["year", "p_attempt", "p_coup", "p_failed", "rank",
                              "observed_attempt", "observed_coup", "observed_failed"]])
        counts = snap.backtests.groupby("year").size().to_dict()
        for item in items:
            item["of"] = int(counts.get(item["year"], 0))
        events = snap.country_events(code)[["date", "year", "kind"]]
        return dumps({"iso3": snap.countries.loc[code, "iso3"],
                      "country": snap.countries.loc[code, "name"], "run": run_info(snap),
                      "items": items, "events": records(events)})
    return json_bytes(snap.cached(("history", code), build))


@router.get("/surprises", summary="Coup attempts our backtest forecast rated low",
            responses=ERRORS)
def surprises(snap: Snapshot = Depends(snapshot),
              limit: int = Query(10, ge=1, le=100),
              region: Region | None = Query(None)):
    need_forecast(snap)
    frame = snap.backtests[snap.backtests["observed_attempt"] == 1]
    frame = in_region(frame, region)  # membership as of each event's year
    frame = frame.sort_values(["p_attempt", "year"]).head(limit)
    counts = snap.backtests.groupby("year").size().to_dict()
    items = records(frame[["year", "gwcode", "iso3", "country", "p_attempt", "rank",
                           "observed_coup", "observed_failed"]])
    events = snap.events
    for item in items:
        item["of"] = int(counts.get(item["year"], 0))
        hit = events[(events["gwcode"] == item["gwcode"]) & (events["year"] == item["year"])]
        item["events"] = records(hit[["date", "kind"]])
    return {"count": len(items), "items": items}
