"""Leader and election features of the country-month panel, from the warehouse's dated
records (table ``spells``). Definitions are in ``panel.monthly``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coupwatch.panel import leader_join as join
from coupwatch.panel import months

# Sources of dated records, by date: REIGN up to the month its lists cover, Wikidata after
# (``panel.leader_join``).
SOURCES = ("reign", "wikidata")
LEADER_CARRY = 12  # months past the list's coverage: tenure counts on, changes age
ELECTION_CARRY = 24  # as the annual panel carries years since election for up to 3 years
KNOWN_AHEAD = 12  # a vote with no announcement date counts as known a year before its day


def _carried(values: dict[str, np.ndarray], mi: np.ndarray, coverage: np.ndarray | None,
             carry: int, flag: str) -> dict[str, np.ndarray]:
    """NaN beyond ``carry`` months past each row's coverage; ``flag`` holds the months past
    it."""
    if coverage is None:
        return {k: np.full(len(mi), np.nan) for k in [*values, flag]}
    past = mi - coverage
    usable = past <= carry  # False where a state has no coverage (NaN)
    out = {k: np.where(usable, v, np.nan) for k, v in values.items()}
    out[flag] = np.where(usable, np.clip(past, 0, None), np.nan)
    return out


def leaders(con, grid: months.Grid, rows: pd.DataFrame, coups: np.ndarray,
            entry_month: dict[int, int]) -> dict[str, np.ndarray]:
    """Tenure of the leader in office at the month's end, leader changes, irregular exits."""
    joined = join.leaders(con)
    spells = joined.frame
    names = ["leader_months", "leader_is_military", "leader_changes_3m",
             "leader_changes_12m", "irregular_exits_12m", "irregular_exits_36m"]
    if spells.empty:
        return _carried({n: np.zeros(len(rows)) for n in names}, rows["mi"].to_numpy(),
                        None, LEADER_CARRY, "leader_cf")
    spells["s"] = months.of_dates(spells["start_date"])
    spells["e"] = months.of_dates(spells["end_date"])
    tenure, military = np.full(grid.shape, np.nan), np.full(grid.shape, np.nan)
    span = np.arange(grid.first, grid.last + 1)
    starts, exits = [], []
    for code, own in spells.groupby("gwcode", sort=False):
        if int(code) not in grid.position:
            continue
        g = grid.position[int(code)]
        s, e = own["s"].to_numpy(), own["e"].to_numpy()
        ends = np.where(e < 0, np.iinfo(np.int64).max, e)
        # the leader at a month's end: the latest to take office by then, unless gone
        current = np.searchsorted(s, span, side="right") - 1
        valid = current >= 0
        valid[valid] &= ends[current[valid]] >= span[valid]
        tenure[g, valid] = span[valid] - s[current[valid]]
        military[g, valid] = own["military"].to_numpy()[current[valid]]
        entry = entry_month.get(int(code), grid.first)
        starts += [(code, m) for m in s if m > entry]
        column = e - grid.first
        inside = (e >= grid.first) & (e <= grid.last)
        near = np.zeros(len(e), dtype=bool)
        for lag in (0, 1):  # a coup in the month of the exit or the month before, against
            # a leader in office before it
            coup = np.clip(column - lag, 0, grid.shape[1] - 1)
            near |= inside & (coups[g, coup] > 0) & (column - lag >= 0) & (s < e - lag)
        exits += [(code, m) for m in e[near]]
    changes = grid.counts([c for c, _ in starts], [m for _, m in starts])
    irregular = grid.counts([c for c, _ in exits], [m for _, m in exits])
    mi = rows["mi"].to_numpy()
    at = grid.where(rows["gwcode"], mi)
    values = {"leader_months": grid.take(tenure, at),
              "leader_is_military": grid.take(military, at)}
    for width in (3, 12):
        values[f"leader_changes_{width}m"] = grid.take(months.window(changes, width), at)
    for width in (12, 36):
        values[f"irregular_exits_{width}m"] = grid.take(months.window(irregular, width), at)
    return _carried(values, mi, joined.coverage_of(rows["gwcode"].to_numpy()), LEADER_CARRY,
                    "leader_cf")


def elections(con, grid: months.Grid, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Months since the last national vote held; months until the next one known. Up to the
    end of REIGN's list from REIGN's records alone, after it from the joined ones."""
    own, joined = join.elections(con)
    mi = rows["mi"].to_numpy()
    codes = rows["gwcode"].to_numpy()
    if own.frame.empty and joined is None:
        return _carried({"months_since_vote": mi * 0.0, "months_to_vote": mi * 0.0}, mi,
                        None, ELECTION_CARRY, "election_cf")
    at = grid.where(rows["gwcode"], mi)
    values = _votes(own.frame, grid, at)
    coverage = own.coverage_of(codes)
    if joined is not None:
        later = _votes(joined.frame, grid, at)
        after = mi > joined.reign_end if joined.reign_end is not None else np.ones(len(mi), bool)
        values = {k: np.where(after, later[k], v) for k, v in values.items()}
        coverage = joined.coverage_of(codes)
    return _carried(values, mi, coverage, ELECTION_CARRY, "election_cf")


def _votes(votes: pd.DataFrame, grid: months.Grid, at) -> dict[str, np.ndarray]:
    if votes.empty:
        return {"months_since_vote": np.full(len(at[0]), np.nan),
                "months_to_vote": np.full(len(at[0]), np.nan)}
    day = months.of_dates(votes["end_date"])
    held = (votes["detail"] == "held").to_numpy()
    since = months.since(grid.counts(votes.loc[held, "gwcode"], day[held]))
    announced = months.of_dates(votes["start_date"])
    known = np.where(announced >= 0, announced, day - KNOWN_AHEAD)
    ahead = np.full(grid.shape, np.inf)
    for gw, vote, first in zip(votes["gwcode"], day, known, strict=True):
        g = grid.position.get(int(gw))
        lo, hi = max(first, grid.first), min(vote, grid.last + 1)
        if g is None or vote < 0 or lo >= hi:
            continue
        # from the month it was known to the month before the vote
        span = np.arange(lo, hi)
        ahead[g, span - grid.first] = np.minimum(ahead[g, span - grid.first], vote - span)
    ahead[np.isinf(ahead)] = np.nan
    return {"months_since_vote": grid.take(since, at), "months_to_vote": grid.take(ahead, at)}
