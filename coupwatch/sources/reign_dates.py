"""REIGN's leader and election lists as dated records (``sources.spells``), beside the
country-year variables ``sources.reign`` aggregates from the same files.

Leader list: one record per leader spell. Start day, month and year are given; the end has a
month and year only (precision ``month``); a spell without an end was still running when the
list was released.

Election list: several rows per election (``elecnum``), one per event of its calendar, which
become one record per election:

- held: a row ``Vote, As Scheduled`` / ``Vote, Early`` (or ``Anulled``: a vote held and then
  annulled, e.g. Serbia 1997 and 2002 for low turnout). The record's date is the vote's.
- scheduled: ``Upcoming, Scheduled`` / ``Upcoming, Deadline``, the votes still to come when
  the list was released (March 2021); dated by the planned day.
- not held: ``Voided``, ``Voided by Regime Change`` or ``Deadline Not Met``, dated by that
  row, which is the day the vote was planned for (Cuba's June 1952 vote, voided by the March
  coup, is dated 1 June 1952; Afghanistan's 20 April 2019 vote, delayed in December 2018).
  ``Regime Failure`` rows are dated by the coup that ended the regime and never give a date:
  that would put the coup's date into the election calendar.
- ``Announced`` / ``Announcement Assumed`` rows give the day the vote became known (the
  record's start date); ``Delay Announced`` and ``Deadline Met`` rows add nothing here.

An election with neither a vote nor a planned date (an announcement alone) has no record.
A day its month does not have is read as the month alone (precision ``month``): the March
2021 list dates Singapore's next deadline 31 November 2025. Leader start days must exist.
A country code known to neither system is read from the election's id when that names a
known state (``elecnum`` is code x 1000 + number): the list codes Malawi's 2025 vote 533,
its id 553012.
"""

from __future__ import annotations

import calendar
import re

import pandas as pd

from coupwatch import countries
from coupwatch.sources._read import Table
from coupwatch.sources.spells import frame

HELD = ("vote as scheduled", "vote early", "anulled")
SCHEDULED = ("upcoming scheduled", "upcoming deadline")
NOT_HELD = ("voided", "voided by regime change", "deadline not met")
ANNOUNCED = ("announced", "announcement assumed", "announcement")
OTHER = ("delay announced", "delay", "deadline met", "regime failure")
ELECTION_TYPES = {"X": "executive", "L": "legislative", "R": "referendum"}


def _event(text: str) -> str:
    return re.sub(r"[\s,]+", " ", text.lower()).strip()


def _day(table: Table, index: int, column: str, year: int, month: int, day: float) -> None:
    if day == day and day > calendar.monthrange(year, month)[1]:
        raise table.fail(index, column, f"{year}-{month:02d} has no day {day:g}")


def _gwcodes(table: Table, index: int, cowcode: int, years: range) -> list[int]:
    """The G&W codes a COW code names over ``years`` (unmapped years are reported by the
    country-year parsers of the same file)."""
    found: list[int] = []
    for year in years:
        try:
            gw = countries.cow_to_gw(cowcode, year)
        except KeyError:
            raise table.fail(index, "ccode", f"unknown COW country code {cowcode}") from None
        if gw is not None and gw not in found:
            found.append(gw)
    return found


def leader_spells(table: Table, release: str) -> pd.DataFrame:
    table.require(["ccode", "leader", "sdate", "smonth", "syear", "emonth", "eyear",
                   "militarycareer"])
    codes = table.number("ccode", integer=True, required=True)
    sday = table.number("sdate", integer=True, required=True, lo=1, hi=31)
    smonth = table.number("smonth", integer=True, required=True, lo=1, hi=12)
    syear = table.number("syear", integer=True, required=True, lo=1800, hi=2100)
    emonth = table.number("emonth", integer=True, lo=1, hi=12)
    eyear = table.number("eyear", integer=True, lo=1800, hi=2100)
    military = table.number("militarycareer", lo=0, hi=1, na=["-99"])
    names = table.text("leader")
    ids = table.text("leadid") if table.has("leadid") else pd.Series("", index=names.index)
    last = int(max(syear.max(), eyear.max()))
    rows = []
    for i in range(len(codes)):
        start = (int(syear.iloc[i]), int(smonth.iloc[i]))
        _day(table, i, "sdate", *start, sday.iloc[i])
        if (eyear.iloc[i] == eyear.iloc[i]) != (emonth.iloc[i] == emonth.iloc[i]):
            raise table.fail(i, "emonth", "an end needs both month and year")
        end = (int(eyear.iloc[i]), int(emonth.iloc[i])) if eyear.iloc[i] == eyear.iloc[i] \
            else None
        if end is not None and end < start:
            raise table.fail(i, "emonth", "leader leaves office before taking it")
        for gw in _gwcodes(table, i, int(codes.iloc[i]), range(start[0], (end or (last,))[0]
                                                               + 1)):
            rows.append({
                "gwcode": gw, "cowcode": int(codes.iloc[i]), "kind": "leader",
                "start_date": pd.Timestamp(*start, int(sday.iloc[i])), "start_precision": "day",
                "end_date": pd.Timestamp(*end, 1) if end else None,
                "end_precision": "month" if end else None, "name": names.iloc[i],
                "military": military.iloc[i], "detail": None, "ref": ids.iloc[i] or None,
                "release": release, "line": int(table.lines[i])})
    return frame(rows)


def election_records(table: Table, release: str) -> pd.DataFrame:
    table.require(["ccode", "elec_year", "elec_month", "elec_day", "event", "elecnum", "type"])
    data = pd.DataFrame({
        "ccode": table.number("ccode", integer=True, required=True),
        "year": table.number("elec_year", integer=True, required=True, lo=1800, hi=2100),
        "month": table.number("elec_month", integer=True, required=True, lo=1, hi=12),
        "day": table.number("elec_day", integer=True, lo=1, hi=31),
        "event": table.text("event").map(_event),
        "elecnum": table.text("elecnum"),
        "type": table.text("type"),
    })
    known = (*HELD, *SCHEDULED, *NOT_HELD, *ANNOUNCED, *OTHER)
    too_late = [d == d and d > calendar.monthrange(int(y), int(m))[1]
                for y, m, d in zip(data["year"], data["month"], data["day"], strict=True)]
    data.loc[too_late, "day"] = float("nan")
    for i, event in enumerate(data["event"]):
        if event not in known:
            raise table.fail(i, "event", f"unknown election event '{table.text('event').iloc[i]}'")
    data["ccode"] = [_code(table, i, c, n) for i, (c, n) in enumerate(
        zip(data["ccode"], data["elecnum"], strict=True))]
    data["position"] = range(len(data))
    status = {e: name for events, name in ((HELD, "held"), (SCHEDULED, "scheduled"),
                                           (NOT_HELD, "not_held")) for e in events}
    data["status"] = data["event"].map(status)
    data["rank"] = data["status"].map({"held": 0, "scheduled": 1, "not_held": 2})
    key = ["ccode", "elecnum"]
    # the row that dates each election: a vote, else a planned vote, else a vote not held
    dated = data.dropna(subset=["rank"]).sort_values(["rank", "position"], kind="mergesort")
    dated = dated.drop_duplicates(key).sort_values("position")
    announced = data[data["event"].isin(ANNOUNCED)].drop_duplicates(key)
    announced = announced.set_index(key)[["year", "month", "day"]]
    rows = []
    for row in dated.itertuples(index=False):
        i = int(row.position)
        known = announced.loc[(row.ccode, row.elecnum)] if (row.ccode, row.elecnum) in \
            announced.index else None
        for gw in _gwcodes(table, i, int(row.ccode), range(int(row.year), int(row.year) + 1)):
            rows.append({
                "gwcode": gw, "cowcode": int(row.ccode), "kind": "election",
                "start_date": _timestamp(known), "start_precision": _precision(known),
                "end_date": _timestamp(row._asdict()), "end_precision": _precision(
                    row._asdict()),
                "name": ELECTION_TYPES.get(row.type, row.type or None),
                "military": None, "detail": row.status, "ref": row.elecnum,
                "release": release, "line": int(table.lines[i])})
    return frame(rows)


def _code(table: Table, index: int, code: float, elecnum: str) -> int:
    if countries.known_cowcode(int(code)):
        return int(code)
    prefix = int(elecnum) // 1000 if elecnum.isdigit() else -1
    if prefix > 0 and countries.known_cowcode(prefix):
        return prefix
    raise table.fail(index, "ccode", f"unknown COW country code {code:g}")


def _timestamp(row) -> pd.Timestamp | None:
    if row is None:
        return None
    day = int(row["day"]) if row["day"] == row["day"] else 1
    return pd.Timestamp(int(row["year"]), int(row["month"]), day)


def _precision(row) -> str | None:
    if row is None:
        return None
    return "day" if row["day"] == row["day"] else "month"
