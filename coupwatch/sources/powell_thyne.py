"""Powell & Thyne, Global Instances of Coups: one row per coup attempt since 1950."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._read import duplicates, load_text, read_table
from coupwatch.sources.base import (
    EVENT_COLUMNS,
    Connector,
    Least,
    Parsed,
    SourceFile,
    check_days,
    cow_to_gw,
)

UPSTREAM = "http://www.uky.edu/~clthyn2/coup_data/powell_thyne_coups_final.txt"
KINDS = {1: "failed", 2: "successful"}
# 473 and 488 events in 96 and 97 countries: a release only ever adds events
LEAST = Least(events=400, states=80)


class PowellThyne(Connector):
    name = "powell_thyne"
    title = "Powell & Thyne, Global Instances of Coups"
    publisher = "Jonathan Powell & Clayton Thyne"
    licence = "free for research; cite Powell & Thyne (2011), Journal of Peace Research 48(2)"
    citation = "Powell, J. & Thyne, C. (2011). Global instances of coups from 1950 to 2010."
    files = (
        SourceFile("powell-thyne/powell_thyne_coups_final_2015.txt", UPSTREAM,
                   "release V2015.05.20, tab-separated with quoted strings", least=LEAST),
        SourceFile("powell-thyne/powell_thyne_coups_v2022-11-29.csv", UPSTREAM,
                   "release V2022.11.29, comma-separated, adds ccode_gw and ccode_polity",
                   least=LEAST),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        # The publisher has shipped both tab- and comma-separated releases under one URL.
        first = load_text(path, whole_lines=False).splitlines()[0]  # read_table checks the end
        sep = "\t" if first.count("\t") > first.count(",") else ","
        table = read_table(path, sep=sep, expect=["ccode", "year"])
        table.require(["country", "ccode", "year", "month", "day", "coup", "version"])
        frame = pd.DataFrame({
            "cowcode": table.number("ccode", integer=True, required=True),
            "country": table.text("country"),
            "year": table.number("year", integer=True, required=True, lo=1945, hi=2100),
            "month": table.number("month", integer=True, required=True, lo=1, hi=12),
            "day": table.number("day", integer=True, lo=1, hi=31),
            "coup": table.number("coup", integer=True, required=True, lo=1, hi=2),
            "version": table.text("version"),
        })
        check_days(table, frame)
        frame, dups = duplicates(frame, ["cowcode", "year", "month", "day", "coup"], table)
        _one_kind_a_day(table, frame)
        gw, unmapped = cow_to_gw(table, frame, "ccode")
        versions = sorted(set(frame["version"]) - {""})
        if not versions:
            raise BadInput("no release version in column 'version'", file=path, column="version")
        events = pd.DataFrame({
            "gwcode": pd.array(gw, dtype="Int64"),
            "cowcode": frame["cowcode"].astype(int).to_numpy(),
            "country": frame["country"].to_numpy(),
            "year": frame["year"].astype(int).to_numpy(),
            "month": frame["month"].astype(int).to_numpy(),
            "day": frame["day"].astype("Int64").to_numpy(),
            "kind": frame["coup"].astype(int).map(KINDS).to_numpy(),
            "release": frame["version"].to_numpy(),
            "line": table.lines[frame.index.to_numpy()],
            "actors": None,
        })[EVENT_COLUMNS]
        return Parsed(release="/".join(versions), events=events, unmapped=unmapped,
                      duplicates=dups)


def _one_kind_a_day(table, frame: pd.DataFrame) -> None:
    """A country's coup on a given day either failed or succeeded; coded both, it would be
    counted as two events. Rows without a day are not compared (their date is a month)."""
    dated = frame[frame["day"].notna()]
    clash = dated.duplicated(["cowcode", "year", "month", "day"], keep=False).to_numpy()
    if clash.any():
        first, second = dated.index[clash][:2]
        raise table.fail(int(second), "coup", "the same coup is coded both failed and "
                         f"successful (also row {int(table.lines[first])})")


CONNECTOR = PowellThyne()
