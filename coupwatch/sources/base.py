"""The shape every connector has: what it is, where it lives upstream, how to parse it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.sources._read import Table, duplicates, read_table

EVENT_COLUMNS = ["gwcode", "cowcode", "country", "year", "month", "day", "kind", "release", "line"]
INDICATOR_COLUMNS = ["gwcode", "year", "variable", "value", "text"]


@dataclass(frozen=True)
class SourceFile:
    """One upstream file: its path inside a mirror and where the publisher serves it."""

    path: str  # relative to the mirror root, and to the download cache
    url: str
    about: str = ""
    encoding: str = "utf-8"
    lenient: bool = False  # known stray Windows-1252 bytes in an otherwise UTF-8 file
    zipped: bool = False  # the publisher serves a zip holding a file of this name
    # The publisher splits what one mirror file holds (e.g. G&W's microstates list): fetched
    # from the publisher only, never expected in a mirror.
    online_only: bool = False


@dataclass
class Parsed:
    """What one file contributes to the warehouse."""

    release: str
    events: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    spells: pd.DataFrame | None = None  # dated records (``sources.spells``), optional
    unmapped: list[dict] = field(default_factory=list)
    duplicates: int = 0

    @property
    def rows(self) -> int:
        return sum(len(f) for f in (self.events, self.indicators, self.spells)
                   if f is not None)

    def years(self) -> tuple[int | None, int | None]:
        frames = [f["year"] for f in (self.events, self.indicators) if f is not None and len(f)]
        if not frames:
            return None, None
        years = pd.concat(frames)
        return int(years.min()), int(years.max())


class Connector:
    """Subclasses set the metadata and implement ``parse`` for each of their files."""

    name: str = ""
    title: str = ""
    publisher: str = ""
    licence: str = ""
    citation: str = ""
    files: Sequence[SourceFile] = ()

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<connector {self.name}: {len(self.files)} file(s)>"


def check_gwcodes(table: Table, codes: pd.Series, column: str = "gwcode") -> None:
    """A G&W-keyed panel may only use codes that exist in the G&W system."""
    known = codes.isin(countries.gw_states().index)
    if not bool(known.all()):
        index = int((~known).to_numpy().nonzero()[0][0])
        raise table.fail(index, column, f"unknown Gleditsch & Ward code {codes.iloc[index]:g}")


def gw_panel(path: Path, release: str, *, numeric: Sequence[str], text: Sequence[str] = (),
             rename: dict[str, str] | None = None, year_range: tuple[int, int] = (1800, 2100),
             encoding: str = "utf-8", booleans: Sequence[str] = ()) -> Parsed:
    """Parse a researcher's country-year panel keyed by ``gwcode, year`` into long form."""
    table = read_table(path, encoding=encoding, expect=["gwcode", "year"])
    table.require(["gwcode", "year", *numeric, *text, *booleans])
    frame = pd.DataFrame({
        "gwcode": table.number("gwcode", integer=True, required=True),
        "year": table.number("year", integer=True, required=True, lo=year_range[0],
                             hi=year_range[1]),
    })
    check_gwcodes(table, frame["gwcode"])
    for name in numeric:
        frame[name] = table.number(name)
    for name in booleans:
        raw = table.text(name).str.upper()
        bad = ~raw.isin(["TRUE", "FALSE", "1", "0", "", "NA"])
        if bool(bad.any()):
            index = int(bad.to_numpy().nonzero()[0][0])
            raise table.fail(index, name, f"'{raw.iloc[index]}' is not TRUE/FALSE")
        frame[name] = raw.map({"TRUE": 1.0, "1": 1.0, "FALSE": 0.0, "0": 0.0})
    for name in text:
        frame[name] = table.text(name)
    frame, dups = duplicates(frame, ["gwcode", "year"], table)
    indicators = to_long(frame, [*numeric, *booleans], text, rename or {})
    return Parsed(release=release, indicators=indicators, duplicates=dups)


def to_long(frame: pd.DataFrame, numeric: Sequence[str], text: Sequence[str],
            rename: dict[str, str]) -> pd.DataFrame:
    parts = []
    for name in numeric:
        part = frame[["gwcode", "year", name]].dropna(subset=[name])
        parts.append(pd.DataFrame({"gwcode": part["gwcode"], "year": part["year"],
                                   "variable": rename.get(name, name),
                                   "value": part[name], "text": None}))
    for name in text:
        part = frame[["gwcode", "year", name]]
        part = part[part[name].notna() & (part[name] != "") & (part[name] != "NA")]
        parts.append(pd.DataFrame({"gwcode": part["gwcode"], "year": part["year"],
                                   "variable": rename.get(name, name), "value": float("nan"),
                                   "text": part[name]}))
    if not parts:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    long = pd.concat(parts, ignore_index=True)
    long["gwcode"] = long["gwcode"].astype("Int64")
    long["year"] = long["year"].astype(int)
    long["text"] = long["text"].astype(object)
    return long[INDICATOR_COLUMNS]
