"""OEF REIGN: leaders, elections and regimes (country-year panel and the three event lists).

The country-year panel comes in two formats, told apart by the header: the researchers'
panel keyed by ``gwcode, year`` (the offline mirror) and OEF's own leader-month file
(``REIGN_2021_8.csv``, keyed by ``ccode, year, month``), which ``parse_monthly`` turns into
the same ``reign_*`` variables.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.sources import reign_dates
from coupwatch.sources._files import head
from coupwatch.sources._read import Table, duplicates, read_table
from coupwatch.sources.base import Connector, Least, Parsed, SourceFile, gw_panel, to_long
from coupwatch.sources.reign_monthly import (
    CY_RANGES,
    RENAME,
    parse_monthly,
    unmapped_rows,
)

BASE = "https://raw.githubusercontent.com/OEFDataScience/REIGN.github.io/gh-pages/data_sets/"
# 188-194 states in each file's last year; the regime list's spells end in various years,
# so its floor counts the states it covers at all (199)
LEAST = Least(states_last_year=150)


class REIGN(Connector):
    name = "reign"
    title = "Rulers, Elections, and Irregular Governance (REIGN)"
    publisher = "One Earth Future Foundation (OEF Research)"
    licence = "CC BY 4.0"
    citation = "Bell, C., Besaw, C. & Frank, M. (2021). The REIGN Dataset. OEF Research."
    files = (
        SourceFile("reign/reign_country_year_1950_2019.csv", BASE + "REIGN_2021_8.csv",
                   "REIGN aggregated to country-year (end-of-year values), 1950-2019",
                   least=LEAST),
        SourceFile("reign/leaderlist_3_21.csv", BASE + "leader_list_3_21.csv",
                   "leader spells, March 2021 (UTF-8 with a stray Windows-1252 byte)",
                   lenient=True, least=LEAST),
        SourceFile("reign/electionlist_3_21.csv", BASE + "election_list_3_21.csv",
                   "election events, March 2021", least=LEAST),
        SourceFile("reign/regime_list.csv", BASE + "regime_list.csv",
                   "Geddes-Wright-Frantz regime spells as distributed with REIGN",
                   least=Least(states=150)),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        name = Path(file.path).name
        if name.startswith("leaderlist"):
            return parse_leaders(path, file.lenient)
        if name.startswith("electionlist"):
            return parse_elections(path)
        if name.startswith("regime_list"):
            return parse_regimes(path)
        if {"ccode", "month"} <= set(_header(path)):
            return parse_monthly(path)
        return gw_panel(path, path.stem, numeric=CY_RANGES, text=["government"],
                        rename=RENAME)


def _gw_years(table: Table, codes: pd.Series, years: range | list[int], index: int,
              column: str, unmapped: dict, name: str = "") -> list[tuple[int, int]]:
    """(gwcode, year) pairs for a COW-coded spell; years with no G&W state are recorded
    (with the file's own name for the country: a COW code read as a G&W code can name
    another state, e.g. COW 970 is Nauru but G&W 970 is Kiribati)."""
    out = []
    code = codes.iloc[index]
    for year in years:
        try:
            gw = countries.cow_to_gw(int(code), year)
        except KeyError:
            raise table.fail(index, column, f"unknown COW country code {code:g}") from None
        if gw is None:
            entry = unmapped.setdefault(int(code), (name, set()))
            entry[1].add(year)
        else:
            out.append((gw, year))
    return out


def _horizon(path: Path, latest: int) -> int:
    """Last year a list describes in full. Lists are named by release (``_3_21`` = March
    2021): spells still open then are known to the end of 2020 only, not through 2021."""
    match = re.search(r"_(\d{1,2})_(\d{2})$", path.stem)
    if not match:
        return latest
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    return min(latest, year if month == 12 else year - 1)


def parse_leaders(path: Path, lenient: bool) -> Parsed:
    """End-of-year leader: tenure in years, age, military career (ongoing spells run on)."""
    table = read_table(path, expect=["ccode"], lenient=lenient)
    table.require(["ccode", "leader", "syear", "smonth", "eyear", "birthyear", "militarycareer"])
    codes = table.number("ccode", integer=True, required=True)
    start = table.number("syear", integer=True, required=True, lo=1800, hi=2100)
    smonth = table.number("smonth", integer=True, lo=1, hi=12)
    end = table.number("eyear", integer=True, lo=1800, hi=2100)
    born = table.number("birthyear", integer=True, lo=1800, hi=2100, na=["-99"])
    military = table.number("militarycareer", lo=0, hi=1, na=["-99"])  # 0.5: partly
    names = table.text("stateabb") if table.has("stateabb") else table.text("leader")
    bad = end < start
    if bool(bad.any()):
        raise table.fail(int(bad.to_numpy().nonzero()[0][0]), "eyear", "leader leaves office "
                         "before taking it")
    last = _horizon(path, int(max(start.max(), end.max())))
    best: dict[tuple[int, int], tuple] = {}
    unmapped: dict = {}
    # arrays, not Series: a scalar read from a Series costs ~10 µs, thousands of times here
    starts, ends, months = start.to_numpy(), end.to_numpy(), smonth.to_numpy()
    births, careers, labels = born.to_numpy(), military.to_numpy(), names.to_numpy()
    for i in range(len(codes)):
        final = int(ends[i]) - 1 if ends[i] == ends[i] else last
        order = (int(starts[i]), months[i] if months[i] == months[i] else 0, i)
        for gw, year in _gw_years(table, codes, range(int(starts[i]), final + 1), i, "ccode",
                                  unmapped, labels[i]):
            if (gw, year) not in best or best[(gw, year)][0] < order:
                best[(gw, year)] = (order, int(starts[i]), births[i], careers[i])
    rows = [(gw, year, year - s, year - b, m) for (gw, year), (_, s, b, m) in best.items()]
    frame = pd.DataFrame(rows, columns=["gwcode", "year", "leader_tenure_years", "leader_age",
                                        "leader_military"]).sort_values(["gwcode", "year"])
    return Parsed(release=path.stem, indicators=to_long(
        frame, ["leader_tenure_years", "leader_age", "leader_military"], [], {}),
        spells=reign_dates.leader_spells(table, path.stem), unmapped=unmapped_rows(unmapped))


def parse_elections(path: Path) -> Parsed:
    """Years since the last national vote actually held, for every year after the first."""
    table = read_table(path, expect=["ccode"])
    table.require(["ccode", "elec_year", "event"])
    codes = table.number("ccode", integer=True, required=True)
    years = table.number("elec_year", integer=True, required=True, lo=1800, hi=2100)
    events = table.text("event")
    names = table.text("country") if table.has("country") else codes.astype(str)
    held = events.str.startswith("Vote")
    frame = pd.DataFrame({"ccode": codes, "year": years})[held]
    frame, dups = duplicates(frame.assign(i=frame.index), ["i"], table)
    # scheduled future votes do not extend the horizon
    last = _horizon(path, int(frame["year"].max()))
    unmapped: dict = {}
    rows = []
    for _code, group in frame.groupby("ccode"):
        votes = sorted(set(group["year"].astype(int)))
        index = int(group.index[0])
        for gw, year in _gw_years(table, codes, range(votes[0], last + 1), index, "ccode",
                                  unmapped, names.iloc[index]):
            previous = max(v for v in votes if v <= year)
            rows.append((gw, year, year - previous))
    out = pd.DataFrame(rows, columns=["gwcode", "year", "years_since_election"])
    out = out.drop_duplicates(["gwcode", "year"], keep="last")
    return Parsed(release=path.stem, indicators=to_long(out, ["years_since_election"], [], {}),
                  spells=reign_dates.election_records(table, path.stem),
                  unmapped=unmapped_rows(unmapped))


def _date(table: Table, column: str) -> list[date]:
    values = []
    for index, text in enumerate(table.text(column)):
        try:
            month, day, year = (int(part) for part in text.split("/"))
            values.append(date(year, month, day))
        except ValueError:
            raise table.fail(index, column, f"'{text}' is not a date (month/day/year)") from None
    return values


def parse_regimes(path: Path) -> Parsed:
    """Regime type in place at the end of each year and how long that regime has lasted."""
    table = read_table(path, expect=["cowcode"])
    table.require(["cowcode", "gwf_startdate", "gwf_enddate", "gwf_regimetype"])
    codes = table.number("cowcode", integer=True, required=True)
    starts, ends = _date(table, "gwf_startdate"), _date(table, "gwf_enddate")
    kinds = table.text("gwf_regimetype")
    names = table.text("gwf_country") if table.has("gwf_country") else codes.astype(str)
    unmapped: dict = {}
    best: dict[tuple[int, int], tuple] = {}
    for i, (begin, finish) in enumerate(zip(starts, ends, strict=True)):
        if finish < begin:
            raise table.fail(i, "gwf_enddate", "regime ends before it starts")
        # a regime that ended on 31 December still held at the end of that year
        final = finish.year if (finish.month, finish.day) == (12, 31) else finish.year - 1
        for gw, year in _gw_years(table, codes, range(begin.year, final + 1), i, "cowcode",
                                  unmapped, names.iloc[i]):
            if (gw, year) not in best or best[(gw, year)][0] < begin:
                best[(gw, year)] = (begin, kinds.iloc[i])
    rows = [(gw, year, year - b.year, k) for (gw, year), (b, k) in best.items()]
    frame = pd.DataFrame(rows, columns=["gwcode", "year", "regime_duration_years",
                                        "regime_type"]).sort_values(["gwcode", "year"])
    return Parsed(release=path.stem, indicators=to_long(frame, ["regime_duration_years"],
                                                        ["regime_type"], {}),
                  unmapped=unmapped_rows(unmapped))


def _header(path: Path) -> list[str]:
    """Column names on a file's first line; [] when it cannot be read (the full reader then
    says why: missing, empty, an HTML page ...)."""
    first = head(path, 1 << 16).split(b"\n", 1)[0]
    if not first:
        return []
    line = first.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return [name.strip().strip('"') for name in line.split(",")]


CONNECTOR = REIGN()
