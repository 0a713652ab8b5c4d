"""The publishers' own formats of REIGN, the G&W state list and the oil price.

Every fixture is built here, in code, in the publisher's layout (REIGN's 41-column
leader-month CSV, G&W's tab-separated Latin-1 spell list, the Energy Institute workbook);
the mirror is read only to compare against the panels its author derived.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import MIRROR
from http_fixtures import http_server

from coupwatch import config
from coupwatch.errors import BadInput
from coupwatch.sources import gw, oil, reign, reign_monthly
from coupwatch.sources.fetch import locate

# --- REIGN leader-month file ----------------------------------------------------------------

REIGN_COLUMNS = (
    "ccode,country,leader,year,month,elected,age,male,militarycareer,tenure_months,"
    "government,gov_democracy,dem_duration,anticipation,ref_ant,leg_ant,exec_ant,"
    "irreg_lead_ant,election_now,election_recent,leg_recent,exec_recent,lead_recent,"
    "ref_recent,direct_recent,indirect_recent,victory_recent,defeat_recent,change_recent,"
    "nochange_recent,delayed,lastelection,loss,irregular,political_violence,prev_conflict,"
    "pt_suc,pt_attempt,precip,couprisk,pctile_risk").split(",")
REIGN_FILE = reign.CONNECTOR.files[0]


def leader_months(ccode: int, country: str, leader: str, born: int, start: tuple[int, int],
                  end: tuple[int, int], *, tenure: int = 1, government: str = "Presidential "
                  "Democracy", military: int = 0) -> list[dict]:
    """One row a month of a leader's spell, as REIGN writes them (numbers as floats)."""
    rows = []
    year, month = start
    while (year, month) <= end:
        row = dict.fromkeys(REIGN_COLUMNS, 0.0)
        row.update(ccode=float(ccode), country=country, leader=leader, year=float(year),
                   month=float(month), elected=1.0, age=float(year - born), male=1,
                   militarycareer=float(military), tenure_months=float(tenure),
                   government=government, lastelection=math.log(tenure + 1),
                   irregular=math.log(tenure + 100), precip=0.1234567)
        rows.append(row)
        tenure += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def reign_rows() -> list[dict]:
    usa = (leader_months(2, "USA", "Old", 1946, (2019, 1), (2020, 12), tenure=25)
           + leader_months(2, "USA", "New", 1942, (2020, 12), (2021, 8)))
    # in the file a month's outgoing leader comes before the incoming one
    usa.sort(key=lambda r: (r["year"], r["month"]))
    yemen = (leader_months(678, "Yemen Arab Republic", "Saleh", 1942, (1990, 1), (1990, 5),
                           tenure=139, government="Personal Dictatorship", military=1)
             + leader_months(679, "Yemen", "Saleh", 1942, (1990, 5), (1991, 12),
                             government="Personal Dictatorship", military=1))
    gdr = leader_months(265, "German Democratic Republic", "Modrow", 1928, (1989, 11),
                        (1990, 10), government="Dominant Party")
    kiribati = leader_months(946, "Kiribati", "Tabai", 1950, (1978, 12), (1979, 12),
                             government="Parliamentary Democracy")
    return [*kiribati, *usa, *gdr, *yemen]


def reign_csv(rows: list[dict], columns: list[str] = REIGN_COLUMNS) -> str:
    def cell(value) -> str:
        return repr(value) if isinstance(value, float) else str(value)
    lines = [",".join(columns)]
    lines += [",".join(cell(row[c]) for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def values(parsed, variable: str) -> pd.Series:
    frame = parsed.indicators
    frame = frame[frame["variable"] == variable]
    column = "text" if variable == "reign_government" else "value"
    return frame.set_index(["gwcode", "year"])[column]


def key_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["variable", "gwcode", "year"]).reset_index(drop=True)


def test_reign_monthly_takes_each_years_last_month(tmp_path):
    parsed = reign.parse_monthly(write(tmp_path / "REIGN_2021_8.csv", reign_csv(reign_rows())))
    assert parsed.release == "REIGN_2021_8"
    assert set(parsed.indicators["variable"]) == {f"reign_{c}" for c in
                                                 [*reign_monthly.CY_NUMERIC, "government"]}
    tenure, age = values(parsed, "reign_tenure_months"), values(parsed, "reign_age")
    # a sitting leader's tenure grows by 12 a year: Jan 2019 = 25 -> Dec 2019 = 36
    assert tenure[(2, 2019)] == 36
    # December 2020 has two rows; the incoming leader (listed last) is the year's leader
    assert (tenure[(2, 2020)], age[(2, 2020)]) == (1, 2020 - 1942)
    # unified Yemen (COW 679) is G&W 678: December 1990 comes from the 679 rows
    assert (tenure[(678, 1990)], tenure[(678, 1991)]) == (8, 20)
    assert values(parsed, "reign_militarycareer")[(678, 1990)] == 1
    # a state that ends during the year keeps its last month (the GDR: October 1990)
    assert tenure[(265, 1989)] == 2 and tenure[(265, 1990)] == 12
    assert values(parsed, "reign_lastelection")[(2, 2019)] == pytest.approx(math.log(37))
    assert values(parsed, "reign_government")[(678, 1990)] == "Personal Dictatorship"
    # 2021 ends in August: no end-of-year values, so no 2021 rows (as the leader lists)
    assert int(parsed.indicators["year"].max()) == 2020
    # COW 946 is Kiribati, G&W 970 from 1979; in 1978 it is no G&W state
    assert tenure[(970, 1979)] == 13
    assert parsed.unmapped == [{"code": "COW 946", "name": "Kiribati", "year_min": 1978,
                                "year_max": 1978, "rows": 1, "reason": "no G&W state"}]
    assert parsed.duplicates == 0
    assert not parsed.indicators.duplicated(["gwcode", "year", "variable"]).any()


def test_reign_connector_detects_the_monthly_header(tmp_path):
    # downloaded, the publisher's file is cached under the mirror panel's name
    path = write(tmp_path / REIGN_FILE.path, reign_csv(reign_rows()))
    parsed = reign.CONNECTOR.parse(REIGN_FILE, path)
    assert parsed.release == "REIGN_2021_8"  # rebuilt from the data's last month
    assert values(parsed, "reign_tenure_months")[(2, 2020)] == 1
    # the derived panel's header still goes to the panel reader
    panel = reign.CONNECTOR.parse(REIGN_FILE, MIRROR / REIGN_FILE.path)
    assert panel.release == "reign_country_year_1950_2019"


def test_reign_monthly_exact_duplicates_counted_once(tmp_path):
    rows = reign_rows()
    plain = reign.parse_monthly(write(tmp_path / "a" / "REIGN_2021_8.csv", reign_csv(rows)))
    doubled = reign.parse_monthly(write(tmp_path / "b" / "REIGN_2021_8.csv",
                                        reign_csv([*rows[:10], rows[5], *rows[10:]])))
    assert doubled.duplicates == 1
    pd.testing.assert_frame_equal(key_rows(doubled.indicators), key_rows(plain.indicators))


@pytest.mark.parametrize("cut", [1979, 1990, 2020])
def test_reign_monthly_truncation_invariance(tmp_path, cut):
    rows = reign_rows()
    full = reign.parse_monthly(write(tmp_path / "full" / "REIGN_2021_8.csv", reign_csv(rows)))
    short = reign.parse_monthly(write(tmp_path / "cut" / "REIGN_2021_8.csv",
                                      reign_csv([r for r in rows if r["year"] <= cut])))
    expected = full.indicators[full.indicators["year"] <= cut]
    pd.testing.assert_frame_equal(key_rows(short.indicators), key_rows(expected))


def test_reign_monthly_bad_month_names_row_and_column(tmp_path):
    rows = reign_rows()
    rows[3] = {**rows[3], "month": 13.0}
    with pytest.raises(BadInput) as err:
        reign.parse_monthly(write(tmp_path / "REIGN_2021_8.csv", reign_csv(rows)))
    assert (err.value.row, err.value.column) == (5, "month")  # header + 4th record
    assert "13" in str(err.value) and "\n" not in str(err.value)


def test_reign_monthly_unknown_code_names_row_and_column(tmp_path):
    rows = reign_rows()
    rows[7] = {**rows[7], "ccode": 1234.0}
    with pytest.raises(BadInput) as err:
        reign.parse_monthly(write(tmp_path / "REIGN_2021_8.csv", reign_csv(rows)))
    assert (err.value.row, err.value.column) == (9, "ccode")
    assert "unknown COW country code 1234" in str(err.value)


def test_reign_monthly_missing_column(tmp_path):
    columns = [c for c in REIGN_COLUMNS if c != "tenure_months"]
    path = write(tmp_path / "REIGN_2021_8.csv", reign_csv(reign_rows(), columns))
    with pytest.raises(BadInput) as err:
        reign.CONNECTOR.parse(REIGN_FILE, path)
    assert (err.value.row, err.value.column) == (1, "tenure_months")


# --- Gleditsch & Ward list of spells --------------------------------------------------------

SPELLS = [  # the publisher's dates for the states below, as iisystem.dat gives them
    ("2", "USA", "United States of America", "01:01:1816", "31:12:2017"),
    ("271", "WRT", "Württemberg", "01:01:1816", "01:12:1871"),
    ("260", "GFR", "German Federal Republic", "21:09:1949", "31:12:2017"),
    ("265", "GDR", "German Democratic Republic", "07:10:1949", "02:10:1990"),
    ("366", "EST", "Estonia", "11:11:1918", "17:06:1940"),
    ("366", "EST", "Estonia", "06:09:1991", "31:12:2017"),
    ("340", "SRB", "Serbia", "13:07:1878", "01:10:1915"),
    ("345", "YUG", "Yugoslavia", "01:12:1918", "04:06:2006"),
    ("340", "SRB", "Serbia", "05:06:2006", "31:12:2017"),
    ("437", "CDI", "Côte D'Ivoire", "07:08:1960", "31:12:2017"),
]
GW_FILE = gw.CONNECTOR.files[0]


def spell_bytes(spells=SPELLS, *, header: str | None = None) -> bytes:
    lines = ([header] if header else []) + ["\t".join(spell) for spell in spells]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")  # as published: Latin-1, CRLF


def age_frame(parsed) -> pd.DataFrame:
    frame = parsed.indicators[["gwcode", "year", "value"]].astype(int)
    return frame.sort_values(["gwcode", "year"]).reset_index(drop=True)


def test_gw_spells_match_the_mirror_panel(tmp_path):
    parsed = gw.parse_spells(write(tmp_path / "iisystem.dat", spell_bytes()), last_year=2025)
    assert set(parsed.indicators["variable"]) == {"state_age"}
    assert parsed.indicators["gwcode"].notna().all()
    mirror = pd.read_csv(MIRROR / GW_FILE.path)
    mirror = mirror[mirror["gwcode"].isin({int(s[0]) for s in SPELLS})]
    expected = mirror.rename(columns={"state_age": "value"}).sort_values(["gwcode", "year"])
    pd.testing.assert_frame_equal(age_frame(parsed), expected.reset_index(drop=True),
                                  check_dtype=False)


def test_gw_state_age_by_hand(tmp_path):
    parsed = gw.parse_spells(write(tmp_path / "iisystem.dat", spell_bytes()), last_year=2025)
    age = parsed.indicators.set_index(["gwcode", "year"])["value"]
    assert (age[(2, 1816)], age[(2, 2017)], age[(2, 2025)]) == (1, 202, 210)
    assert (age[(366, 1940)], age[(366, 1991)]) == (23, 1)  # restarts after the gap
    assert (366, 1941) not in age.index and (366, 1990) not in age.index
    assert (age[(265, 1990)], age[(271, 1871)]) == (42, 56)  # dissolved: end in end year
    assert age[(340, 2006)] == 1 and age[(345, 2006)] == 89  # both exist in 2006
    assert int(parsed.indicators["year"].max()) == 2025
    assert parsed.release == "Gleditsch & Ward list closing 2017-12-31"


def test_gw_connector_detects_the_list_and_extends_to_last_full_year(tmp_path):
    path = write(tmp_path / GW_FILE.path, spell_bytes())  # cached under the panel's name
    parsed = gw.CONNECTOR.parse(GW_FILE, path)
    usa = parsed.indicators[parsed.indicators["gwcode"] == 2].set_index("year")["value"]
    assert int(usa.index.max()) == date.today().year - 1
    assert usa[1816] == 1


def test_gw_v7_list_with_header_and_iso_dates(tmp_path):
    def iso(text: str) -> str:
        day, month, year = text.split(":")
        return f"{year}-{month}-{day}"
    spells = [(c, a, n, iso(s), iso(e)) for c, a, n, s, e in SPELLS]
    v7 = gw.CONNECTOR.parse(GW_FILE, write(tmp_path / "v7" / "ksgmdw.txt", spell_bytes(
        spells, header="statenumber\tstateid\tcountryname\tstart\tend")))
    old = gw.CONNECTOR.parse(GW_FILE, write(tmp_path / "ii" / "iisystem.dat", spell_bytes()))
    pd.testing.assert_frame_equal(age_frame(v7), age_frame(old))


def test_gw_microstates_list_has_the_same_layout(tmp_path):
    micro = [("221", "MNC", "Monaco", "01:01:1816", "31:12:2017")]
    parsed = gw.parse_spells(write(tmp_path / "microstatessystem.dat", spell_bytes(micro)),
                             last_year=2025)
    assert age_frame(parsed)["value"].tolist() == list(range(1, 211))


def test_gw_exact_duplicate_spell_counted_once(tmp_path):
    plain = gw.parse_spells(write(tmp_path / "a.dat", spell_bytes()), last_year=2025)
    doubled = gw.parse_spells(write(tmp_path / "b.dat", spell_bytes([*SPELLS, SPELLS[4]])),
                              last_year=2025)
    assert doubled.duplicates == 1
    pd.testing.assert_frame_equal(age_frame(doubled), age_frame(plain))


def cut_list(spells, year: int):
    """The list as it stood at the end of ``year``: later spells gone, later ends closed."""
    closing = f"31:12:{year}"
    def end(text: str) -> str:
        return closing if int(text[-4:]) > year else text
    return [(c, a, n, s, end(e)) for c, a, n, s, e in spells if int(s[-4:]) <= year]


@pytest.mark.parametrize("cut", [1871, 1940, 1990, 2006])
def test_gw_truncation_invariance(tmp_path, cut):
    full = gw.parse_spells(write(tmp_path / "full.dat", spell_bytes()), last_year=2025)
    short = gw.parse_spells(write(tmp_path / "cut.dat", spell_bytes(cut_list(SPELLS, cut))),
                            last_year=2025)
    expected, got = age_frame(full), age_frame(short)
    pd.testing.assert_frame_equal(got[got["year"] <= cut].reset_index(drop=True),
                                  expected[expected["year"] <= cut].reset_index(drop=True))


@pytest.mark.parametrize(("field", "text", "column"), [
    (3, "01:13:1900", "start"),  # month 13
    (3, "32:01:1900", "start"),  # day 32
    (4, "xx:01:1950", "end"),  # not a number
    (3, "1900", "start"),
])
def test_gw_bad_dates_name_row_and_column(tmp_path, field, text, column):
    spells = [list(s) for s in SPELLS]
    spells[2][field] = text
    with pytest.raises(BadInput) as err:
        gw.CONNECTOR.parse(GW_FILE, write(tmp_path / GW_FILE.path, spell_bytes(spells)))
    assert (err.value.row, err.value.column) == (3, column)
    assert text in str(err.value)


@pytest.mark.parametrize(("spell", "column", "message"), [
    (("999", "XXX", "Nowhere", "01:01:1900", "31:12:2017"), "gwcode", "unknown Gleditsch"),
    (("2", "USA", "United States of America", "01:01:1816"), "end", "found 4"),
    (("265", "GDR", "GDR", "07:10:1990", "02:10:1949"), "end", "ends before it starts"),
    (("366", "EST", "Estonia", "01:01:1939", "31:12:1945"), "start", "overlaps"),
])
def test_gw_bad_spells_name_row_and_column(tmp_path, spell, column, message):
    spells = [*SPELLS, spell]
    with pytest.raises(BadInput) as err:
        gw.CONNECTOR.parse(GW_FILE, write(tmp_path / GW_FILE.path, spell_bytes(spells)))
    assert (err.value.row, err.value.column) == (len(spells), column)
    assert message in str(err.value)


# --- Energy Institute workbook --------------------------------------------------------------

OIL_FILE = oil.CONNECTOR.files[0]
PRICES = [(1861, 0.49, 16.91), (1862, 1.05, 33.56), (1950, 1.71, 22.14), (1951, 1.71, 20.52),
          (2019, 64.21, 79.56), (2020, 41.84, 51.04), (2021, 70.91, 82.64),
          (2022, 99.04, 106.72), (2023, 82.49, 82.49)]


def workbook(prices=PRICES, *, sheet: str = "Oil crude prices since 1861",
             real: str = "$ 2023", extra=()) -> bytes:
    """The workbook's layout: a contents sheet, then the price sheet with title lines,
    a header row, one row a year and footnotes."""
    import io

    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    book.active.append(["Statistical Review of World Energy"])
    prices_sheet = book.create_sheet(sheet)
    prices_sheet.append(["Crude oil prices 1861-2023"])
    prices_sheet.append(["US dollars per barrel"])
    prices_sheet.append([])
    prices_sheet.append(["Year", "$ money of the day", real, *extra])
    for row in prices:
        prices_sheet.append(list(row))
    prices_sheet.append([])
    prices_sheet.append(["1861-1944 US average."])
    prices_sheet.append(["1945-1983 Arabian Light posted at Ras Tanura."])
    prices_sheet.append(["1984-2023 Brent dated."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prices(parsed) -> dict[int, float]:
    frame = parsed.indicators
    assert set(frame["variable"]) == {"oil_price_real"} and frame["gwcode"].isna().all()
    return dict(zip(frame["year"].astype(int), frame["value"], strict=True))


def test_oil_workbook_real_column(tmp_path):
    path = write(tmp_path / OIL_FILE.path, workbook())  # cached under the CSV's name
    parsed = oil.CONNECTOR.parse(OIL_FILE, path)
    assert prices(parsed) == {year: real for year, _, real in PRICES}
    assert parsed.release == "Oil crude prices since 1861 (constant 2023 US$)"
    assert parsed.duplicates == 0


def test_oil_bp_edition_sheet_name_and_extra_columns(tmp_path):
    rows = [(y, n, r, None, "event note") for y, n, r in PRICES[:5]]
    path = write(tmp_path / "bp.xlsx", workbook(rows, sheet="Oil - Crude prices since 1861",
                                                real="$ 2017", extra=("", "Events")))
    parsed = oil.CONNECTOR.parse(OIL_FILE, path)
    assert prices(parsed) == {y: r for y, _, r in PRICES[:5]}
    assert "2017" in parsed.release


def test_oil_series_csv_still_parses(tmp_path):
    parsed = oil.CONNECTOR.parse(OIL_FILE, MIRROR / OIL_FILE.path)
    assert prices(parsed)[2020] == pytest.approx(50.44)


def test_oil_missing_price_is_dropped_and_duplicate_row_counted(tmp_path):
    rows = [*PRICES[:3], (1952, 1.71, "-"), PRICES[3], PRICES[3]]
    parsed = oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "x.xlsx", workbook(rows)))
    assert parsed.duplicates == 1
    assert sorted(prices(parsed)) == [1861, 1862, 1950, 1951]


@pytest.mark.parametrize("cut", [1862, 1951, 2020])
def test_oil_truncation_invariance(tmp_path, cut):
    full = oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "full.xlsx", workbook()))
    short = oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "cut.xlsx", workbook(
        [row for row in PRICES if row[0] <= cut])))
    expected = {y: v for y, v in prices(full).items() if y <= cut}
    assert prices(short) == expected


def test_oil_bad_price_names_row_and_column(tmp_path):
    rows = [*PRICES[:2], (1950, 1.71, "abc"), *PRICES[3:]]
    with pytest.raises(BadInput) as err:
        oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "x.xlsx", workbook(rows)))
    # title, unit, blank, header, 1861, 1862, then 1950 on the 7th row
    assert (err.value.row, err.value.column) == (7, "$ 2023")
    assert "sheet 'Oil crude prices since 1861'" in err.value.file


def test_oil_bad_year_row_conflict_and_missing_column(tmp_path):
    rows = [*PRICES[:2], (1862, 1.05, 40.0)]
    with pytest.raises(BadInput) as err:
        oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "a.xlsx", workbook(rows)))
    assert (err.value.row, err.value.column) == (7, "Year")
    with pytest.raises(BadInput) as err:
        oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "b.xlsx", workbook(real="2023 dollars")))
    assert (err.value.row, err.value.column) == (4, "$ <base year>")
    with pytest.raises(BadInput, match="no 'Oil crude prices since 1861' sheet"):
        oil.CONNECTOR.parse(OIL_FILE, write(tmp_path / "c.xlsx", workbook(sheet="Gas prices")))


# --- the HTTP path --------------------------------------------------------------------------

def test_reign_and_gw_publisher_files_over_http(tmp_path):
    root = tmp_path / "publisher"
    write(root / REIGN_FILE.path, reign_csv(reign_rows()))
    write(root / GW_FILE.path, spell_bytes())
    with http_server(root) as url:
        reign_path, origin = locate(REIGN_FILE, base_url=url)
        gw_path, _ = locate(GW_FILE, base_url=url)
    assert origin == f"{url}/{REIGN_FILE.path}"
    parsed = reign.CONNECTOR.parse(REIGN_FILE, reign_path)
    assert values(parsed, "reign_tenure_months")[(678, 1990)] == 8
    states = gw.CONNECTOR.parse(GW_FILE, gw_path).indicators
    assert states.set_index(["gwcode", "year"])["value"][(366, 1991)] == 1


def test_oil_workbook_over_http(tmp_path):
    root = tmp_path / "publisher"
    write(root / OIL_FILE.path, workbook())
    with http_server(root) as url:
        path, _ = locate(OIL_FILE, base_url=url)
    assert prices(oil.CONNECTOR.parse(OIL_FILE, path))[2023] == 82.49


def test_gw_microstates_are_fetched_from_the_publisher_only(tmp_path, monkeypatch):
    """Online, the connector reads the publisher's two lists; a mirror holds one panel."""
    import dataclasses

    from coupwatch.sources.base import Connector
    from coupwatch.warehouse.ingest import load

    micro = [("221", "MNC", "Monaco", "01:01:1816", "31:12:2017")]
    root = tmp_path / "publisher"
    write(root / "iisystem.dat", spell_bytes())
    write(root / "microstatessystem.dat", spell_bytes(micro))
    monkeypatch.setenv("COUPWATCH_HOME", str(tmp_path / "home"))
    config.reload()  # settings are read once: read them again
    with http_server(root) as url:
        files = tuple(dataclasses.replace(f, url=f"{url}/{f.url.rsplit('/', 1)[1]}")
                      for f in gw.CONNECTOR.files)
        online = type("Publisher", (gw.GleditschWard,), {"files": files})()
        loaded = load(online)
    assert [key for key, *_ in loaded.files] == ["gw/gwstate_age.csv",
                                                 "gw/microstatessystem.dat"]
    codes = set().union(*(set(p.indicators["gwcode"]) for *_, p in loaded.files))
    assert {2, 221, 366} <= codes
    from_mirror = load(gw.CONNECTOR, mirror=MIRROR)
    assert [key for key, *_ in from_mirror.files] == ["gw/gwstate_age.csv"]
    assert isinstance(online, Connector)
