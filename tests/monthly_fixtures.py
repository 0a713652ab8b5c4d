"""Helpers for the monthly tests: Cline Center events loaded the way the ``cline`` connector
(built on another branch) stores them, and the mirror cut at the end of a month.

The Cline loader is test-local on purpose: it follows the agreed contract (``events`` rows
with ``source = 'cline'``, ``kind`` coup / attempted / conspiracy, ``actors`` = the sorted
names of the 0/1 flags that are 1) and is no connector: no strict reading, no provenance.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from conftest import MIRROR, copy_mirror, read_rows, write_rows

from coupwatch import countries
from coupwatch.sources import reign_dates

CLINE = "cline/Coup_Data_v2.1.2.csv"
FLAGS = ["unrealized", "realized", "conspiracy", "attempt", "military", "dissident", "rebel",
         "palace", "foreign", "auto", "resign", "popular", "counter", "other", "noharm",
         "injured", "killed", "harrest", "jailed", "tried", "fled", "exile"]


def cline_events(mirror: Path = MIRROR, through: int | None = None) -> pd.DataFrame:
    """Cline events as ``events`` rows; ``through`` (a month index) cuts them by date."""
    raw = pd.read_csv(mirror / CLINE)
    raw["line"] = raw.index + 2
    if through is not None:
        raw = raw[raw["year"] * 12 + raw["month"] - 1 <= through]
    gw = [_gw(int(c), int(y)) for c, y in zip(raw["cowcode"], raw["year"], strict=True)]
    actors = raw[FLAGS].apply(lambda r: ",".join(sorted(f for f in FLAGS if r[f] == 1)), axis=1)
    return pd.DataFrame({
        "source": "cline", "file": CLINE, "line": raw["line"], "release": "Coup_Data_v2.1.2",
        "gwcode": pd.array(gw, dtype="Int64"), "cowcode": raw["cowcode"],
        "country": raw["country"], "year": raw["year"], "month": raw["month"],
        "day": raw["day"], "kind": raw["event_type"], "actors": actors})


def _gw(code: int, year: int) -> int | None:
    try:
        return countries.cow_to_gw(code, year)
    except KeyError:  # a code of no state (the connector reports it; here it is left out)
        return None


def load_cline(db: Path, through: int | None = None) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("ALTER TABLE events ADD COLUMN IF NOT EXISTS actors VARCHAR")
        con.execute("DELETE FROM events WHERE source = 'cline'")
        con.register("incoming", cline_events(through=through))
        con.execute("""INSERT INTO events (source, file, line, release, gwcode, cowcode,
                       country, year, month, day, kind, actors) SELECT source, file, line,
                       release, gwcode, cowcode, country, year, month, day, kind, actors
                       FROM incoming""")
    finally:
        con.close()


def _month(year: str, month: str) -> int:
    return int(year) * 12 + int(month) - 1


def _cut_events(path: Path, through: int, delimiter: str) -> None:
    rows = read_rows(path, delimiter=delimiter)
    year, month = rows[0].index("year"), rows[0].index("month")
    write_rows(path, [rows[0]] + [r for r in rows[1:] if _month(r[year], r[month]) <= through],
               delimiter=delimiter)


def _cut_leaders(path: Path, through: int) -> None:
    rows = read_rows(path)
    head = rows[0]
    syear, smonth = head.index("syear"), head.index("smonth")
    eyear, emonth = head.index("eyear"), head.index("emonth")
    kept = [head]
    for row in rows[1:]:
        if _month(row[syear], row[smonth]) > through:
            continue
        if row[eyear].strip() and _month(row[eyear], row[emonth]) > through:
            row[eyear] = row[emonth] = ""  # still in office at the end of the month
        kept.append(row)
    write_rows(path, kept)


def _cut_elections(path: Path, through: int) -> None:
    """Rows dated after the month go; an election then still to come but already known (by
    its announcement, or a year ahead) stays as a vote "Upcoming, Scheduled" on its day."""
    rows = read_rows(path)
    head = rows[0]
    at = {name: head.index(name) for name in ("elec_year", "elec_month", "elec_day", "event",
                                              "elecnum")}
    by_election: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_election.setdefault(row[at["elecnum"]], []).append(row)
    kept = [head]
    for group in by_election.values():
        when = [_month(r[at["elec_year"]], r[at["elec_month"]]) for r in group]
        kept += [r for r, m in zip(group, when, strict=True) if m <= through]
        events = [reign_dates._event(r[at["event"]]) for r in group]
        dated = next((i for names in (reign_dates.HELD, reign_dates.SCHEDULED,
                                      reign_dates.NOT_HELD)
                      for i, e in enumerate(events) if e in names), None)
        if dated is None or when[dated] <= through:
            continue
        announced = next((when[i] for i, e in enumerate(events)
                          if e in reign_dates.ANNOUNCED), None)
        known = announced if announced is not None else when[dated] - 12
        if known <= through:
            upcoming = list(group[dated])
            upcoming[at["event"]] = "Upcoming, Scheduled"
            kept.append(upcoming)
    write_rows(path, kept)


def truncated_mirror(dest: Path, through: int) -> Path:
    """The mirror's dated files as they would have been at the end of month ``through``:
    coup events, leader spells and elections cut by date (the annual panels are left as
    they are: a month uses the annual values of a year ended by then)."""
    copy_mirror(dest)
    _cut_events(dest / "powell-thyne/powell_thyne_coups_final_2015.txt", through, "\t")
    _cut_events(dest / "powell-thyne/powell_thyne_coups_v2022-11-29.csv", through, ",")
    _cut_leaders(dest / "reign/leaderlist_3_21.csv", through)
    _cut_elections(dest / "reign/electionlist_3_21.csv", through)
    return dest
