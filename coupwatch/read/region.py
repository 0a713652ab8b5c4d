"""A region at a glance: its coups by year, its members' risks, and the chance of at least one.

Membership is dated (``data/regions.csv``): a coup counts for a region only if the state was a
member at the end of that year, and the risk list holds the states that were members at any
time in the forecast year (or up to today, for a year still to come), so a group dissolved in
December still has that year's members; suspensions are as of the end of the year.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch import regions
from coupwatch.errors import BadInput
from coupwatch.read import console

Runner = Callable[[str], console.Result]

ASSUMPTION = ("members' attempts are treated as independent events, so P(at least one) = "
              "1 − ∏(1 − p). Coups cluster in time and space (positive dependence), which makes "
              "the true figure lower than this for the same member risks; whatever the "
              "dependence, it lies between the largest member risk and the sum of the risks.")

# Names people type for the Sahel groupings, mapped to the names in data/regions.csv.
ALIASES = {"g5sahel": "G5-Sahel", "g5": "G5-Sahel", "aes": "AES",
           "allianceofsahelstates": "AES", "alliancedesetatsdusahel": "AES",
           "sahel": "Sahel", "ecowas": "ECOWAS", "cedeao": "ECOWAS"}


@dataclass
class RegionReport:
    region: str
    year: int  # the forecast year
    basis: str  # where the member risks come from
    members: pd.DataFrame  # gwcode, iso3, country, p_attempt, p_coup, rank, change, status
    counts: pd.DataFrame  # year, members, attempts, successful, failed
    p_any_attempt: float
    p_any_coup: float
    expected_attempts: float
    bounds: tuple[float, float]  # any dependence: [max p, min(1, sum p)]
    base_rate: tuple[int, int]  # (years with an attempt, years) over the last 20 full years
    assumption: str = ASSUMPTION
    missing: list[str] = field(default_factory=list)  # members without a forecast


def canonical(name: str) -> str:
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    return ALIASES.get(key, name.strip())


def report(name: str, year: int | None = None, *, path: Path | None = None) -> RegionReport:
    region = canonical(name)
    regions.members(region)  # unknown names fail here, before the warehouse is opened
    # The console's views define "the newest run", "its backtests" and "the newest release"
    # once, for the dashboard, the SQL console and this report alike.
    with console.session(path) as run:
        target = year if year is not None else _latest_target(run)
        risks, basis = _risks(run, target)
        events = run("SELECT gwcode, year, kind FROM coups").frame()
        states = run("SELECT gwcode, iso3, name, first_year, last_year FROM countries").frame()
    last_year = int(events["year"].max())
    as_of = min(target, dt.date.today().year)
    codes = _members(region, as_of, states, during=True)
    members = _member_table(region, codes, as_of, risks, states)
    counts = _counts(region, events, states, last_year)
    p = members["p_attempt"].dropna().to_numpy()
    q = members["p_coup"].dropna().to_numpy()
    recent = counts[counts["year"] > last_year - 20]
    return RegionReport(
        region=region, year=target, basis=basis, members=members, counts=counts,
        p_any_attempt=float(1 - np.prod(1 - p)), p_any_coup=float(1 - np.prod(1 - q)),
        expected_attempts=float(p.sum()),
        bounds=(float(p.max()) if len(p) else 0.0, float(min(1.0, p.sum()))),
        base_rate=(int((recent["attempts"] > 0).sum()), len(recent)),
        missing=sorted(members.loc[members["p_attempt"].isna(), "country"].astype(str)))


def _latest_target(run: Runner) -> int:
    return int(run("SELECT year FROM forecasts LIMIT 1").rows[0][0])


def _risks(run: Runner, target: int) -> tuple[pd.DataFrame, str]:
    """The newest forecast run for ``target``; else the out-of-sample backtest for it."""
    frame = run(f"""
        SELECT gwcode, p_attempt, p_coup, rank, change, run_id, model, run_created_at
        FROM forecast_history
        WHERE run_id = (SELECT run_id FROM forecast_history WHERE year = {int(target)}
                        ORDER BY run_created_at DESC LIMIT 1)""").frame()
    if len(frame):
        first = frame.iloc[0]
        return frame.iloc[:, :5], (f"forecast run {first['run_id']} ({first['model']}, made "
                                   f"{first['run_created_at']:%Y-%m-%d})")
    frame = run(f"""
        SELECT gwcode, p_attempt, p_coup, rank() OVER (ORDER BY p_attempt DESC) AS rank,
               NULL AS change, model
        FROM backtests WHERE year = {int(target)}""").frame()
    if len(frame):
        return frame.iloc[:, :5], (f"out-of-sample backtest forecast for {target} "
                                   f"({frame['model'].iloc[0]}, data through {target - 1})")
    raise BadInput(f"no forecast for {target}: {_how_to_get(run, target)}", parameter="year")


def _how_to_get(run: Runner, target: int) -> str:
    """The commands that would make a forecast for ``target``, only when they can: forecasts
    target from MIN_TRAIN_YEARS after the first year with inputs (the panel's first year has
    no year before it) to the year after the last known outcome."""
    from coupwatch.forecasts.rolling import target_span

    first, last = run("SELECT min(year), max(year) FROM panel WHERE attempt IS NOT NULL").rows[0]
    if first is None:
        return "there are no coup data yet (`coupwatch data update`)"
    # the panel's first year has no year before it to take inputs from
    first, last = target_span(int(first) + 1, int(last))
    if not first <= target <= last:
        return f"forecasts can target {first}-{last} (coup events are known through {last - 1})"
    backtest = (f" or `coupwatch backtest --from {target} --to {target}`"
                if target < last else "")
    return f"run `coupwatch forecast --year {target}`{backtest}"


def _members(region: str, year: int, states: pd.DataFrame, *, during: bool = False) -> set[int]:
    alive = states[(states["first_year"] <= year) & (states["last_year"] >= year)]
    found = regions.members_during(region, year) if during else regions.members(region, year)
    return found & set(alive["gwcode"].astype(int))


def _member_table(region: str, codes: set[int], year: int, risks: pd.DataFrame,
                  states: pd.DataFrame) -> pd.DataFrame:
    table = states[states["gwcode"].isin(codes)][["gwcode", "iso3", "name"]]
    table = table.rename(columns={"name": "country"}).merge(risks, on="gwcode", how="left")
    table["status"] = table["gwcode"].map(lambda g: _status(region, int(g), year))
    return table.sort_values(["p_attempt", "country"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)


def _status(region: str, gwcode: int, year: int) -> str:
    rows = regions.in_force(year, kind="suspension")
    hit = (rows["region"].str.lower() == region.lower()) & (rows["gwcode"] == gwcode)
    return "suspended" if hit.any() else ""


def _counts(region: str, events: pd.DataFrame, states: pd.DataFrame,
            last_year: int) -> pd.DataFrame:
    dated = regions.memberships()
    dated = dated[(dated["region"].str.lower() == region.lower()) & (dated["kind"] == "member")]
    first = max(1950, int(dated["start"].dt.year.min()) if len(dated) else 1950)
    rows = []
    for year in range(first, last_year + 1):
        codes = _members(region, year, states)
        hits = events[(events["year"] == year) & events["gwcode"].isin(codes)]
        rows.append((year, len(codes), len(hits), int((hits["kind"] == "successful").sum()),
                     int((hits["kind"] == "failed").sum())))
    return pd.DataFrame(rows, columns=["year", "members", "attempts", "successful", "failed"])


def as_json(rep: RegionReport) -> dict:
    return {"region": rep.region, "year": rep.year, "basis": rep.basis,
            "p_any_attempt": rep.p_any_attempt, "p_any_coup": rep.p_any_coup,
            "expected_attempts": rep.expected_attempts, "bounds": list(rep.bounds),
            "assumption": rep.assumption,
            "base_rate": {"years_with_attempt": rep.base_rate[0], "years": rep.base_rate[1]},
            "missing": rep.missing,
            "members": json.loads(rep.members.to_json(orient="records")),
            "counts": json.loads(rep.counts.to_json(orient="records"))}
