"""The Cline Center's events beside Powell & Thyne's: every P&T reader still sees P&T alone,
`events --source cline`, and `events --compare` (one-to-one matching by state and date)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import MIRROR, checksum, copy_mirror, query, run_cli, side_by_side
from http_fixtures import http_server

from coupwatch import operations, warehouse
from coupwatch.errors import BadInput
from coupwatch.read import console as sql
from coupwatch.read import snapshot
from coupwatch.warehouse import events as events_store

CLINE = "cline/Coup_Data_v2.1.2.csv"


# --- Powell & Thyne readers still see Powell & Thyne alone ---------------------------------

@pytest.fixture(scope="module")
def without_cline(tmp_path_factory, warehouse_path: Path) -> Path:
    """The session warehouse with the Cline source taken out again."""
    path = tmp_path_factory.mktemp("no-cline") / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, path)
    con = warehouse.connect(path)
    try:
        for table in ("events", "provenance", "unmapped"):
            con.execute(f"DELETE FROM {table} WHERE source = 'cline'")
    finally:
        con.close()
    return path


def test_powell_thyne_readers_ignore_cline(warehouse_path, without_cline, panel):
    assert query(warehouse_path, "SELECT count(*) AS n FROM events WHERE source = 'cline'"
                 )["n"].iloc[0] == 981
    other = operations.load_panel(without_cline)  # built now: the stored panel is stale
    pd.testing.assert_frame_equal(panel, other)
    for args in ({}, {"country": "Mali"}, {"date_from": "2021", "date_to": "2022"}):
        with_c = operations.list_events(path=warehouse_path, **args)
        pd.testing.assert_frame_equal(with_c, operations.list_events(path=without_cline,
                                                                     **args))
        assert set(with_c["release"]) == {"V2022.11.29"}
        assert "actors" not in with_c.columns
    snap = snapshot.load(warehouse_path)
    pd.testing.assert_frame_equal(snap.events, snapshot.load(without_cline).events)
    assert snap.release == "V2022.11.29" and set(snap.events["kind"]) == {"successful",
                                                                          "failed"}
    coups = "SELECT * FROM coups ORDER BY date, gwcode"
    assert sql.query(coups, path=warehouse_path).rows == sql.query(coups,
                                                                   path=without_cline).rows


def test_a_warehouse_made_before_actors_gets_the_column(tmp_path, warehouse_path):
    path = tmp_path / "old.duckdb"
    shutil.copyfile(warehouse_path, path)
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM events WHERE source = 'cline'")
    con.execute("ALTER TABLE events DROP COLUMN actors")
    con.close()
    old = operations.list_events(path=path, country="Mali")  # read-only, no column needed
    assert len(old) == 8
    warehouse.connect(path).close()
    columns = query(path, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events'")
    assert columns["column_name"].tolist()[-1] == "actors"
    pd.testing.assert_frame_equal(operations.list_events(path=path, country="Mali"), old)
    with pytest.raises(BadInput, match="no cline events"):
        operations.list_events(path=path, source="cline")


# --- events --source cline and --compare -------------------------------------------------

def test_list_events_of_cline(warehouse_path):
    mali = operations.list_events("Mali", source="cline", path=warehouse_path)
    assert len(mali) == 13
    assert mali["kind"].value_counts().to_dict() == {"conspiracy": 5, "coup": 5, "attempted": 3}
    by_date = mali.set_index("date")
    assert by_date.loc["2012-03-22", "kind"] == "coup"
    assert by_date.loc["2022-05-11", "actors"] == "conspiracy,foreign,military,noharm,unrealized"
    autos = operations.list_events(source="cline", path=warehouse_path, date_from="2021",
                                   date_to="2021")
    assert "Tunisia" in set(autos[autos["actors"].str.contains("auto")]["country"])
    with pytest.raises(BadInput, match="unknown event source"):
        operations.list_events(source="reign", path=warehouse_path)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Events as ``warehouse.events.read`` gives them: (gwcode, date, kind) each."""
    out = []
    for n, (code, date, kind) in enumerate(rows):
        year, month, day = (int(x) for x in date.split("-"))
        out.append(dict(year=year, month=month, day=day, gwcode=code, iso3="X", country="X",
                        kind=kind, release="r", file="f", line=n + 2, actors=None))
    return pd.DataFrame(out, columns=events_store.COLUMNS)


def test_matching_is_one_to_one_nearest_first():
    pt = frame([(432, "2012-03-01", "failed"), (432, "2012-03-20", "successful"),
                (432, "2020-08-18", "successful"), (101, "2000-01-01", "failed"),
                (101, "2001-01-01", "failed")])
    cline = frame([(432, "2012-03-18", "coup"), (432, "2020-09-18", "coup"),
                   (101, "2000-01-02", "conspiracy"), (101, "2001-02-01", "coup"),
                   (52, "2012-03-01", "coup")])
    result = events_store.compare(pt, cline)
    pairs = result.pairs
    # 03-18 is nearer to 03-20 than to 03-01: one pair, the 1 March attempt unmatched
    # 2020-08-18 vs 2020-09-18: 31 days, the edge of the window; 2001-01-01 vs 02-01: 31 too
    assert pairs[["powell_thyne_date", "cline_date", "days"]].values.tolist() == [
        ["2001-01-01", "2001-02-01", 31], ["2012-03-20", "2012-03-18", -2],
        ["2020-08-18", "2020-09-18", 31]]
    only_pt = result.only_first
    assert list(zip(only_pt["gwcode"], only_pt["day"], only_pt["cline_conspiracy"],
                    strict=True)) == [(101, 1, "2000-01-02"), (432, 1, None)]
    assert result.only_second["gwcode"].tolist() == [52]  # other state, same day
    assert result.conspiracies["kind"].tolist() == ["conspiracy"]
    assert pairs["same_outcome"].tolist() == [False, True, True]
    wider = events_store.compare(pt, frame([(432, "2020-09-19", "coup")]))
    assert wider.pairs.empty and len(wider.only_second) == 1  # 32 days: no match


@pytest.fixture(scope="module")
def compared(warehouse_path):
    return operations.compare_events(date_from="1950", date_to="2022", path=warehouse_path)


def test_compare_on_the_real_lists(compared, warehouse_path):
    pt = operations.list_events(path=warehouse_path, date_from="1950", date_to="2022")
    pairs, only_pt, only_cline = compared.pairs, compared.only_first, compared.only_second
    assert len(pairs) + len(only_pt) == len(pt)  # every P&T attempt is matched or listed
    cline = operations.list_events(source="cline", path=warehouse_path, date_from="1950",
                                   date_to="2022")
    attempts = cline[cline["kind"] != "conspiracy"]
    assert len(pairs) + len(only_cline) == len(attempts)
    assert len(compared.conspiracies) == (cline["kind"] == "conspiracy").sum()
    assert (pairs["days"].abs() <= 31).all()
    for side in ("powell_thyne_date", "cline_date"):
        assert not pairs.duplicated(["gwcode", side]).any()
    # maximal: no unmatched P&T attempt has an unmatched Cline attempt nearby
    near = only_pt.merge(only_cline, on="gwcode", suffixes=("_pt", "_cl"))
    gap = (pd.to_datetime(near["date_cl"]) - pd.to_datetime(near["date_pt"])).dt.days.abs()
    assert not (gap <= 31).any()
    matched = set(zip(pairs["iso3"], pairs["powell_thyne_date"], pairs["cline_date"],
                      strict=True))
    assert {("MLI", "2012-03-22", "2012-03-22"), ("MLI", "2020-08-18", "2020-08-18"),
            ("MLI", "2021-05-21", "2021-05-24"), ("BRA", "1964-04-01", "1964-04-01")} <= matched
    # two Cline events on 3 February 1977 in Ethiopia: P&T's successful coup takes the coup
    ethiopia = pairs[(pairs["gwcode"] == 530) & (pairs["powell_thyne_date"] == "1977-02-03")]
    assert ethiopia[["powell_thyne_kind", "cline_kind"]].values.tolist() == [["successful",
                                                                              "coup"]]
    ussr = pairs[(pairs["gwcode"] == 365) & (pairs["powell_thyne_date"].str[:4] == "1991")]
    assert ussr[["powell_thyne_kind", "cline_kind"]].values.tolist() == [["failed", "coup"]]
    missing = set(zip(only_pt["iso3"], only_pt["date"], strict=True))
    # Cline v2.1.2 has no event for Guinea's coup of 5 September 2021; P&T list two Brazil
    # 1964 events (30 March, 1 April) where Cline has one; Mali 1978 is a plot in Cline
    assert {("GIN", "2021-09-05"), ("BRA", "1964-03-30"), ("MLI", "1978-02-15")} <= missing
    assert only_pt.set_index("date").loc["1978-02-15", "cline_conspiracy"] == "1978-02-28"
    assert ("MLI", "1969-08-12") in set(zip(only_cline["iso3"], only_cline["date"], strict=True))
    assert set(only_cline["kind"]) <= {"coup", "attempted"}


def test_compare_honours_country_and_dates(compared, warehouse_path):
    mali = operations.compare_events("Mali", path=warehouse_path)
    assert len(mali.pairs) == 7 and set(mali.pairs["gwcode"]) == {432}
    assert mali.only_first["date"].tolist() == ["1978-02-15"]
    assert mali.only_second["date"].tolist() == ["1969-08-12"]
    assert len(mali.conspiracies) == 5
    recent = operations.compare_events(date_from="2021", date_to="2021", path=warehouse_path)
    years = pd.concat([recent.only_first["date"], recent.only_second["date"],
                       recent.pairs["powell_thyne_date"]]).str[:4]
    assert set(years) == {"2021"}
    expected = compared.pairs[compared.pairs["powell_thyne_date"].str[:4] == "2021"]
    assert len(recent.pairs) == len(expected)


def test_events_cli(home):
    runs = side_by_side({
        "default": (home, ["events", "--country", "Mali"]),
        "cline": (home, ["events", "--country", "Mali", "--source", "cline"]),
        "compare": (home, ["events", "--compare", "--from", "1950", "--to", "2022"]),
        "bad-source": (home, ["events", "--source", "acled"]),
        "bad-compare": (home, ["events", "--compare", "--release", "v2.1.2"]),
    })
    default = runs["default"].stdout
    assert runs["default"].returncode == 0 and "8 coup attempts" in default
    assert "actors" not in default and "V2022.11.29" in default
    cline = runs["cline"].stdout
    assert runs["cline"].returncode == 0 and "13 Cline events" in cline
    assert "conspiracy,foreign,military,noharm,unrealized" in cline and "actors" in cline
    text = runs["compare"].stdout
    assert runs["compare"].returncode == 0, runs["compare"].stderr
    result = operations.compare_events(date_from="1950", date_to="2022",
                                       path=home / "warehouse.duckdb")
    assert f"{len(result.only_first)} in Powell & Thyne, not in Cline" in text
    assert f"{len(result.only_second)} in Cline, not in Powell & Thyne" in text
    differ = int((~result.pairs["same_outcome"]).sum())
    assert f"{len(result.pairs)} matched pairs" in text and f"{differ} of them differ" in text
    assert f"{len(result.conspiracies)} Cline conspiracies" in text
    assert "left out of the comparison" in text
    for key, parameter in (("bad-source", "source"), ("bad-compare", "release")):
        assert runs[key].returncode == 2
        lines = runs[key].stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: parameter '{parameter}': ")


def test_cline_over_http(tmp_path, warehouse_path):
    """The download path for this source alone: the publisher's file from 127.0.0.1."""
    served = copy_mirror(tmp_path / "served" / "cline", MIRROR / "cline").parent
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
    before = checksum(home / "warehouse.duckdb")
    with http_server(served) as url:
        result = run_cli("data", "update", "--base-url", url, "--source", "cline", home=home)
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout  # the same bytes as the mirror: nothing to do
    assert checksum(home / "warehouse.duckdb") == before
    assert (home / "cache" / CLINE).read_bytes() == (MIRROR / CLINE).read_bytes()


def test_equal_gaps_prefer_the_same_outcome():
    pt = frame([(530, "1977-02-03", "successful")])
    cline = frame([(530, "1977-02-03", "attempted"), (530, "1977-02-03", "coup")])
    result = events_store.compare(pt, cline)
    assert result.pairs["cline_kind"].tolist() == ["coup"]
    assert result.only_second["kind"].tolist() == ["attempted"]
    nearer = events_store.compare(pt, frame([(530, "1977-02-04", "coup"),
                                             (530, "1977-02-03", "attempted")]))
    assert nearer.pairs["cline_kind"].tolist() == ["attempted"]  # the gap decides first
