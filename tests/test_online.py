"""The online path end to end: every source served in its publisher's format from 127.0.0.1.

REIGN, UCDP/PRIO, G&W and the oil price are published in other formats than the mirror's
researcher panels. Here those publisher files are generated in code from the mirror's panels
(REIGN's leader-months, UCDP's conflict list, G&W's spell list, the Energy Institute
workbook; EPR from a small group-period fixture, with a filler group for each other state),
served over HTTP with the untouched mirror files of the other sources, and loaded by
`coupwatch data update --base-url`. The result must agree with the warehouse built from the
mirror, and `coupwatch forecast` must run on it.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import MIRROR, query, run_cli
from http_fixtures import http_server
from test_publisher_reign_gw_oil import REIGN_COLUMNS, reign_csv, spell_bytes, workbook
from test_publisher_ucdp_epr import EPR_HEADER, UCDP_HEADER, csv_text, epr_rows

from coupwatch import countries
from coupwatch.sources import CONNECTORS, MIRRORED, reign

REIGN_PANEL = "reign/reign_country_year_1950_2019.csv"
UCDP_PANEL, EPR_PANEL = "ucdp/acd_gw.csv", "epr/epr_gw.csv"
GW_PANEL, OIL_PANEL = "gw/gwstate_age.csv", "oil/oil_prices.csv"
GENERATED = {REIGN_PANEL, UCDP_PANEL, EPR_PANEL, GW_PANEL, OIL_PANEL}


def june(name: str, value: float) -> float:
    """Another value a REIGN variable may take: a 0/1 flag or share flipped, else one more."""
    rule = reign.CY_RANGES[name]
    return 1.0 - value if rule.values or rule.hi <= 1 else value + 1.0


def reign_months(panel: pd.DataFrame) -> str:
    """Two months a year: June with other values, then December with the panel's values
    (the parser must keep the year's last month). Codes COW and G&W disagree on are left out."""
    numeric = [c for c in panel.columns if c not in ("gwcode", "year", "government")]
    rows = []
    for record in panel.to_dict("records"):
        code, year = int(record["gwcode"]), int(record["year"])
        if countries.cow_to_gw(code, year) != code:
            continue
        for month in (6, 12):
            row = dict.fromkeys(REIGN_COLUMNS, 0.0)
            row.update(ccode=float(code), country="X", leader="L", year=float(year),
                       month=float(month), government=record["government"] or "")
            for name in numeric:
                value = record[name]
                row[name] = (june(name, float(value)) if month == 6 else float(value)) \
                    if pd.notna(value) else ""
            rows.append(row)
    return reign_csv(rows)


def conflict_list(panel: pd.DataFrame) -> bytes:
    """One internal conflict row per flag of the panel: intensity 2 for major, 1 for minor."""
    rows, cid = [], 1000
    for record in panel.to_dict("records"):
        for column, intensity in (("internal_confl_major", 2), ("internal_confl_minor", 1)):
            if record[column] == 1:
                cid += 1
                row = dict.fromkeys(UCDP_HEADER, "")
                code = str(int(record["gwcode"]))
                row.update(conflict_id=str(cid), location="X", side_a="Government of X",
                           side_b="Rebels", incompatibility="2", year=str(int(record["year"])),
                           intensity_level=str(intensity), type_of_conflict="3", gwno_a=code,
                           gwno_loc=code, region="1", version="22.1")
                rows.append([row[name] for name in UCDP_HEADER])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # UCDP serves a zip
        archive.writestr("UcdpPrioConflict_v22_1.csv", csv_text(UCDP_HEADER, rows))
    return buffer.getvalue()


def spell_list(panel: pd.DataFrame) -> bytes:
    """Contiguous runs of state-years as G&W spells; surviving states end on the list's
    last date, which the parser extends to the last full year."""
    spells, last = [], int(panel["year"].max())
    for code, years in panel.groupby("gwcode")["year"]:
        years = sorted(years)
        start = prev = years[0]
        for year in [*years[1:], None]:
            if year is not None and year == prev + 1:
                prev = year
                continue
            end = "31:12:2020" if prev == last else f"30:06:{prev}"
            spells.append((str(code), "XXX", f"State {code}", f"01:01:{start}", end))
            if year is not None:
                start = prev = year
    return spell_bytes(spells)


EPR_GROUPS = [(432, 1946, 2021, "Tuareg", 1, 0.017, "POWERLESS", "false"),
              (432, 1946, 2021, "Blacks", 2, 0.9, "DOMINANT", "false"),
              (2, 1946, 2021, "Whites", 1, 0.691, "SENIOR PARTNER", "false"),
              (2, 1946, 2021, "African Americans", 2, 0.124, "POWERLESS", "false")]


def epr_filler(panel: pd.DataFrame) -> list[tuple]:
    """One group for each other state of 2021: a complete EPR release covers some 170, and a
    file with fewer than 140 in its last year is refused as partial."""
    states = sorted(set(panel.loc[panel["year"] == 2021, "gwcode"]) - {2, 432})
    return [(int(code), 2000, 2021, "Everyone", 1, 1.0, "MONOPOLY", "false")
            for code in states]


@pytest.fixture(scope="module")
def publisher(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("publisher")
    for connector in CONNECTORS.values():
        for file in connector.files:
            if file.path not in GENERATED and not file.online_only:
                (root / file.path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(MIRROR / file.path, root / file.path)
    writes = {
        REIGN_PANEL: reign_months(pd.read_csv(MIRROR / REIGN_PANEL, keep_default_na=False,
                                              na_values=["NA", ""])).encode(),
        UCDP_PANEL: conflict_list(pd.read_csv(MIRROR / UCDP_PANEL)),
        EPR_PANEL: csv_text(EPR_HEADER, epr_rows(
            EPR_GROUPS + epr_filler(pd.read_csv(MIRROR / GW_PANEL)))).encode(),
        GW_PANEL: spell_list(pd.read_csv(MIRROR / GW_PANEL)),
        OIL_PANEL: workbook([(int(y), None, float(p)) for y, p in pd.read_csv(
            MIRROR / OIL_PANEL).itertuples(index=False)], real="$ 2017"),
    }
    for path, body in writes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(body)
    return root


@pytest.fixture(scope="module")
def online(publisher, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("online-home")
    with http_server(publisher) as url:
        result = run_cli("data", "update", "--base-url", url, home=home, timeout=900)
    assert result.returncode == 0, result.stderr
    return home / "warehouse.duckdb"


def values(db: Path, source: str, variables: list[str], *, to: int = 3000) -> pd.DataFrame:
    names = ", ".join(f"'{v}'" for v in variables)
    frame = query(db, f"""SELECT gwcode, year, variable, value FROM indicators WHERE
                          source = '{source}' AND variable IN ({names}) AND year <= {to}""")
    return frame.set_index(["gwcode", "year", "variable"])["value"].sort_index()


def test_every_file_came_over_http(online):
    prov = query(online, "SELECT source, file, origin FROM provenance")
    assert prov["origin"].str.startswith("http://127.0.0.1").all()
    assert set(prov["source"]) == set(MIRRORED)  # an HTTP mirror has no Wikidata answer


def test_state_ages_from_the_spell_list_match_the_panel(online, warehouse_path):
    # the parser extends surviving states to the last full year: compare to 2024
    got = values(online, "gw", ["state_age"], to=2024)
    want = values(warehouse_path, "gw", ["state_age"], to=2024)
    pd.testing.assert_series_equal(got, want, check_dtype=False)


def test_reign_end_of_year_values_match_the_panel(online, warehouse_path):
    names = ["reign_tenure_months", "reign_age", "reign_militarycareer", "reign_lastelection"]
    got, want = values(online, "reign", names), values(warehouse_path, "reign", names)
    common = got.index.intersection(want.index)
    assert len(common) > 0.97 * len(want)  # only codes COW and G&W disagree on are missing
    pd.testing.assert_series_equal(got[common], want[common], check_dtype=False)


def test_conflict_flags_and_oil_prices_match(online, warehouse_path):
    flags = ["internal_confl", "internal_confl_major", "internal_confl_minor"]
    got, want = values(online, "ucdp", flags), values(warehouse_path, "ucdp", flags)
    common = got.index.intersection(want.index)
    assert len(common) > 0.95 * len(want)
    pd.testing.assert_series_equal(got[common], want[common], check_dtype=False)
    oil_got = values(online, "oil", ["oil_price_real"]).droplevel([0, 2])
    oil_want = values(warehouse_path, "oil", ["oil_price_real"]).droplevel([0, 2])
    pd.testing.assert_series_equal(oil_got, oil_want, check_dtype=False, rtol=1e-9)
    epr = values(online, "epr", ["epr_excluded_group_pop"])
    assert epr[(432, 2012, "epr_excluded_group_pop")] == pytest.approx(0.017)


def test_forecast_runs_on_the_online_warehouse(online, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(online, home / "warehouse.duckdb")
    result = run_cli("forecast", "--model", "logit", home=home, timeout=1200)
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        n, low, high = con.execute("SELECT count(*), min(p_attempt), max(p_attempt) "
                                   "FROM forecasts").fetchone()
    finally:
        con.close()
    assert n > 150 and 0 < low < high < 1
