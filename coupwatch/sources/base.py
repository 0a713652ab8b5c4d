"""The shape every connector has: what it is, where it lives upstream, how to parse it."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources._files import MAX_BYTES
from coupwatch.sources._ranges import Range
from coupwatch.sources._read import Table, duplicates, read_table

# ``actors``: a source's own 0/1 codings of an event that are set, comma-separated (Cline's
# actor and fate flags); None where a source has none (Powell & Thyne).
EVENT_COLUMNS = ["gwcode", "cowcode", "country", "year", "month", "day", "kind", "release", "line",
                 "actors"]
INDICATOR_COLUMNS = ["gwcode", "year", "variable", "value", "text"]


@dataclass(frozen=True)
class Least:
    """The least a complete release of a file holds, whichever format it comes in; less
    means a truncated or partial file and is refused. Floors are set well below the real
    files' counts (tests/test_connectors.py checks both sides)."""

    rows: int = 1  # rows stored (events or indicator values): never an empty table
    events: int = 0
    states: int = 0  # distinct G&W states
    states_last_year: int = 0  # distinct G&W states in the file's latest year
    years: int = 0  # distinct years

    def floors(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def measure(self, parsed: Parsed) -> dict[str, int]:
        frames = [f for f in (parsed.events, parsed.indicators) if f is not None and len(f)]
        frame = pd.concat([f[["gwcode", "year"]] for f in frames]) if frames else \
            pd.DataFrame({"gwcode": [], "year": []})
        states = frame.dropna(subset=["gwcode"])
        last = frame["year"].max() if len(frame) else None
        return {"rows": parsed.rows,
                "events": 0 if parsed.events is None else len(parsed.events),
                "states": int(states["gwcode"].nunique()),
                "states_last_year": int(states.loc[states["year"] == last, "gwcode"].nunique()),
                "years": int(frame["year"].nunique()), "last": last}

    def check(self, parsed: Parsed, path: Path | str) -> None:
        held = self.measure(parsed)
        for name, floor in self.floors().items():
            if held[name] < floor:
                what = {"states_last_year": f"states in its last year ({held['last']})",
                        "rows": "rows"}.get(name, name)
                raise BadInput(f"holds {held[name]} {what}; a complete release has at least "
                               f"{floor} (a truncated or partial file?)", file=path)


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
    # The publisher's page, when it gives no stable link to the file: the file is then read
    # from the download cache where the user saved it, or the source is skipped online.
    page: str = ""
    # A SPARQL query: the file is the endpoint's JSON answer to it (``url`` asks the default
    # endpoint; ``fetch`` asks the one of the settings and caches the answer).
    query: str = ""
    least: Least = Least()  # what a complete release holds at least
    max_bytes: int = MAX_BYTES  # what may be read or downloaded at most


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
        if not frames and self.spells is not None and len(self.spells):
            # dated records only: the years their dates span
            frames = [self.spells[c].dropna().dt.year for c in ("start_date", "end_date")]
        if not frames or not sum(len(f) for f in frames):
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


def gw_panel(path: Path, release: str, *, numeric: Mapping[str, Range],
             text: Sequence[str] = (), rename: dict[str, str] | None = None,
             year_range: tuple[int, int] = (1800, 2100), encoding: str = "utf-8",
             booleans: Sequence[str] = (),
             exempt: Mapping[tuple[int, int], str] | None = None) -> Parsed:
    """Parse a researcher's country-year panel keyed by ``gwcode, year`` into long form.

    ``numeric`` maps each numeric column to the values it may take; ``exempt`` lists the
    ``(gwcode, year)`` rows that are documented exceptions to those ranges (with why)."""
    table = read_table(path, encoding=encoding, expect=["gwcode", "year"], ranges=numeric)
    table.require(["gwcode", "year", *numeric, *text, *booleans])
    frame = pd.DataFrame({
        "gwcode": table.number("gwcode", integer=True, required=True),
        "year": table.number("year", integer=True, required=True, lo=year_range[0],
                             hi=year_range[1]),
    })
    check_gwcodes(table, frame["gwcode"])
    keys = pd.MultiIndex.from_frame(frame[["gwcode", "year"]].astype(int))
    skip = np.asarray(keys.isin(list(exempt))) if exempt else None
    for name in numeric:
        frame[name] = table.number(name, exempt=skip)
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
    """One row per present value (``INDICATOR_COLUMNS``), variable after variable, each in
    the frame's row order. Built from arrays: one frame per variable, concatenated, had
    pandas inspect every cell of the empty text column (a second of each update)."""
    if not [*numeric, *text]:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    rows, variables, values, texts = [], [], [], []
    for name in numeric:
        series = frame[name]
        if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
            column, keep = series.to_numpy(), np.arange(len(series))  # stays an integer
        else:
            column = series.to_numpy(dtype="float64", na_value=np.nan)
            keep = np.flatnonzero(~np.isnan(column))
        rows.append(keep)
        values.append(column[keep])
        texts.append(np.full(len(keep), None, dtype=object))
        variables.append(np.full(len(keep), rename.get(name, name), dtype=object))
    for name in text:
        column = frame[name]
        keep = np.flatnonzero((column.notna() & (column != "") & (column != "NA")).to_numpy())
        rows.append(keep)
        values.append(np.full(len(keep), np.nan))
        texts.append(column.to_numpy(dtype=object)[keep])
        variables.append(np.full(len(keep), rename.get(name, name), dtype=object))
    at = np.concatenate(rows)
    return pd.DataFrame({
        "gwcode": frame["gwcode"].astype("Int64").array.take(at),
        "year": frame["year"].to_numpy()[at].astype(int),
        "variable": np.concatenate(variables), "value": np.concatenate(values),
        "text": np.concatenate(texts)})
