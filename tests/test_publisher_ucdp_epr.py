"""UCDP/PRIO and EPR in their publishers' formats: aggregation to the mirror panels' variables,
header detection, bad input, truncation invariance, and the download path over local HTTP.

Every fixture is written here, small enough to work out the expected values by hand.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from http_fixtures import http_server

from coupwatch import config
from coupwatch.errors import BadInput
from coupwatch.sources import epr, gw, ucdp
from coupwatch.sources.base import INDICATOR_COLUMNS, Parsed
from coupwatch.sources.fetch import locate

UCDP_FILE = ucdp.CONNECTOR.files[0]
EPR_FILE = epr.CONNECTOR.files[0]
GW_FILE = gw.CONNECTOR.files[0]

# --- fixtures --------------------------------------------------------------------------------

UCDP_HEADER = ["conflict_id", "location", "side_a", "side_a_id", "side_a_2nd", "side_b",
               "side_b_id", "side_b_2nd", "incompatibility", "territory_name", "year",
               "intensity_level", "cumulative_intensity", "type_of_conflict", "start_date",
               "start_prec", "start_date2", "start_prec2", "ep_end", "ep_end_date",
               "ep_end_prec", "gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc",
               "region", "version"]

# (conflict_id, year, intensity, type, gwno_a, gwno_a_2nd, gwno_b, gwno_b_2nd, gwno_loc)
CONFLICTS = [
    (200, 2000, 1, 1, "220", "", "", "", "626"),        # colonial war where no state yet is
    (201, 2001, 2, 2, "700", "", "2, 200", "", "700"),  # interstate war, two states on side B
    (202, 2002, 1, 4, "700", "2, 200", "", "", "700"),  # internationalised civil conflict
    (202, 2003, 1, 4, "700", "2, 200", "", "", "700"),
    (203, 2003, 2, 2, "645", "", "2, 200", "", "645"),  # interstate war
    (204, 2002, 1, 2, "750", "", "770", "", "750, 770"),  # minor interstate, two locations
    (205, 2002, 1, 4, "432", "220", "", "", "432"),     # civil conflict with French troops
    (205, 2003, 2, 3, "432", "", "", "", "432"),        # ... becomes a war
    (206, 2003, 1, 3, "432", "", "", "", "432"),        # and a second, minor one
    (207, 2001, 1, 1, "200", "", "", "", "645"),        # colonial war in a state, not by it
]
STATES = [2, 100, 200, 220, 432, 645, 700, 750, 770]  # in the system 1990-2025
LATE_STATE = (626, 2011)  # South Sudan: a G&W state only from 2011

# Non-zero flags per country-year, worked out by hand from CONFLICTS and the rules in
# ucdp.py's docstring; every other country-year of the 9 states x 2000-2003 is all zeros.
PART_MINOR = {"internal_confl_part", "internal_confl_part_minor", "any_conflict",
              "any_conflict_minor", "ext_conf", "ext_conf_minor"}
WAR_MAJOR = {"war", "war_major", "any_conflict", "any_conflict_major", "ext_conf",
             "ext_conf_major"}
WAR_MINOR = {"war", "war_minor", "any_conflict", "any_conflict_minor", "ext_conf",
             "ext_conf_minor"}
INTERNAL_MINOR = PART_MINOR | {"internal_confl", "internal_confl_minor"}
EXPECTED_FLAGS = {
    (220, 2000): PART_MINOR,  # fought a colonial war abroad: not internal, but a participant
    (700, 2001): WAR_MAJOR, (2, 2001): WAR_MAJOR, (200, 2001): WAR_MAJOR | PART_MINOR,
    (645, 2001): INTERNAL_MINOR - {"ext_conf", "ext_conf_minor"},  # only the location
    (700, 2002): INTERNAL_MINOR, (2, 2002): PART_MINOR, (200, 2002): PART_MINOR,
    (750, 2002): WAR_MINOR, (770, 2002): WAR_MINOR,
    (432, 2002): INTERNAL_MINOR, (220, 2002): PART_MINOR,
    (700, 2003): INTERNAL_MINOR, (645, 2003): WAR_MAJOR,
    (2, 2003): PART_MINOR | WAR_MAJOR, (200, 2003): PART_MINOR | WAR_MAJOR,
    (432, 2003): {name for name in ucdp.UCDP_COLUMNS if not name.startswith("war")},
}

EPR_HEADER = ["gwid", "statename", "from", "to", "group", "groupid", "gwgroupid", "umbrella",
              "size", "status", "reg_aut"]
# (gwid, from, to, group, groupid, size, status, reg_aut)
GROUPS = [
    (2, 2000, 2002, "Whites", 1000, 0.7, "DOMINANT", "false"),
    (2, 2000, 2002, "Latinos", 2000, 0.15, "IRRELEVANT", "false"),
    (2, 2000, 2002, "African Americans", 3000, 0.12, "DISCRIMINATED", "false"),
    (2, 2000, 2002, "American Indians", 5000, 0.01, "POWERLESS", "true"),
    (2, 2003, 2004, "Whites", 1000, 0.7, "SENIOR PARTNER", "false"),
    (2, 2003, 2004, "Latinos", 2000, 0.15, "JUNIOR PARTNER", "false"),
    (2, 2003, 2004, "African Americans", 3000, 0.12, "SELF-EXCLUSION", "false"),
    (2, 2003, 2004, "American Indians", 5000, 0.01, "POWERLESS", "TRUE"),
    (660, 2000, 2001, "Shi'a", 1, 0.3, "STATE COLLAPSE", "false"),
    (660, 2000, 2001, "Maronites", 2, 0.2, "STATE COLLAPSE", ""),
    (660, 2002, 2004, "Shi'a", 1, 0.3, "JUNIOR PARTNER", "false"),
    (660, 2002, 2004, "Maronites", 2, 0.2, "SENIOR PARTNER", "false"),
    (520, 2000, 2004, "Somali", 1, 0.85, "MONOPOLY", "false"),
    (375, 2000, 2004, "Finns", 1, 0.9, "IRRELEVANT", "false"),  # no relevant group at all
]
# (groups, elf, excluded n, excluded pop, in power n, in power pop, autonomous n, pop)
EPR_EXPECTED = {
    2: {2000: (3, 0.49 + 0.0144 + 0.0001, 2, 0.13, 1, 0.7, 1, 0.01),
        2003: (4, 0.49 + 0.0225 + 0.0144 + 0.0001, 2, 0.13, 2, 0.85, 1, 0.01)},
    660: {2000: (2, 0.13, 0, 0.0, 2, 0.5, 0, 0.0), 2002: (2, 0.13, 0, 0.0, 2, 0.5, 0, 0.0)},
    520: {2000: (1, 0.7225, 0, 0.0, 1, 0.85, 0, 0.0)},
}


def ucdp_rows(conflicts=CONFLICTS) -> list[list[str]]:
    rows = []
    for cid, year, intensity, kind, a, a2, b, b2, loc in conflicts:
        record = dict.fromkeys(UCDP_HEADER, "")
        record.update(conflict_id=str(cid), location="Somewhere", side_a="Government of X",
                      side_b="Government of Y, Government of Z", incompatibility="2",
                      year=str(year), intensity_level=str(intensity), type_of_conflict=str(kind),
                      gwno_a=a, gwno_a_2nd=a2, gwno_b=b, gwno_b_2nd=b2, gwno_loc=loc,
                      region="1", version="22.1", start_date=f"{year}-01-01")
        rows.append([record[name] for name in UCDP_HEADER])
    return rows


def epr_rows(groups=GROUPS) -> list[list[str]]:
    return [[str(g), "State", str(start), str(end), name, str(gid), str(g * 1000 + gid), "",
             str(size), status, aut] for g, start, end, name, gid, size, status, aut in groups]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def state_panel_text() -> str:
    rows = [[str(code), str(year), str(year - 1989)] for code in STATES
            for year in range(1990, 2026)]
    code, first = LATE_STATE
    rows += [[str(code), str(year), str(year - first + 1)] for year in range(first, 2026)]
    return csv_text(["gwcode", "year", "state_age"], rows)


def lay_out(root: Path, ucdp_text: str | None = None, epr_text: str | None = None,
            states: bool = True) -> Path:
    """Files where a mirror or the download cache keeps them."""
    for file, text in ((UCDP_FILE, ucdp_text), (EPR_FILE, epr_text),
                       (GW_FILE, state_panel_text() if states else None)):
        if text is not None:
            (root / file.path).parent.mkdir(parents=True, exist_ok=True)
            (root / file.path).write_text(text)
    return root


def parse_ucdp(tmp_path: Path, rows: list[list[str]], header=UCDP_HEADER) -> Parsed:
    root = lay_out(tmp_path, ucdp_text=csv_text(header, rows))
    return ucdp.CONNECTOR.parse(UCDP_FILE, root / UCDP_FILE.path)


def parse_epr(tmp_path: Path, rows: list[list[str]], header=EPR_HEADER) -> Parsed:
    root = lay_out(tmp_path, epr_text=csv_text(header, rows), states=False)
    return epr.CONNECTOR.parse(EPR_FILE, root / EPR_FILE.path)


def wide(parsed: Parsed) -> pd.DataFrame:
    return parsed.indicators.pivot(index=["gwcode", "year"], columns="variable",
                                   values="value")


# --- UCDP/PRIO -------------------------------------------------------------------------------

def test_ucdp_conflict_years_become_the_panel_variables(tmp_path):
    rows = ucdp_rows()
    parsed = parse_ucdp(tmp_path, rows + [rows[2]])  # one exact duplicate
    assert list(parsed.indicators.columns) == INDICATOR_COLUMNS
    assert parsed.release == "ucdp-prio-acd-22.1"
    assert parsed.duplicates == 1
    table = wide(parsed)
    assert sorted(table.columns) == sorted(ucdp.UCDP_COLUMNS)
    # every state-year of 2000-2003 is there, conflicts or not; South Sudan is not yet a state
    assert set(table.index) == {(g, y) for g in STATES for y in range(2000, 2004)}
    for (code, year), row in table.iterrows():
        flags = {name for name, value in row.items() if value == 1.0}
        assert flags == EXPECTED_FLAGS.get((code, year), set()), (code, year)
    assert set(table.to_numpy().ravel()) == {0.0, 1.0}
    # the colonial war's location had no state then: left out and reported
    assert parsed.unmapped == [{"code": "G&W 626", "name": parsed.unmapped[0]["name"],
                                "year_min": 2000, "year_max": 2000, "rows": 1,
                                "reason": "no G&W state that year"}]


def test_ucdp_state_without_conflicts_is_zero_not_missing(tmp_path):
    table = wide(parse_ucdp(tmp_path, ucdp_rows()))
    colombia = table.loc[100]
    assert list(colombia.index) == [2000, 2001, 2002, 2003]
    assert (colombia == 0.0).all().all()


def test_ucdp_truncation_invariance(tmp_path):
    full = parse_ucdp(tmp_path / "full", ucdp_rows()).indicators
    for last in (2000, 2001, 2002):
        cut = [c for c in CONFLICTS if c[1] <= last]
        part = parse_ucdp(tmp_path / str(last), ucdp_rows(cut)).indicators
        expected = full[full["year"] <= last].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)


def test_ucdp_header_detection(tmp_path):
    panel = csv_text(["gwcode", "year", *ucdp.UCDP_COLUMNS],
                     [["2", "2001", *["1"] * 15], ["20", "2001", *["0"] * 15]])
    root = lay_out(tmp_path, ucdp_text=panel, states=False)  # the panel needs no G&W file
    parsed = ucdp.CONNECTOR.parse(UCDP_FILE, root / UCDP_FILE.path)
    assert parsed.release == "acd_gw"
    assert len(parsed.indicators) == 30


def test_ucdp_needs_the_gw_state_system(tmp_path):
    root = lay_out(tmp_path, ucdp_text=csv_text(UCDP_HEADER, ucdp_rows()), states=False)
    with pytest.raises(BadInput, match="G&W state system") as err:
        ucdp.CONNECTOR.parse(UCDP_FILE, root / UCDP_FILE.path)
    assert err.value.file == str(root / GW_FILE.path)


def replace(conflict: tuple, **changes) -> tuple:
    names = ["cid", "year", "intensity", "kind", "a", "a2", "b", "b2", "loc"]
    values = dict(zip(names, conflict, strict=True)) | changes
    return tuple(values[name] for name in names)


@pytest.mark.parametrize(("index", "changes", "column", "message"), [
    (3, {"a2": "2, 9999"}, "gwno_a_2nd", "unknown Gleditsch & Ward code 9999"),
    (5, {"loc": "750; Kashmir"}, "gwno_loc", "'750;' is not a Gleditsch & Ward code"),
    (4, {"year": "20o3"}, "year", "'20o3' is not a number"),
    (6, {"intensity": "3"}, "intensity_level", "above 2"),
    (7, {"kind": "5"}, "type_of_conflict", "above 4"),
])
def test_ucdp_bad_input_names_row_and_column(tmp_path, index, changes, column, message):
    conflicts = list(CONFLICTS)
    conflicts[index] = replace(conflicts[index], **changes)
    with pytest.raises(BadInput, match=message) as err:
        parse_ucdp(tmp_path, ucdp_rows(conflicts))
    assert (err.value.row, err.value.column) == (index + 2, column)  # header is line 1
    assert err.value.file == str(tmp_path / UCDP_FILE.path)


def test_ucdp_one_conflict_year_twice_with_different_values(tmp_path):
    conflicts = [*CONFLICTS, replace(CONFLICTS[1], intensity=1)]
    with pytest.raises(BadInput, match=r"conflict_id=201, year=2001 \(also row 3\)") as err:
        parse_ucdp(tmp_path, ucdp_rows(conflicts))
    assert (err.value.row, err.value.column) == (len(conflicts) + 1, "conflict_id")


def test_ucdp_missing_column(tmp_path):
    header = [name for name in UCDP_HEADER if name != "gwno_loc"]
    rows = [row[:UCDP_HEADER.index("gwno_loc")] + row[UCDP_HEADER.index("gwno_loc") + 1:]
            for row in ucdp_rows()]
    with pytest.raises(BadInput, match="required column is missing") as err:
        parse_ucdp(tmp_path, rows, header)
    assert (err.value.row, err.value.column) == (1, "gwno_loc")


# --- EPR ---------------------------------------------------------------------------------------

def test_epr_group_periods_become_the_panel_variables(tmp_path):
    rows = epr_rows()
    parsed = parse_epr(tmp_path, rows + [rows[2]])  # one exact duplicate
    assert list(parsed.indicators.columns) == INDICATOR_COLUMNS
    assert parsed.release == "EPR core 2000-2004"  # cached under the mirror's name
    assert parsed.duplicates == 1
    table = wide(parsed)
    assert sorted(table.columns) == sorted(epr.EPR_COLUMNS)
    # Finland has no politically relevant group: missing, not zero
    assert set(table.index) == {(g, y) for g in (2, 520, 660) for y in range(2000, 2005)}
    for code, years in EPR_EXPECTED.items():
        for year, values in years.items():
            got = table.loc[(code, year), epr.EPR_COLUMNS].to_list()
            assert got == pytest.approx(list(values)), (code, year)
    # a period's values hold for each of its years
    assert table.loc[(2, 2002)].equals(table.loc[(2, 2000)])
    assert table.loc[(660, 2001)].equals(table.loc[(660, 2000)])


def test_epr_release_from_the_publishers_file_name(tmp_path):
    path = tmp_path / "EPR-2021.csv"
    path.write_text(csv_text(EPR_HEADER, epr_rows()))
    assert epr.CONNECTOR.parse(EPR_FILE, path).release == "EPR-2021"


def test_epr_truncation_invariance(tmp_path):
    full = parse_epr(tmp_path / "full", epr_rows()).indicators
    for last in (2000, 2001, 2002, 2003):
        cut = [(g, start, min(end, last), *rest) for g, start, end, *rest in GROUPS
               if start <= last]
        part = parse_epr(tmp_path / str(last), epr_rows(cut)).indicators
        expected = full[full["year"] <= last].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)


def test_epr_header_detection(tmp_path):
    panel = csv_text(["gwcode", "year", *epr.EPR_COLUMNS],
                     [["2", "1946", "3", "0.4929", "2", "0.1318", "1", "0.691", "1", "0.0078"],
                      ["221", "1946", *["NA"] * 8]])
    root = lay_out(tmp_path, epr_text=panel, states=False)
    parsed = epr.CONNECTOR.parse(EPR_FILE, root / EPR_FILE.path)
    assert parsed.release == "epr_gw"
    assert len(parsed.indicators) == 8  # Monaco's NAs stay missing


def change_group(index: int, position: int, value) -> list[tuple]:
    groups = list(GROUPS)
    row = list(groups[index])
    row[position] = value
    groups[index] = tuple(row)
    return groups


@pytest.mark.parametrize(("groups", "line", "column", "message"), [
    (change_group(4, 6, "OPPRESSED"), 6, "status", "'OPPRESSED' is not an EPR status"),
    (change_group(8, 1, "19x6"), 10, "from", "'19x6' is not a number"),
    (change_group(3, 2, 1999), 5, "to", "ends \\(1999\\) before it starts \\(2000\\)"),
    (change_group(12, 5, 1.5), 14, "size", "above 1"),
    (change_group(7, 7, "maybe"), 9, "reg_aut", "'maybe' is not true/false"),
    (change_group(12, 0, 9999), 14, "gwid", "unknown Gleditsch & Ward code 9999"),
    (change_group(4, 1, 2002), 6, "from", "group 1000 is already coded for 2002"),
])
def test_epr_bad_input_names_row_and_column(tmp_path, groups, line, column, message):
    with pytest.raises(BadInput, match=message) as err:
        parse_epr(tmp_path, epr_rows(groups))
    assert (err.value.row, err.value.column) == (line, column)
    assert err.value.file == str(tmp_path / EPR_FILE.path)


def test_epr_missing_column(tmp_path):
    header = [name for name in EPR_HEADER if name != "status"]
    rows = [row[:9] + row[10:] for row in epr_rows()]
    with pytest.raises(BadInput, match="required column is missing") as err:
        parse_epr(tmp_path, rows, header)
    assert (err.value.row, err.value.column) == (1, "status")


# --- over HTTP, as when online -----------------------------------------------------------------

def ucdp_zip(text: str) -> bytes:
    """Like ucdp-prio-acd-221-csv.zip: one CSV named by the release."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("UcdpPrioConflict_v22_1.csv", text)
    return buffer.getvalue()


def test_publisher_files_downloaded_over_http(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("COUPWATCH_HOME", str(home))
    config.reload()  # settings are read once: read them again
    served = lay_out(tmp_path / "served", epr_text=csv_text(EPR_HEADER, epr_rows()))
    (served / UCDP_FILE.path).parent.mkdir(parents=True)
    (served / UCDP_FILE.path).write_bytes(ucdp_zip(csv_text(UCDP_HEADER, ucdp_rows())))
    with http_server(served) as url:
        # the G&W system first, as `data update` does, so UCDP finds it in the cache
        results = {}
        for connector in (gw.CONNECTOR, ucdp.CONNECTOR, epr.CONNECTOR):
            file = connector.files[0]
            path, origin = locate(file, base_url=url)
            assert path == home / "cache" / file.path and origin == f"{url}/{file.path}"
            results[connector.name] = connector.parse(file, path)
    assert (home / "cache" / UCDP_FILE.path).read_bytes()[:2] != b"PK"  # unpacked
    local = lay_out(tmp_path / "local", ucdp_text=csv_text(UCDP_HEADER, ucdp_rows()))
    direct = ucdp.CONNECTOR.parse(UCDP_FILE, local / UCDP_FILE.path)
    pd.testing.assert_frame_equal(results["ucdp"].indicators, direct.indicators)
    assert results["ucdp"].release == "ucdp-prio-acd-22.1"
    assert results["epr"].release == "EPR core 2000-2004"
    assert wide(results["epr"]).loc[(2, 2003), "epr_groups"] == 4
