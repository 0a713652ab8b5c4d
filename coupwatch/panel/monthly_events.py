"""Event features of the country-month panel: coup history (Powell & Thyne), coup plots and
self-coups (Cline Center), and attempts in the state's regions and worldwide.

Definitions are in ``panel.monthly``; everything here is a function of events dated on or
before the row's month (an event without a day counts in its month).
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from coupwatch import regions
from coupwatch.panel import months
from coupwatch.panel.build import _events as newest_powell_thyne

HISTORY_WINDOWS = (3, 6, 12, 36)
CLINE_WINDOWS = (6, 12, 36)
REGION_WINDOWS = (1, 3, 6, 12)
CLINE_CARRY = 12  # months past the Cline release's coverage a count may be carried
# Coverage of Cline Center releases whose names carry no date: the publisher's own range.
CLINE_COVERAGE = {"2.1.2": (2022, 12)}


def powell_thyne(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, int | None]:
    """Events of the newest release with their month index, and the last month it covers."""
    events, through = newest_powell_thyne(con)
    events = events.assign(mi=months.index(events["year"].astype(int),
                                           events["month"].astype(int)))
    return events, (months.covered_through(through) if through is not None else None)


def outcome_matrices(grid: months.Grid, events: pd.DataFrame) -> dict[str, np.ndarray]:
    return {"attempt": grid.counts(events["gwcode"], events["mi"]),
            "coup": grid.counts(*_of(events, events["kind"] == "successful")),
            "failed": grid.counts(*_of(events, events["kind"] == "failed"))}


def _of(events: pd.DataFrame, mask: pd.Series) -> tuple[pd.Series, pd.Series]:
    return events.loc[mask, "gwcode"], events.loc[mask, "mi"]


def history(grid: months.Grid, counts: dict[str, np.ndarray], rows: pd.DataFrame,
            entry: np.ndarray) -> dict[str, np.ndarray]:
    """Months since the last attempt / coup / failed attempt; attempts in recent windows.

    With none on record since 1950, "months since" counts from the state's first month in
    the panel (its entry, or January 1950) and ``no_<kind>_on_record`` is 1, as in the
    annual panel.
    """
    out = {}
    mi = rows["mi"].to_numpy()
    at = grid.where(rows["gwcode"], mi)
    for kind, matrix in counts.items():
        since = grid.take(months.since(matrix), at)
        none = np.isnan(since)
        out[f"months_since_{kind}"] = np.where(none, mi - entry + 1, since)
        out[f"no_{kind}_on_record"] = none.astype("float64")
    for width in HISTORY_WINDOWS:
        out[f"attempts_{width}m"] = grid.take(months.window(counts["attempt"], width), at)
    for width in (12, 36):
        out[f"coups_{width}m"] = grid.take(months.window(counts["coup"], width), at)
    return out


def cline(con: duckdb.DuckDBPyConnection, grid: months.Grid, rows: pd.DataFrame,
          ) -> tuple[dict[str, np.ndarray], str]:
    """Coup plots (``conspiracy``) and self-coups (actor flag ``auto``) in recent windows."""
    names = [f"cline_{what}_{w}m" for what in ("plots", "self_coups") for w in CLINE_WINDOWS]
    blank = {name: np.full(len(rows), np.nan) for name in [*names, "cline_cf"]}
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events' "
        "AND database_name = current_database()").fetchall()}
    events = con.execute(f"""SELECT gwcode, year, month, kind, release,
                             {'actors' if 'actors' in columns else 'NULL AS actors'}
                             FROM events WHERE source = 'cline' AND gwcode IS NOT NULL""").df()
    if events.empty:
        return blank, "Cline Center events not loaded: plot and self-coup features are empty"
    events["mi"] = months.index(events["year"].astype(int), events["month"].astype(int))
    coverage = _cline_coverage(events)
    plots = events["kind"] == "conspiracy"
    auto = events["actors"].fillna("").map(lambda a: "auto" in a.split(","))
    mi = rows["mi"].to_numpy()
    at = grid.where(rows["gwcode"], mi)
    past = mi - coverage
    usable = past <= CLINE_CARRY
    out = {}
    for what, mask in (("plots", plots), ("self_coups", auto)):
        matrix = grid.counts(*_of(events, mask))
        for width in CLINE_WINDOWS:
            value = grid.take(months.window(matrix, width), at)
            out[f"cline_{what}_{width}m"] = np.where(usable, value, np.nan)
    out["cline_cf"] = np.where(usable, np.clip(past, 0, None), np.nan)
    note = "" if "actors" in columns else "events.actors missing: self-coups not counted"
    return out, note


def _cline_coverage(events: pd.DataFrame) -> int:
    """Last month the loaded Cline release covers: known releases by version, else the end
    of the year of its newest event (the project publishes whole years)."""
    for release in events["release"].dropna().unique():
        match = re.search(r"(\d+\.\d+\.\d+)", str(release))
        if match and match.group(1) in CLINE_COVERAGE:
            return months.index(*CLINE_COVERAGE[match.group(1)])
    return months.index(int(events["year"].max()), 12)


def _labels_static(grid: months.Grid, mapping: pd.Series) -> np.ndarray:
    names = sorted(mapping.dropna().unique())
    ids = {n: i for i, n in enumerate(names)}
    per_state = np.array([ids.get(mapping.get(int(c)), -1) for c in grid.codes])
    return np.repeat(per_state[:, None], grid.shape[1], axis=1)


def _labels_dated(grid: months.Grid, rows: pd.DataFrame) -> np.ndarray:
    """Region id of each state at the end of each month (-1: none)."""
    ends = pd.to_datetime([f"{m // 12}-{m % 12 + 1:02d}-01" for m in
                           range(grid.first, grid.last + 1)]) + pd.offsets.MonthEnd(0)
    ends = ends.to_numpy()
    out = np.full(grid.shape, -1)
    for region_id, (_, group) in enumerate(rows.groupby("region", sort=True)):
        for row in group.itertuples(index=False):
            if row.gwcode != row.gwcode or int(row.gwcode) not in grid.position:
                continue
            live = ends >= np.datetime64(row.start)
            if not pd.isna(row.end):
                live &= ends < np.datetime64(row.end)
            out[grid.position[int(row.gwcode)], live] = region_id
    return out


def regional(grid: months.Grid, attempts: np.ndarray, rows: pd.DataFrame,
             ) -> dict[str, np.ndarray]:
    """Attempts elsewhere in the state's AU region, UN subregion, ECOWAS and Sahel group
    (membership at the end of the month) and worldwide; NaN where the state is in no such
    group. ``member_ecowas`` and ``member_sahel`` flag membership."""
    dated = regions.memberships()
    dated = dated[dated["kind"] == "member"]
    labels = {
        "au": _labels_dated(grid, dated[dated["region"].str.startswith("AU-")]),
        "subregion": _labels_static(grid, regions.geography()["un_subregion"]),
        "ecowas": _labels_dated(grid, dated[dated["region"] == "ECOWAS"]),
        "sahel": _labels_dated(grid, dated[dated["region"] == "Sahel"]),
        "world": np.zeros(grid.shape, dtype=int),
    }
    mi = rows["mi"].to_numpy()
    at = grid.where(rows["gwcode"], mi)
    out = {}
    for width in REGION_WINDOWS:
        recent = months.window(attempts, width)
        for name, label in labels.items():
            value = np.full(grid.shape, np.nan)
            for region_id in np.unique(label[label >= 0]):
                inside = label == region_id
                total = np.where(inside, recent, 0).sum(axis=0)
                value[inside] = (total[None, :] - recent)[inside]
            out[f"{name}_attempts_{width}m"] = grid.take(value, at)
    for name in ("ecowas", "sahel"):
        out[f"member_{name}"] = (grid.take(labels[name], at) >= 0).astype("float64")
    return out
