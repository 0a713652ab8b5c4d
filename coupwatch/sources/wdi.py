"""World Bank World Development Indicators: bulk CSVs and G&W-keyed panels built from them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources._ranges import (
    FINITE,
    GROWTH,
    NON_NEGATIVE,
    PERCENT,
    POSITIVE,
    Range,
)
from coupwatch.sources._read import duplicates, load_text, read_table
from coupwatch.sources.base import Connector, Least, Parsed, SourceFile, gw_panel

BULK = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"
API = "https://api.worldbank.org/v2/country/all/indicator/{code}?format=json"
BULK_NAME = re.compile(r"API_(?P<code>[A-Z0-9.]+)_DS2_en_csv_v2(_\d+)?\.csv$")
PREAMBLE = ("Data Source", None, "Last Updated Date", None)
ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]

# The values of each series. Military spending is a ratio to GDP, not a share of it: Kuwait
# spent 117 % of its GDP in 1991 and Nicaragua 103 % in 1990 (SIPRI via WDI).
BULK_RANGES: dict[str, Range] = {"MS.MIL.XPND.GD.ZS": NON_NEGATIVE, "NY.GDP.MKTP.CD": POSITIVE,
                                 "SP.POP.TOTL": POSITIVE}
# The G&W-keyed panels: each file's numeric columns and the values they may take.
PANELS: dict[str, dict[str, Range]] = {
    "gdp_gw": {"NY.GDP.MKTP.KD": POSITIVE, "NY.GDP.MKTP.KD.ZG": GROWTH,
               "NY.GDP.PCAP.KD": POSITIVE, "NY.GDP.PCAP.KD.ZG": GROWTH},
    "population_gw": {"pop": POSITIVE},
    "infmort_gw": {"infmort": Range(0, 1000), "infmort_yearadj": FINITE},  # a log ratio
    "ict_gw": {"IT.NET.USER.ZS": PERCENT, "IT.CEL.SETS.P2": NON_NEGATIVE},  # per 100: 212 max
}
# Documented exceptions to those ranges, kept as published: the panel's author extrapolated
# South Sudan's GDP into 2024 from its collapse and got a negative level (-121 million US$,
# -10 US$ a head, growth -109 %). No published WDI figure is negative.
EXEMPT = {"gdp_gw": {(626, 2024): "gap-filled extrapolation below zero"}}


def _bulk(code: str, about: str, states: int) -> SourceFile:
    return SourceFile(f"wdi/API_{code}_DS2_en_csv_v2.csv", BULK.format(code=code), about,
                      zipped=True, least=Least(states_last_year=states))


# Panels hold 174-197 states in their last year; the bulk files 140 (military spending),
# 183 and 193 in their last year with data (2016).
PANEL_LEAST = Least(states_last_year=150)


class WDI(Connector):
    name = "wdi"
    title = "World Development Indicators"
    publisher = "World Bank"
    licence = "CC BY 4.0"
    citation = "World Bank, World Development Indicators"
    files = (
        _bulk("MS.MIL.XPND.GD.ZS", "military expenditure, % of GDP (SIPRI)", 100),
        _bulk("NY.GDP.MKTP.CD", "GDP, current US$", 150),
        _bulk("SP.POP.TOTL", "population, total", 150),
        SourceFile("wdi/gdp_gw_1950_2024.csv", API.format(code="NY.GDP.PCAP.KD"),
                   "GDP and growth (constant US$), total and per capita, by gwcode",
                   least=PANEL_LEAST),
        SourceFile("wdi/population_gw_1816_2025.csv", API.format(code="SP.POP.TOTL"),
                   "population in thousands, WDI and historical estimates, by gwcode",
                   least=PANEL_LEAST),
        SourceFile("wdi/infmort_gw_1960_2023.csv", API.format(code="SP.DYN.IMRT.IN"),
                   "infant mortality per 1,000 live births, by gwcode", least=PANEL_LEAST),
        SourceFile("wdi/ict_gw.csv", API.format(code="IT.NET.USER.ZS"),
                   "internet users and mobile subscriptions, by gwcode", least=PANEL_LEAST),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        name = Path(file.path).name
        if BULK_NAME.search(name):
            return parse_bulk(path)
        kind = next((k for k in PANELS if name.startswith(k)), None)
        if kind is None:
            raise BadInput("not a WDI file this connector knows", file=path)
        booleans = {"infmort_gw": ["infmort_imputed"],
                    "ict_gw": ["IT.NET.USER.ZS_imputed", "IT.CEL.SETS.P2_imputed"]}
        return gw_panel(path, path.stem, numeric=PANELS[kind], rename={"pop": "pop_thousands"},
                        booleans=booleans.get(kind, []), exempt=EXEMPT.get(kind))


def parse_bulk(path: Path) -> Parsed:
    """The bulk CSV: 4 preamble lines, then one row per economy and one column per year."""
    lines = load_text(path, whole_lines=False).splitlines()  # read_table checks the end
    release = _check_preamble(path, lines)
    table = read_table(path, skip_lines=4, expect=ID_COLUMNS)
    table.require(ID_COLUMNS)
    years = [c for c in table.header if re.fullmatch(r"(19|20)\d\d", c)]
    if not years:
        raise BadInput("no year columns (1960, 1961, ...) in the header", file=path, row=5)
    codes = table.text("Indicator Code")
    expected = BULK_NAME.search(path.name)
    if expected and bool((codes != expected["code"]).any()):
        index = int((codes != expected["code"]).to_numpy().nonzero()[0][0])
        raise table.fail(index, "Indicator Code", f"'{codes.iloc[index]}' in a file for "
                         f"{expected['code']}")
    iso = table.text("Country Code")
    names = table.text("Country Name")
    gw: list[int | None] = []
    unmapped = []
    for index, (code, name) in enumerate(zip(iso, names, strict=True)):
        try:
            mapped = countries.iso3_to_gw(code)
        except KeyError:
            raise table.fail(index, "Country Code", f"unknown country code '{code}' "
                             f"({name})") from None
        if mapped is None and code not in countries.wb_aggregates():
            unmapped.append({"code": f"ISO3 {code}", "name": name, "reason":
                             "territory, not a G&W state", "index": index})
        gw.append(mapped)
    frame = pd.DataFrame({"gwcode": pd.array(gw, dtype="Int64")})
    rule = BULK_RANGES.get(str(codes.iloc[0]), FINITE) if len(codes) else FINITE
    for year in years:
        frame[year] = table.number(year, rule=rule)
    keep = frame["gwcode"].notna()
    wide = frame[keep]
    wide, dups = duplicates(wide, ["gwcode"], table)
    long = wide.melt(id_vars="gwcode", var_name="year", value_name="value").dropna()
    for entry in unmapped:
        entry["rows"] = int(frame.loc[entry.pop("index"), years].notna().sum())
        entry["year_min"], entry["year_max"] = int(years[0]), int(years[-1])
    indicators = pd.DataFrame({
        "gwcode": long["gwcode"].astype("Int64"), "year": long["year"].astype(int),
        "variable": codes.iloc[0], "value": long["value"].astype(float), "text": None,
    }).sort_values(["gwcode", "year"]).reset_index(drop=True)
    return Parsed(release=release, indicators=indicators, unmapped=unmapped, duplicates=dups)


def _check_preamble(path: Path, lines: list[str]) -> str:
    if len(lines) < 5:
        raise BadInput("file ends inside the 4-line WDI preamble", file=path, row=len(lines))
    for number, expected in enumerate(PREAMBLE):
        if expected is None:
            if lines[number].strip(", \t"):
                raise BadInput("expected a blank line in the WDI preamble", file=path,
                               row=number + 1)
            continue
        first = lines[number].split(",")[0].strip('" ')
        if first != expected:
            raise BadInput(f"WDI preamble changed: expected '{expected}', found '{first}'",
                           file=path, row=number + 1, column="1")
    date = lines[2].split(",")[1].strip('" ') if "," in lines[2] else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise BadInput(f"'Last Updated Date' is '{date}', not a date", file=path, row=3,
                       column="2")
    return f"WDI {date}"


CONNECTOR = WDI()
