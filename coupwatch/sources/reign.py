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

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.sources import reign_dates
from coupwatch.sources._read import Table, duplicates, read_table
from coupwatch.sources.base import Connector, Parsed, SourceFile, gw_panel, to_long

BASE = "https://raw.githubusercontent.com/OEFDataScience/REIGN.github.io/gh-pages/data_sets/"
CY_NUMERIC = ["elected", "age", "male", "militarycareer", "tenure_months", "anticipation",
              "ref_ant", "leg_ant", "exec_ant", "irreg_lead_ant", "election_now",
              "election_recent", "leg_recent", "exec_recent", "lead_recent", "ref_recent",
              "direct_recent", "indirect_recent", "victory_recent", "defeat_recent",
              "change_recent", "nochange_recent", "delayed", "lastelection", "loss",
              "irregular", "prev_conflict"]
RENAME = {c: f"reign_{c}" for c in [*CY_NUMERIC, "government"]}
MONTHLY_KEY = ["ccode", "year", "month"]


class REIGN(Connector):
    name = "reign"
    title = "Rulers, Elections, and Irregular Governance (REIGN)"
    publisher = "One Earth Future Foundation (OEF Research)"
    licence = "CC BY 4.0"
    citation = "Bell, C., Besaw, C. & Frank, M. (2021). The REIGN Dataset. OEF Research."
    files = (
        SourceFile("reign/reign_country_year_1950_2019.csv", BASE + "REIGN_2021_8.csv",
                   "REIGN aggregated to country-year (end-of-year values), 1950-2019"),
        SourceFile("reign/leaderlist_3_21.csv", BASE + "leader_list_3_21.csv",
                   "leader spells, March 2021 (UTF-8 with a stray Windows-1252 byte)",
                   lenient=True),
        SourceFile("reign/electionlist_3_21.csv", BASE + "election_list_3_21.csv",
                   "election events, March 2021"),
        SourceFile("reign/regime_list.csv", BASE + "regime_list.csv",
                   "Geddes-Wright-Frantz regime spells as distributed with REIGN"),
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
        return gw_panel(path, path.stem, numeric=CY_NUMERIC, text=["government"],
                        rename=RENAME)


def _gw_years(table: Table, codes: pd.Series, years: range | list[int], index: int,
              column: str, unmapped: dict, name: str = "") -> list[tuple[int, int]]:
    """(gwcode, year) pairs for a COW-coded spell; years with no G&W state are recorded
    (with the file's own name for the country: a COW code read as a G&W code can name
    another state, e.g. COW 970 is Nauru but G&W 970 is Kiribati)."""
    out = []
    for year in years:
        try:
            gw = countries.cow_to_gw(int(codes.iloc[index]), year)
        except KeyError:
            raise table.fail(index, column,
                             f"unknown COW country code {codes.iloc[index]:g}") from None
        if gw is None:
            entry = unmapped.setdefault(int(codes.iloc[index]), (name, set()))
            entry[1].add(year)
        else:
            out.append((gw, year))
    return out


def _unmapped(entries: dict) -> list[dict]:
    return [{"code": f"COW {code}", "name": name or f"COW {code}", "year_min": min(years),
             "year_max": max(years), "rows": len(years), "reason": "no G&W state"}
            for code, (name, years) in entries.items()]


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
    for i in range(len(codes)):
        final = int(end.iloc[i]) - 1 if end.iloc[i] == end.iloc[i] else last
        order = (int(start.iloc[i]), smonth.iloc[i] if smonth.iloc[i] == smonth.iloc[i] else 0, i)
        for gw, year in _gw_years(table, codes, range(int(start.iloc[i]), final + 1), i, "ccode",
                                  unmapped, names.iloc[i]):
            if (gw, year) not in best or best[(gw, year)][0] < order:
                best[(gw, year)] = (order, int(start.iloc[i]), born.iloc[i], military.iloc[i])
    rows = [(gw, year, year - s, year - b, m) for (gw, year), (_, s, b, m) in best.items()]
    frame = pd.DataFrame(rows, columns=["gwcode", "year", "leader_tenure_years", "leader_age",
                                        "leader_military"]).sort_values(["gwcode", "year"])
    return Parsed(release=path.stem, indicators=to_long(
        frame, ["leader_tenure_years", "leader_age", "leader_military"], [], {}),
        spells=reign_dates.leader_spells(table, path.stem), unmapped=_unmapped(unmapped))


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
                  unmapped=_unmapped(unmapped))


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
                  unmapped=_unmapped(unmapped))


def _header(path: Path) -> list[str]:
    """Column names on a file's first line; [] when it cannot be read (the full reader then
    says why: missing, empty, an HTML page ...)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
    except OSError:
        return []
    line = first.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return [name.strip().strip('"') for name in line.split(",")]


def parse_monthly(path: Path) -> Parsed:
    """OEF's leader-month file as the country-year panel of ``reign_*`` variables.

    Codes: ``ccode`` is a Correlates of War code, as in REIGN's leader list (unified Yemen
    is 679, Germany after 1990 is 255, Serbia keeps 345 after 2006); it is mapped to G&W by
    year with ``countries.cow_to_gw``. Years in which a code names no G&W state are
    reported as unmapped; a code known to neither system is bad input.

    Aggregation: each G&W state-year takes the values of its last month observed that
    year, i.e. December, or the last month of a state that ended during the year. When a
    month has several rows (a leader change), the last in file order is taken: REIGN lists
    a month's leaders in the order they took office, so this is the leader at the end of
    the month. Evidence in the mirror's panel: the USA's ``tenure_months`` is 69, 81, 93 in
    1950-52 (Truman, in office since April 1945: December counts) and 12 in 1953; the GDR's
    1990 row has tenure 11 (a leader since December 1989, so October 1990, its last month);
    unified Yemen's leader spell starts in May 1990 and G&W 678 has tenure 8 in 1990; and
    Romania 1989 and Argentina 2001 have tenure 1, the last of December's leaders.
    ``lastelection``, ``loss`` and ``irregular`` are logs of months since the last
    election, lost election and irregular exit, so they are December's values too.

    The release's last year is left out when its last month is not December (REIGN_2021_8
    stops in August 2021): its values are not end-of-year values, as the leader lists
    (``_horizon``) also stop at the last full year. Exact duplicate rows are counted once.

    Differences from the mirror, which used its own month-level code mapping: Serbia's
    June-December 2006 rows go to G&W 345 here (``cow_to_gw`` maps COW 345 in 2006 to 345),
    so 340 has no 2006 row; and Germany 1990 (G&W 260) takes unified Germany's December
    row (COW 255) where the mirror kept West Germany's September 1990 row.
    """
    table = read_table(path, expect=MONTHLY_KEY)
    table.require([*MONTHLY_KEY, *CY_NUMERIC, "government"])
    months = pd.DataFrame({
        "ccode": table.number("ccode", integer=True, required=True),
        "year": table.number("year", integer=True, required=True, lo=1900, hi=2100),
        "month": table.number("month", integer=True, required=True, lo=1, hi=12),
    })
    for name in CY_NUMERIC:
        months[name] = table.number(name)
    months["government"] = table.text("government")
    _check_cowcodes(table, months["ccode"])
    release = _monthly_release(path, months)
    exact = _exact_duplicates(table)
    months = _full_years(months[~exact])
    names = table.text("country") if table.has("country") else months["ccode"].map("{:g}".format)
    months["gwcode"], unmapped = _cow_to_gw_by_year(months, names)
    months = months.dropna(subset=["gwcode"])
    # a stable sort keeps file order within a month, so the last row is the month's last
    # leader
    ordered = months.sort_values(["gwcode", "year", "month"], kind="mergesort")
    year_end = ordered.drop_duplicates(["gwcode", "year"], keep="last")
    indicators = to_long(year_end, CY_NUMERIC, ["government"], RENAME)
    return Parsed(release=release, indicators=indicators, unmapped=_unmapped(unmapped),
                  duplicates=int(exact.sum()))


def _exact_duplicates(table: Table) -> pd.Series:
    """Rows identical to an earlier row. Only rows sharing a country-month can be, so the
    41-column comparison runs on those few (leader changes) instead of the whole file."""
    raw = table.frame
    shared = raw.duplicated(subset=MONTHLY_KEY, keep=False).to_numpy()
    exact = np.zeros(len(raw), dtype=bool)
    exact[shared] = raw[shared].duplicated(keep="first").to_numpy()
    return pd.Series(exact, index=raw.index)


def _check_cowcodes(table: Table, codes: pd.Series) -> None:
    for code in codes.unique():
        if not countries.known_cowcode(int(code)):
            index = int(np.flatnonzero((codes == code).to_numpy())[0])
            raise table.fail(index, "ccode", f"unknown COW country code {code:g}")


def _monthly_release(path: Path, months: pd.DataFrame) -> str:
    """OEF names releases ``REIGN_<year>_<month>`` after the last month they cover. A file
    downloaded into the cache carries the mirror's name, so the name is rebuilt from the
    data when the file's own name is not a release name."""
    if re.fullmatch(r"REIGN_\d{4}_\d{1,2}", path.stem):
        return path.stem
    last = int(months["year"].max())
    month = int(months.loc[months["year"] == last, "month"].max())
    return f"REIGN_{last}_{month}"


def _full_years(months: pd.DataFrame) -> pd.DataFrame:
    """Drop the file's last year unless some state is observed in its December."""
    if months.empty:
        return months
    last = months["year"].max()
    if months.loc[months["year"] == last, "month"].max() < 12:
        return months[months["year"] < last]
    return months


def _cow_to_gw_by_year(months: pd.DataFrame, names: pd.Series) -> tuple[pd.Series, dict]:
    """G&W code of every row (NaN where the COW state is no G&W state that year), and the
    unmapped code-years with the file's own country name."""
    pairs = months[["ccode", "year"]].drop_duplicates()
    lookup = {(c, y): countries.cow_to_gw(int(c), int(y))
              for c, y in zip(pairs["ccode"], pairs["year"], strict=True)}
    keys = zip(months["ccode"], months["year"], strict=True)
    gw = pd.Series([lookup[key] for key in keys], index=months.index, dtype="float64")
    unmapped: dict = {}
    for (code, year), mapped in lookup.items():
        if mapped is None:
            index = months.index[(months["ccode"] == code).to_numpy()][0]
            entry = unmapped.setdefault(int(code), (names.loc[index], set()))
            entry[1].add(int(year))
    return gw, unmapped


CONNECTOR = REIGN()
