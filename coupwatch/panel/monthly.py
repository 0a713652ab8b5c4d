"""The country-month panel: one row per G&W state and month, features known at the month's end.

Rows. A state exists in every month of a year in which the G&W state system lists it (the
state-years carry no dates within the year), from January 1950 to the last month the newest
Powell & Thyne release covers (V2022.11.29: November 2022; a release counts its own month
when dated within the month's last three days). Column ``mi`` is the month index
``year * 12 + month - 1``.

Outcomes of the month (Powell & Thyne, newest release): ``n_attempts``, 0/1 ``attempt``,
``coup`` (successful) and ``failed``. An event without a day counts in its month.

Features, each a function of records dated on or before the row's month:

- coup history: ``months_since_attempt / _coup / _failed`` (0 in the month of the event;
  with none since 1950, months since the state's first month and ``no_<kind>_on_record`` =
  1), ``attempts_3m / 6m / 12m / 36m`` and ``coups_12m / 36m`` (the month itself included);
- Cline Center (``source = 'cline'`` events): ``cline_plots_<w>m`` (conspiracies, i.e.
  discovered plots) and ``cline_self_coups_<w>m`` (events flagged ``auto``) for w = 6, 12,
  36; empty with a note when Cline is not loaded; carried 12 months past the release's
  coverage (``cline_cf``);
- contagion: ``<group>_attempts_<w>m`` for w = 1, 3, 6, 12, the attempts of the other
  members of the state's AU region, UN subregion, ECOWAS and Sahel group (members at the
  month's end, from ``data/regions.csv``; NaN if the state is in none), and ``world_...``
  for every other state; ``member_ecowas``, ``member_sahel``;
- leaders (``spells`` of kind ``leader``): ``leader_months``, the tenure of the leader in
  office at the month's end (the latest to take office by then, unless gone), its
  ``leader_is_military``, ``leader_changes_3m / 12m`` (leaders taking office, the first
  leader at a state's entry not counted), and ``irregular_exits_12m / 36m``: the list has
  no exit type, so an exit is irregular when a leader in office before a successful coup
  in that state leaves in the coup's month or the month after (end months are all the list
  gives: 31 days of tolerance at month precision; a coup leader handing over within weeks,
  Mali's Sanogo in April 2012, is not an irregular exit). Carried 12 months past the list's coverage
  (REIGN March 2021: February 2021), so tenure counts on and changes age; ``leader_cf``.
  With Wikidata loaded, REIGN's spells are continued by Wikidata's after February 2021
  (``panel.leader_join``), and a state Wikidata continues is covered to its last full month;
- elections (``spells`` of kind ``election``): ``months_since_vote`` (national votes held)
  and ``months_to_vote``: months to the nearest vote known by the month's end, held or not
  (a vote later voided by a coup was still expected). A vote is known from its
  announcement when the list dates one, else from 12 months before its day (the list does
  not say when regular votes were fixed: an assumption). Carried 24 months; ``election_cf``.
  Votes after REIGN's coverage come from Wikidata when it is loaded;
- the annual panel's features of the last complete year: the annual value of year t is
  usable at the end of December of t (the annual model's own assumption), so January to
  November of Y take year Y-1 and December of Y takes Y. Annual coup-history columns the
  monthly ones replace (years since, 5-year counts, flags) are left out.

A dated feature past its source's coverage plus its carry is NaN, never filled backwards.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.panel import monthly_events as ev
from coupwatch.panel import monthly_leaders as ld
from coupwatch.panel.design import feature_columns
from coupwatch.panel.months import Grid
from coupwatch.panel.store import load as load_annual

START = 1950
LOOKBACK = 48  # months before START kept in the dense arrays, so windows see them
OUTCOMES = ("n_attempts", "attempt", "coup", "failed")
ID_COLUMNS = ("gwcode", "iso3", "country", "year", "month", "mi")
ANNUAL_REPLACED = ("years_since_", "no_", "attempts_5y", "coups_5y", "faileds_5y")


def build(con: duckdb.DuckDBPyConnection, *, start: int = START) -> pd.DataFrame:
    """The panel, sorted by gwcode and month; ``attrs['notes']`` lists empty sources."""
    events, last = ev.powell_thyne(con)
    if last is None:
        raise BadInput("the warehouse has no Powell & Thyne events: run `coupwatch data "
                       "update`")
    rows = _rows(con, start, last)
    codes = np.sort(rows["gwcode"].unique())
    grid = Grid(codes, start * 12 - LOOKBACK, last)
    entry = rows.groupby("gwcode")["mi"].min()
    counts = ev.outcome_matrices(grid, events)
    at = grid.where(rows["gwcode"], rows["mi"])
    columns: dict[str, np.ndarray] = {}
    for kind, name in (("attempt", "n_attempts"), ("coup", "n_coups"), ("failed", "n_failed")):
        columns[name] = grid.take(counts[kind], at)
    for kind, name in (("attempt", "n_attempts"), ("coup", "n_coups"), ("failed", "n_failed")):
        columns[kind] = (columns[name] > 0).astype("float64")
    del columns["n_coups"], columns["n_failed"]
    columns.update(ev.history(grid, counts, rows, rows["gwcode"].map(entry).to_numpy()))
    cline, note = ev.cline(con, grid, rows)
    columns.update(cline)
    columns.update(ev.regional(grid, counts["attempt"], rows))
    columns.update(ld.leaders(con, grid, rows, counts["coup"], entry.to_dict()))
    columns.update(ld.elections(con, grid, rows))
    annual, names = _annual(con, rows)
    # one float block filled in place: a frame built from ~160 separate columns would hold
    # every value twice while pandas consolidates them
    values = np.empty((len(rows), len(columns) + len(names)))
    for i, column in enumerate(columns.values()):
        values[:, i] = column
    values[:, len(columns):] = annual
    features = pd.DataFrame(values, columns=[*columns, *names], index=rows.index, copy=False)
    panel = pd.concat([rows, features], axis=1, copy=False)
    panel.attrs["notes"] = [note] if note else []
    panel.attrs["last_month"] = last
    return panel


def _rows(con, start: int, last: int) -> pd.DataFrame:
    states = con.execute("""SELECT gwcode, year FROM indicators WHERE source = 'gw'
                            AND variable = 'state_age' AND year >= ? AND year <= ?
                            ORDER BY gwcode, year""", [start, last // 12]).df()
    if states.empty:
        raise BadInput("the warehouse has no G&W state system: run `coupwatch data update`")
    names = con.execute("SELECT gwcode, iso3, name AS country FROM countries").df()
    states = states.merge(names, on="gwcode", how="left")
    rows = states.loc[states.index.repeat(12)].reset_index(drop=True)
    rows["month"] = np.tile(np.arange(1, 13), len(states))
    rows["mi"] = rows["year"] * 12 + rows["month"] - 1
    rows = rows[rows["mi"] <= last]
    return rows[list(ID_COLUMNS)].reset_index(drop=True)


def _annual(con, rows: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Beside each month, the annual panel's features of the last complete year."""
    annual = load_annual(con)
    keep = [c for c in feature_columns(annual)
            if not c.endswith("_cf") and not c.startswith(ANNUAL_REPLACED)]
    position = pd.Series(np.arange(len(annual)),
                         index=annual["gwcode"].to_numpy() * 10_000 + annual["year"].to_numpy())
    wanted = rows["gwcode"].to_numpy() * 10_000 + rows["year"].to_numpy() - (
        rows["month"].to_numpy() < 12)
    at = position.reindex(wanted).to_numpy()
    found = ~np.isnan(at)
    table = annual[keep].to_numpy(dtype="float64", na_value=np.nan)
    out = np.full((len(rows), len(keep)), np.nan)
    out[found] = table[at[found].astype(np.int64)]
    return out, keep


def feature_names(panel: pd.DataFrame) -> list[str]:
    """Feature columns (everything but identifiers and outcomes; ``_cf`` flags included)."""
    return [c for c in panel.columns if c not in (*ID_COLUMNS, *OUTCOMES)]
