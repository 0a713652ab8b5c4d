"""The shape every connector has: what it is, where it lives upstream, how to parse it."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.sources._read import Table, duplicates, read_table

# ``actors``: a source's own 0/1 codings of an event that are set, comma-separated (Cline's
# actor and fate flags); None where a source has none (Powell & Thyne).
EVENT_COLUMNS = ["gwcode", "cowcode", "country", "year", "month", "day", "kind", "release", "line",
                 "actors"]
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
    unmapped: list[dict] = field(default_factory=list)
    duplicates: int = 0

    @property
    def rows(self) -> int:
        return sum(len(f) for f in (self.events, self.indicators) if f is not None)

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


def check_days(table: Table, frame: pd.DataFrame) -> None:
    """Refuse a day its month does not have (31 April, 30 February); a missing day is fine."""
    for index, year, month, day in zip(frame.index, frame["year"], frame["month"],
                                       frame["day"], strict=True):
        if day == day and day > calendar.monthrange(int(year), int(month))[1]:
            raise table.fail(int(index), "day", f"{int(year)}-{int(month):02d} has no day {day:g}")


def cow_to_gw(table: Table, frame: pd.DataFrame, column: str,
              recode: dict[int, tuple[int, str]] | None = None) -> tuple[list, list[dict]]:
    """G&W codes for the ``cowcode`` column by the dated rules, and what could not be mapped.

    A number that is a code in neither system is bad input (``column`` names it). ``recode``
    maps a publisher's own code to the COW code it means, for rows whose ``country`` contains
    the given name (a code that means nothing else stays bad input).
    """
    gw, unmapped = [], {}
    for index, code, year, name in zip(frame.index, frame["cowcode"], frame["year"],
                                       frame["country"], strict=True):
        code = int(code)
        if recode and code in recode and recode[code][1] in name:
            code = recode[code][0]
        try:
            mapped = countries.cow_to_gw(code, int(year))
        except KeyError:
            raise table.fail(int(index), column, f"unknown COW country code {code} "
                             f"({name})") from None
        if mapped is None:
            entry = unmapped.setdefault(code, {"code": f"COW {code}", "name": name,
                                               "years": []})
            entry["years"].append(int(year))
        gw.append(mapped)
    return gw, [{"code": e["code"], "name": e["name"], "year_min": min(e["years"]),
                 "year_max": max(e["years"]), "rows": len(e["years"]), "reason": "no G&W state"}
                for e in unmapped.values()]


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
