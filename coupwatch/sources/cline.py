"""Cline Center Coup d'État Project: realized coups, attempts and discovered plots since 1945.

One row per event with a COW code, a full date, ``event_type`` (``coup``, ``attempted``,
``conspiracy``) and 0/1 flags for the outcome, the actors (military, palace, auto-coup, ...) and
the fate of the ousted leader. Stored as events of kind = ``event_type``; the flags that are 1
go to ``actors``, sorted and comma-separated. The file has no version column: the release is
read from the file name (``Coup_Data_v2.1.2.csv`` → ``v2.1.2``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._read import Table, duplicates, read_table
from coupwatch.sources.base import (
    EVENT_COLUMNS,
    Connector,
    Least,
    Parsed,
    SourceFile,
    check_days,
    cow_to_gw,
)

# The dataset's page for release v2.1.2 on the Illinois Data Bank; the CSV is one of its files,
# behind a link we know no stable address of, so it is fetched by hand (``SourceFile.page``).
UPSTREAM = "https://databank.illinois.edu/datasets/IDB-3143201"
KINDS = ("coup", "attempted", "conspiracy")
OUTCOMES = ("unrealized", "realized", "conspiracy", "attempt")
FLAGS = (*OUTCOMES, "military", "dissident", "rebel", "palace", "foreign", "auto", "resign",
         "popular", "counter", "other", "noharm", "injured", "killed", "harrest", "jailed",
         "tried", "fled", "exile")
# The outcome flags each event type sets (the others are 0), per the codebook's definitions.
SETS = {"coup": {"realized"}, "attempted": {"unrealized", "attempt"},
        "conspiracy": {"unrealized", "conspiracy"}}
# The publisher codes the Russian Federation's 1993 events 393, which is no COW code; COW (and
# G&W) code Russia 365 throughout, as this file does for the USSR's events.
RECODE = {393: (365, "Russia")}


class Cline(Connector):
    name = "cline"
    title = "Cline Center Coup d'État Project (CDP)"
    publisher = "Cline Center for Democracy, University of Illinois"
    licence = ("research use with citation of Peyton et al., Cline Center Coup d'État Project; "
               "see the dataset page's terms")
    citation = ("Peyton, B. et al. Cline Center Coup d'État Project Dataset, v2.1.2. Cline Center "
                "for Advanced Social Research, University of Illinois Urbana-Champaign "
                "(Illinois Data Bank).")
    files = (
        SourceFile("cline/Coup_Data_v2.1.2.csv", UPSTREAM,
                   "release v2.1.2: 981 events 1945-2022, COW codes, 22 flags",
                   least=Least(events=800, states=100),  # 981 events in 136 states
                   page=UPSTREAM),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        release = _release(file, path)
        table = read_table(path, expect=["coup_id", "cowcode", "event_type"])
        table.require(["coup_id", "cowcode", "country", "year", "month", "day", "event_type",
                       *FLAGS])
        frame = pd.DataFrame({
            "coup_id": _required_text(table, "coup_id"),
            "cowcode": table.number("cowcode", integer=True, required=True),
            "country": table.text("country"),
            "year": table.number("year", integer=True, required=True, lo=1945, hi=2100),
            "month": table.number("month", integer=True, required=True, lo=1, hi=12),
            "day": table.number("day", integer=True, lo=1, hi=31),
            "event_type": _event_types(table),
        })
        for name in FLAGS:
            frame[name] = _flag(table, name)
        _check_outcomes(table, frame)
        check_days(table, frame)
        frame, dups = duplicates(frame, ["coup_id"], table)
        gw, unmapped = cow_to_gw(table, frame, "cowcode", RECODE)
        flags = frame[list(FLAGS)].to_numpy(dtype=bool)
        names = np.array(sorted(FLAGS))
        order = [FLAGS.index(n) for n in names]
        actors = [",".join(names[row]) or None for row in flags[:, order]]
        events = pd.DataFrame({
            "gwcode": pd.array(gw, dtype="Int64"),
            "cowcode": frame["cowcode"].astype(int).to_numpy(),
            "country": frame["country"].to_numpy(),
            "year": frame["year"].astype(int).to_numpy(),
            "month": frame["month"].astype(int).to_numpy(),
            "day": frame["day"].astype("Int64").to_numpy(),
            "kind": frame["event_type"].to_numpy(),
            "release": release,
            "line": table.lines[frame.index.to_numpy()],
            "actors": actors,
        })[EVENT_COLUMNS]
        return Parsed(release=release, events=events, unmapped=unmapped, duplicates=dups)


def _release(file: SourceFile, path: Path) -> str:
    # The file name the publisher gives it carries the version (a cached download keeps it).
    match = re.search(r"_(v\d+(?:\.\d+)*)\.csv$", Path(file.path).name, re.IGNORECASE)
    if match is None:
        raise BadInput("no release version in the file name (expected Coup_Data_vX.Y.Z.csv)",
                       file=path)
    return match.group(1)


def _required_text(table: Table, name: str) -> pd.Series:
    values = table.text(name)
    empty = values == ""
    if bool(empty.any()):
        raise table.fail(int(np.flatnonzero(empty.to_numpy())[0]), name, "value is missing")
    return values


def _event_types(table: Table) -> pd.Series:
    values = table.text("event_type")
    unknown = ~values.isin(KINDS)
    if bool(unknown.any()):
        index = int(np.flatnonzero(unknown.to_numpy())[0])
        raise table.fail(index, "event_type", f"unknown event type '{values.iloc[index]}' "
                         f"(expected {', '.join(KINDS)})")
    return values


def _flag(table: Table, name: str) -> pd.Series:
    values = table.text(name)
    bad = ~values.isin(["0", "1"])
    if bool(bad.any()):
        index = int(np.flatnonzero(bad.to_numpy())[0])
        raise table.fail(index, name, f"'{values.iloc[index]}' is not 0 or 1")
    return (values == "1").astype(int)


def _check_outcomes(table: Table, frame: pd.DataFrame) -> None:
    """The outcome flags must say what ``event_type`` says (a shifted column would not)."""
    for name in OUTCOMES:
        expected = frame["event_type"].map(lambda kind, n=name: int(n in SETS[kind]))
        wrong = frame[name] != expected
        if bool(wrong.any()):
            index = int(np.flatnonzero(wrong.to_numpy())[0])
            raise table.fail(index, name, f"event_type '{frame['event_type'].iloc[index]}' "
                             f"but {name}={frame[name].iloc[index]}")


CONNECTOR = Cline()
