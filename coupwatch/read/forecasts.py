"""The annual forecasts as the interfaces show them: the ranked list of a year (the newest
run, or the out-of-sample backtest for past years), a country's record, the surprises, and
region filters by dated membership."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import pandas as pd

from coupwatch import regions
from coupwatch.read.jsonify import records

if TYPE_CHECKING:
    import pandas as pd

    from coupwatch.read.snapshot import Snapshot

ITEM = ["rank", "gwcode", "iso3", "country", "region", "p_attempt", "p_coup", "p_failed",
        "p_attempt_last_year", "change", "observed_attempt", "observed_coup",
        "observed_failed"]
ABOUT = ("Probability of at least one coup attempt (successful or failed) in the year, made "
         "with data through the previous year. Past years are out-of-sample backtest "
         "forecasts of the same model.")


def _name(region: str | Enum | None) -> str | None:
    return region.value if isinstance(region, Enum) else region


def region_members(region: str | Enum | None, year: int | None) -> set[int] | None:
    """A region's members at the end of ``year`` (a group formed later: its founders);
    None for the whole world."""
    region = _name(region)
    if region is None or region.strip().lower() in ("", "world"):
        return None
    return regions.members_for(region, year) if year is not None else regions.members(region)


def in_region(frame: pd.DataFrame, region: str | Enum | None) -> pd.DataFrame:
    """Rows whose state was a member of ``region`` in the row's own year."""
    if region_members(region, None) is None:
        return frame
    name = _name(region)
    keep = [int(g) in regions.members(name, int(y))
            for g, y in zip(frame["gwcode"], frame["year"], strict=True)]
    # a boolean mask, also when it is empty (frame[[]] would select no columns)
    return frame.loc[pd.Series(keep, index=frame.index, dtype=bool)]


def run_info(snap: Snapshot) -> dict:
    run = snap.run
    return {k: run[k] for k in ("run_id", "created_at", "target_year", "model",
                                "model_version", "code_version", "seed", "data_key")}


def ranked(snap: Snapshot, year: int, region: str | None) -> dict:
    """The ranked list of ``year`` for ``region`` (membership at the end of the year before,
    when the forecast was made)."""
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
    return {"year": year, "kind": kind, "region": region or "World",
            "count": len(frame), "of": len(snap.ranked(year)), "years": snap.years(),
            "run": run_info(snap), "about": ABOUT,
            "items": records(frame[[*ITEM, "region_rank"]])}


def history(snap: Snapshot, code: int) -> dict:
    """Our out-of-sample forecast for each past year beside what happened."""
    rows = snap.history(code)
    items = records(rows[["year", "p_attempt", "p_coup", "p_failed", "rank",
                          "observed_attempt", "observed_coup", "observed_failed"]])
    counts = snap.backtests.groupby("year").size().to_dict()
    for item in items:
        item["of"] = int(counts.get(item["year"], 0))
    events = snap.country_events(code)[["date", "year", "kind"]]
    return {"iso3": snap.countries.loc[code, "iso3"],
            "country": snap.countries.loc[code, "name"], "run": run_info(snap),
            "items": items, "events": records(events)}


SURPRISE_RANK = 20  # an attempt is a surprise if its state ranked below this in its year


def surprises(snap: Snapshot, limit: int, region: str | None,
              outside_top: int = SURPRISE_RANK) -> dict:
    """Coup attempts our backtest rated low: ranked outside the top ``outside_top`` states of
    their year (0: every attempt), lowest-rated first; for a region, only states that were
    members in the event's year."""
    frame = snap.backtests[snap.backtests["observed_attempt"] == 1]
    frame = frame[frame["rank"] > outside_top]
    frame = in_region(frame, region)
    frame = frame.sort_values(["p_attempt", "year"]).head(limit)
    counts = snap.backtests.groupby("year").size().to_dict()
    items = records(frame[["year", "gwcode", "iso3", "country", "p_attempt", "rank",
                           "observed_coup", "observed_failed"]])
    events = snap.events
    for item in items:
        item["of"] = int(counts.get(item["year"], 0))
        hit = events[(events["gwcode"] == item["gwcode"]) & (events["year"] == item["year"])]
        item["events"] = records(hit[["date", "kind"]])
    return {"count": len(items), "outside_top": outside_top, "items": items}
