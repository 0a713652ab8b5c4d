"""Helpers for the monthly tests: the mirror cut at the end of a month."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_mirror, read_rows, write_rows

from coupwatch.sources import reign_dates

CLINE = "cline/Coup_Data_v2.1.2.csv"


def _month(year: str, month: str) -> int:
    return int(year) * 12 + int(month) - 1


def _cut_events(path: Path, through: int, delimiter: str, quote_first: bool = False) -> None:
    rows = read_rows(path, delimiter=delimiter)
    year, month = rows[0].index("year"), rows[0].index("month")
    kept = [rows[0]] + [r for r in rows[1:] if _month(r[year], r[month]) <= through]
    if quote_first:  # the publisher quotes Cline's coup_id, a number kept as text
        kept = [[f'"{r[0]}"', *r[1:]] if i else r for i, r in enumerate(kept)]
        text = "\r\n".join(delimiter.join(r) for r in kept) + "\r\n"
        path.write_bytes(text.encode("latin-1"))
        return
    write_rows(path, kept, delimiter=delimiter)


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
    coup events (both sources), leader spells and elections cut by date (the annual panels
    are left as they are: a month uses the annual values of a year ended by then)."""
    copy_mirror(dest)
    _cut_events(dest / "powell-thyne/powell_thyne_coups_final_2015.txt", through, "\t")
    _cut_events(dest / "powell-thyne/powell_thyne_coups_v2022-11-29.csv", through, ",")
    _cut_events(dest / CLINE, through, ",", quote_first=True)
    _cut_leaders(dest / "reign/leaderlist_3_21.csv", through)
    _cut_elections(dest / "reign/electionlist_3_21.csv", through)
    return dest
