"""Every connector parses its mirror files: the publishers' formats and the cleaned panels."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import MIRROR

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources import CONNECTORS, reign
from coupwatch.sources._read import read_table
from coupwatch.sources.base import (
    EVENT_COLUMNS,
    INDICATOR_COLUMNS,
    Connector,
    Least,
    Parsed,
    SourceFile,
    to_long,
)
from coupwatch.warehouse.ingest import parse_sources

# Coverage measured on the files (MANIFEST.md), per file path.
COVERAGE = {
    "gw/gwstate_age.csv": (1816, 2025),
    "powell-thyne/powell_thyne_coups_final_2015.txt": (1950, 2015),
    "powell-thyne/powell_thyne_coups_v2022-11-29.csv": (1950, 2022),
    "cline/Coup_Data_v2.1.2.csv": (1945, 2022),
    "vdem/vdem_spaces_1968_2023.csv": (1968, 2023),
    "wdi/gdp_gw_1950_2024.csv": (1950, 2024),
    "wdi/population_gw_1816_2025.csv": (1816, 2025),
    "wdi/infmort_gw_1960_2023.csv": (1960, 2023),
    "wdi/ict_gw.csv": (1960, 2020),
    "wdi/API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv": (1960, 2016),
    "wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv": (1960, 2016),
    "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv": (1960, 2016),
    "reign/reign_country_year_1950_2019.csv": (1950, 2019),
    "ucdp/acd_gw.csv": (1946, 2021),
    "epr/epr_gw.csv": (1946, 2021),
    "oil/oil_prices.csv": (1951, 2020),
}

# Files a mirror holds; online-only files (the publisher splits one mirror file in two) are
# tested with fixtures in tests/test_publisher_*.py.
ALL_FILES = [(c, f) for c in CONNECTORS.values() for f in c.files if not f.online_only]

_cache: dict[str, Parsed] = {}


def parsed(source: str, path: str) -> Parsed:
    """Parse a mirror file once per test session."""
    if path not in _cache:
        connector = CONNECTORS[source]
        file = next(f for f in connector.files if f.path == path)
        _cache[path] = connector.parse(file, MIRROR / file.path)
    return _cache[path]


P_T_2015 = "powell-thyne/powell_thyne_coups_final_2015.txt"
P_T_2022 = "powell-thyne/powell_thyne_coups_v2022-11-29.csv"
LEADERS = "reign/leaderlist_3_21.csv"
ELECTIONS = "reign/electionlist_3_21.csv"
REGIMES = "reign/regime_list.csv"


def test_every_manifest_file_has_a_connector():
    manifest = (MIRROR / "MANIFEST.md").read_text()
    listed = {line.split("`")[1] for line in manifest.splitlines()
              if line.startswith("| `")}
    assert listed == {f.path for _, f in ALL_FILES}


@pytest.mark.parametrize("connector", CONNECTORS.values(), ids=list(CONNECTORS))
def test_connectors_have_the_same_shape(connector):
    assert connector.name and connector.title and connector.publisher and connector.licence
    assert connector.files
    for file in connector.files:
        assert isinstance(file, SourceFile)
        assert file.url.startswith(("http://", "https://"))
        assert (MIRROR / file.path).is_file() != file.online_only


@pytest.mark.parametrize(("connector", "file"), ALL_FILES, ids=[f.path for _, f in ALL_FILES])
def test_each_file_parses(connector, file):
    result = parsed(connector.name, file.path)
    assert result.release
    assert result.rows > 0
    assert result.duplicates == 0  # the mirror has no exact duplicate rows
    for frame, columns in ((result.events, EVENT_COLUMNS), (result.indicators,
                                                             INDICATOR_COLUMNS)):
        if frame is not None:
            assert list(frame.columns) == columns
            codes = frame["gwcode"].dropna().astype(int)
            # everything stored is keyed to a real G&W state (or to no country: oil)
            assert codes.isin(countries.gw_states().index).all()
    if file.path in COVERAGE:
        assert result.years() == COVERAGE[file.path]


# --- Powell & Thyne: two releases, two formats ------------------------------------------------

@pytest.mark.parametrize(("path", "count", "release", "last"), [
    (P_T_2015, 473, "V2015.05.20", 2015),
    (P_T_2022, 488, "V2022.11.29", 2022),
])
def test_powell_thyne_releases(path, count, release, last):
    result = parsed("powell_thyne", path)
    events = result.events
    assert len(events) == count
    assert result.release == release
    assert set(events["release"]) == {release}
    assert set(events["kind"]) == {"failed", "successful"}
    assert int(events["year"].max()) == last
    assert events["month"].between(1, 12).all()
    assert not result.unmapped
    first = events.iloc[0]  # "Cuba" 40 1952 3 10 2: the quoted strings are unquoted
    assert (first["country"], first["cowcode"], first["gwcode"]) == ("Cuba", 40, 40)
    assert (first["year"], first["month"], first["day"], first["kind"]) == (1952, 3, 10,
                                                                          "successful")
    assert first["line"] == 2  # line numbers point into the file


def test_powell_thyne_formats_agree_on_shared_events():
    old = parsed("powell_thyne", P_T_2015).events
    new = parsed("powell_thyne", P_T_2022).events
    key = ["gwcode", "year", "month", "day", "kind"]
    shared = old[key].merge(new[key], how="inner")
    assert len(shared) >= 460  # the releases differ in only a few codings
    mali_old = old[old["gwcode"] == 432]
    mali_new = new[new["gwcode"] == 432]
    assert list(mali_old["year"]) == [1968, 1978, 1991, 1991, 2012, 2012]
    assert list(mali_new["year"]) == [1968, 1978, 1991, 1991, 2012, 2012, 2020, 2021]
    assert (new["year"] == 2021).sum() == 7


def test_powell_thyne_maps_cow_codes(tmp_path: Path):
    events = parsed("powell_thyne", P_T_2022).events
    assert events["gwcode"].notna().all()
    vietnam = events[events["cowcode"] == 817]  # Republic of Vietnam keeps 817 in G&W
    assert len(vietnam) == 7 and set(vietnam["gwcode"]) == {817}
    # codes where COW and G&W differ, in the 2022 format
    path = tmp_path / "pt.csv"
    path.write_text("country,ccode,ccode_gw,ccode_polity,year,month,day,coup,version\n"
                    "Yemen,679,NA,NA,1994,5,4,1,V2022.11.29\n"
                    "Serbia,345,NA,NA,2010,1,1,1,V2022.11.29\n"
                    "Yugoslavia,345,NA,NA,1990,1,1,1,V2022.11.29\n"
                    "Germany,255,NA,NA,1991,1,1,1,V2022.11.29\n"
                    "Germany,255,NA,NA,1960,1,1,1,V2022.11.29\n")
    result = CONNECTORS["powell_thyne"].parse(CONNECTORS["powell_thyne"].files[1], path)
    assert list(result.events["gwcode"]) == [678, 340, 345, 260, pd.NA]
    assert result.unmapped == [{"code": "COW 255", "name": "Germany", "year_min": 1960,
                                "year_max": 1960, "rows": 1, "reason": "no G&W state"}]


# --- World Bank WDI bulk CSV ------------------------------------------------------------------

BULK = "wdi/API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv"


def test_wdi_bulk_drops_aggregates_and_reports_territories():
    result = parsed("wdi", BULK)
    indicators = result.indicators
    assert result.release == "WDI 2018-02-22"
    assert set(indicators["variable"]) == {"MS.MIL.XPND.GD.ZS"}
    assert indicators["gwcode"].notna().all()  # WLD, SSF, HIC ... are not stored at all
    unmapped = {u["code"]: u for u in result.unmapped}
    assert "ISO3 ABW" in unmapped and unmapped["ISO3 ABW"]["name"] == "Aruba"
    assert "territory" in unmapped["ISO3 ABW"]["reason"]
    assert not any(code.split()[-1] in countries.wb_aggregates() for code in unmapped)
    assert "ISO3 WLD" not in unmapped
    assert 20 <= len(unmapped) <= 40


def test_wdi_bulk_values_mali_military_spending():
    values = parsed("wdi", BULK).indicators.set_index(["gwcode", "year"])["value"]
    # "Mali more than doubled military spending as a share of GDP after 2012"
    assert values[(432, 2016)] == pytest.approx(2.63, abs=0.005)
    assert values[(432, 2012)] == pytest.approx(1.196, abs=0.005)  # 1.16 in PRODUCT.md
    assert values[(432, 2016)] > 2 * values[(432, 2012)]


def test_wdi_bulk_all_three_files_have_same_economies():
    codes = [set(parsed("wdi", f"wdi/API_{c}_DS2_en_csv_v2.csv").indicators["gwcode"])
             for c in ("MS.MIL.XPND.GD.ZS", "NY.GDP.MKTP.CD", "SP.POP.TOTL")]
    assert codes[2] >= codes[0] and codes[2] >= codes[1]
    pop = parsed("wdi", "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv").indicators
    usa = pop[(pop["gwcode"] == 2) & (pop["year"] == 2016)]["value"].iloc[0]
    assert 3.0e8 < usa < 3.5e8


def test_wdi_gw_panels():
    infmort = parsed("wdi", "wdi/infmort_gw_1960_2023.csv").indicators
    assert set(infmort["variable"]) == {"infmort", "infmort_yearadj", "infmort_imputed"}
    assert set(infmort[infmort["variable"] == "infmort_imputed"]["value"]) <= {0.0, 1.0}
    pop = parsed("wdi", "wdi/population_gw_1816_2025.csv").indicators
    assert set(pop["variable"]) == {"pop_thousands"}  # NA rows dropped, not stored as 0
    assert pop["value"].notna().all()


# --- V-Dem --------------------------------------------------------------------------------

def test_vdem():
    indicators = parsed("vdem", "vdem/vdem_spaces_1968_2023.csv").indicators
    assert set(indicators["variable"]) == {"v2x_veracc_osp", "v2xcs_ccsi", "v2xcl_rol",
                                           "v2x_freexp_altinf", "v2x_horacc_osp",
                                           "v2x_pubcorr"}
    assert indicators["gwcode"].nunique() == 174
    assert indicators["value"].between(0, 1).all()


def test_vdem_own_format_with_cow_codes(tmp_path: Path):
    """V-Dem's own CSV has COWcode, not gwcode: codes are mapped and misses reported."""
    path = tmp_path / "vdem.csv"
    path.write_text(
        "country_name,COWcode,year,v2x_veracc_osp,v2xcs_ccsi,v2xcl_rol,v2x_freexp_altinf,"
        "v2x_horacc_osp,v2x_pubcorr,v2x_polyarchy\n"
        "Germany,255,1995,0.9,0.9,0.9,0.9,0.9,0.1,0.88\n"
        "Yemen,679,2000,0.3,0.3,0.3,0.3,0.3,0.7,0.2\n"
        "Germany,255,1960,0.8,0.8,0.8,0.8,0.8,0.1,0.8\n")
    result = CONNECTORS["vdem"].parse(CONNECTORS["vdem"].files[0], path)
    assert set(result.indicators["gwcode"]) == {260, 678}
    assert "v2x_polyarchy" in set(result.indicators["variable"])  # optional index kept
    assert [u["name"] for u in result.unmapped] == ["Germany"]  # 1960: no G&W state for 255


# --- REIGN --------------------------------------------------------------------------------

def test_reign_leader_list_has_a_stray_cp1252_byte():
    file = next(f for f in CONNECTORS["reign"].files if f.path == LEADERS)
    assert file.lenient
    with pytest.raises(BadInput) as err:  # strictly, the file is not UTF-8
        reign.parse_leaders(MIRROR / LEADERS, lenient=False)
    assert err.value.row == 2451 and "0x85" in str(err.value)
    indicators = parsed("reign", LEADERS).indicators
    assert set(indicators["variable"]) == {"leader_tenure_years", "leader_age",
                                           "leader_military"}
    values = indicators.set_index(["gwcode", "year", "variable"])["value"]
    # end-of-year leader of the USA: Trump (b. 1946, in office 2017) in 2019 and 2020.
    # The list is the March 2021 release: the end of 2021 is not described (Mali's leader
    # changed in May 2021), so its last year is 2020 although Biden appears.
    assert values[(2, 2019, "leader_age")] == 73
    assert values[(2, 2019, "leader_tenure_years")] == 2
    assert values[(2, 2020, "leader_tenure_years")] == 3
    assert int(indicators["year"].max()) == 2020
    assert (indicators[indicators["variable"] == "leader_tenure_years"]["value"] >= 0).all()


def test_reign_election_list():
    result = parsed("reign", ELECTIONS)
    values = result.indicators.set_index(["gwcode", "year"])["value"]
    # USA votes in 2016 and 2020; the "Upcoming, Scheduled" 2024 vote is not a vote held
    assert [values[(2, y)] for y in (2016, 2017, 2019, 2020)] == [0, 1, 3, 0]
    assert int(result.indicators["year"].max()) == 2020  # March 2021 release
    unmapped = {u["code"]: u for u in result.unmapped}
    # COW 970 is Nauru (G&W 971): named from the file, not from G&W 970 (Kiribati)
    assert unmapped["COW 970"]["name"] == "Nauru"
    assert unmapped["COW 946"]["name"] == "Kiribati"  # its 1978 vote predates independence


def test_reign_regime_list():
    indicators = parsed("reign", REGIMES).indicators
    kinds = indicators[indicators["variable"] == "regime_type"]
    usa = kinds.set_index(["gwcode", "year"])["text"]
    assert usa[(2, 2000)] == "presidential"
    assert {"military", "personal", "party-based", "monarchy", "provisional"} <= set(kinds["text"])
    assert "provisional " not in set(kinds["text"])  # a stray blank in the file is trimmed
    duration = indicators[indicators["variable"] == "regime_duration_years"]
    assert (duration["value"] >= 0).all()
    assert duration.duplicated(["gwcode", "year"]).sum() == 0  # one regime per state-year


def test_reign_country_year():
    indicators = parsed("reign", "reign/reign_country_year_1950_2019.csv").indicators
    assert {"reign_government", "reign_tenure_months", "reign_irregular"} <= set(
        indicators["variable"])
    gov = indicators[indicators["variable"] == "reign_government"]
    assert gov["value"].isna().all() and gov["text"].notna().all()
    assert "Presidential Democracy" in set(gov["text"])


# --- the rest ------------------------------------------------------------------------------

def test_ucdp_epr_gw_oil():
    ucdp = parsed("ucdp", "ucdp/acd_gw.csv").indicators
    assert set(ucdp["value"].dropna()) <= {0.0, 1.0}
    epr = parsed("epr", "epr/epr_gw.csv").indicators
    shares = epr[epr["variable"] == "epr_excluded_group_pop"]["value"]
    assert shares.between(0, 1).all()
    gw = parsed("gw", "gw/gwstate_age.csv").indicators
    assert gw["gwcode"].nunique() >= 200
    usa = gw[(gw["gwcode"] == 2)].set_index("year")["value"]
    assert usa[1816] == 1 and usa[2025] == 210
    oil = parsed("oil", "oil/oil_prices.csv").indicators
    assert len(oil) == 70 and oil["gwcode"].isna().all()  # one global series
    assert oil.set_index("year")["value"][2020] == pytest.approx(50.44)
    assert not math.isnan(oil["value"].sum())


def test_oil_in_a_gw_panel_is_not_a_country(tmp_path: Path):
    frame = pd.DataFrame({"year": [2000, 2001], "oil_price_real": [30.1, 25.2]})
    frame.to_csv(tmp_path / "oil.csv", index=False)
    result = CONNECTORS["oil"].parse(CONNECTORS["oil"].files[0], tmp_path / "oil.csv")
    assert list(result.indicators["value"]) == [30.1, 25.2]


# --- the least a file holds, and the generic checks every connector gets -----------------------

@pytest.mark.parametrize(("connector", "file"), ALL_FILES, ids=[f.path for _, f in ALL_FILES])
def test_each_file_declares_an_honest_floor(connector, file):
    """Every file states the least a complete release holds: the real file passes with room
    to spare (the floor is at most 90 % of what it holds), and half of it would not."""
    least = file.least
    assert least != Least(), "declare a floor for this file"
    result = parsed(connector.name, file.path)
    least.check(result, MIRROR / file.path)
    held = least.measure(result)
    for name, floor in least.floors().items():
        assert floor <= 0.9 * held[name], (name, floor, held[name])
        assert floor > 0.5 * held[name] or name == "rows", (name, floor, held[name])


def test_a_file_below_its_floor_is_refused(tmp_path: Path):
    connector = CONNECTORS["powell_thyne"]
    file = connector.files[1]
    lines = (MIRROR / file.path).read_bytes().split(b"\n")
    path = tmp_path / "pt.csv"
    path.write_bytes(b"\n".join(lines[:300]) + b"\n")
    with pytest.raises(BadInput) as err:
        file.least.check(connector.parse(file, path), path)
    assert str(err.value) == (f"{path}: holds 299 events; a complete release has at least "
                              "400 (a truncated or partial file?)")


class Tiny(Connector):
    """A connector that declares nothing but its file, as a new one would start."""

    name = "tiny"
    files = (SourceFile("tiny/t.csv", "https://example.org/t.csv"),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        table = read_table(path)
        frame = pd.DataFrame({"gwcode": table.number("gwcode", integer=True),
                              "year": table.number("year", integer=True),
                              "x": table.number("x")})
        return Parsed(release="t", indicators=to_long(frame, ["x"], [], {}))


@pytest.mark.parametrize(("body", "row", "column", "words"), [
    (b"gwcode,year,x\n", 1, None, "no data rows"),
    (b"gwcode,year,x\n2,2000,1.5\n2,2001,2", 3, "x", "truncated"),
    (b"gwcode,year,x\n2,2000,1.5\n2,2001,inf\n", 3, "x", "not a finite number"),
    (b"gwcode,year,x\r\n2,2000,-1e999\r\n", 2, "x", "not a finite number"),
], ids=["header-only", "no-final-newline", "infinity", "overflow"])
def test_a_new_connector_gets_the_generic_checks(tmp_path: Path, body, row, column, words):
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "t.csv").write_bytes(body)
    with pytest.raises(BadInput) as err:
        parse_sources([Tiny()], mirror=tmp_path)
    assert (err.value.row, err.value.column) == (row, column)
    assert words in err.value.message


def test_a_new_connector_loads_what_is_whole(tmp_path: Path):
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "t.csv").write_bytes(b"gwcode,year,x\r\n2,2000,1.5\r\n")
    [loaded] = parse_sources([Tiny()], mirror=tmp_path)
    assert loaded.files[0][-1].rows == 1


def test_the_same_coup_coded_failed_and_successful_is_refused(tmp_path: Path):
    path = tmp_path / "pt.csv"
    path.write_text("country,ccode,ccode_gw,ccode_polity,year,month,day,coup,version\n"
                    "Mali,432,NA,NA,2012,3,22,2,V2022.11.29\n"
                    "Mali,432,NA,NA,2012,4,30,1,V2022.11.29\n"
                    "Mali,432,NA,NA,2012,3,22,1,V2022.11.29\n"
                    "Mali,432,NA,NA,2012,3,NA,1,V2022.11.29\n"
                    "Mali,432,NA,NA,2012,3,NA,2,V2022.11.29\n")
    connector = CONNECTORS["powell_thyne"]
    with pytest.raises(BadInput) as err:
        connector.parse(connector.files[1], path)
    assert (err.value.row, err.value.column) == (4, "coup")
    assert "both failed and successful" in err.value.message and "row 2" in err.value.message
