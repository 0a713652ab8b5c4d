"""`coupwatch case mali`: the analysis's claims rebuilt from queries over the warehouse."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import REPO, checksum, query, run_cli

from coupwatch.errors import BadInput
from coupwatch.read import case
from coupwatch.read import console as sql

ANCHOR = REPO.parent / "shared" / "anchors" / "forecaster2_forecasts_2020.csv"


@pytest.fixture(scope="module")
def db(forecast_home):
    return forecast_home / "warehouse.duckdb"


@pytest.fixture(scope="module")
def study(db):
    return case.case_study("Mali", path=db, compare=ANCHOR)


def test_history_and_world_counts(study):
    history = study.finding("history").frame
    assert sorted(history.loc[history["kind"] == "successful", "year"]) == \
        [1968, 1991, 2012, 2020, 2021]
    assert sorted(history.loc[history["kind"] == "failed", "year"]) == [1978, 1991, 2012]
    world = study.finding("world").frame.set_index("year")["attempts"]
    assert list(world.index) == list(range(2000, 2022))
    assert world[2021] == 7 and world[2000] == 8 and world.loc[2001:2020].max() == 6


def test_military_spending_vdem_conflict(study):
    milex = study.finding("milex").frame.set_index("year")["pct_gdp"]
    assert list(milex.index) == list(range(2010, 2017))
    assert milex[2012] == pytest.approx(1.196, abs=5e-4)  # the 2018 WDI release
    assert milex[2016] == pytest.approx(2.628, abs=5e-4)
    vdem = study.finding("vdem").frame.set_index("variable")
    assert len(vdem) == 6 and vdem[["2006", "2011", "2014", "2019"]].notna().all().all()
    # vertical accountability fell between 2014 and 2019
    assert vdem.at["v2x_veracc_osp", "2019"] < vdem.at["v2x_veracc_osp", "2014"]
    conflict = study.finding("conflict").frame.set_index("year")
    assert conflict.at[2012, "internal_conflict"] == 1


def test_ranks_come_from_out_of_sample_forecasts(study, db):
    ranks = study.finding("ranks").frame.set_index("year")
    stored = set(query(db, "SELECT DISTINCT year FROM backtests")["year"])
    # the session's test warehouse backtests 2015-2022 only: 2012 must then be said missing
    assert (2012 in ranks.index) == (2012 in stored)
    if 2012 not in stored:
        assert "no out-of-sample forecast for 2012" in study.finding("ranks").summary
    rows = query(db, "SELECT gwcode, p_attempt FROM backtests WHERE year = 2020 AND model = "
                 "(SELECT model FROM forecast_runs ORDER BY created_at DESC LIMIT 1)")
    expected = int((rows["p_attempt"] > rows.loc[rows["gwcode"] == 432, "p_attempt"].iloc[0])
                   .sum()) + 1
    assert ranks.at[2020, "rank"] == expected
    assert ranks.at[2020, "countries"] == len(rows)
    other = study.finding("compare").frame.set_index("year")
    assert (other.at[2020, "rank"], other.at[2020, "countries"]) == (22, 169)


def test_claims(study):
    verdicts = {c.claim.split(" ")[0] + " " + c.claim.split(" ")[1]: c.verdict
                for c in study.claims}
    assert verdicts["Coup attempts"] == "confirmed"
    assert verdicts["Mali more"] == "confirmed"
    unchecked = [c for c in study.claims if c.verdict == "cannot check yet"]
    assert len(unchecked) == 3
    text = " ".join(c.claim + c.evidence for c in unchecked)
    for word in ("turnout", "Afrobarometer", "aid", "International IDEA", "OECD"):
        assert word.lower() in text.lower()
    milex = next(c for c in study.claims if c.claim.startswith("Mali more"))
    assert "1.196 %" in milex.evidence and "1.16 %" in milex.evidence


def test_every_number_has_its_query(study, db):
    """Each finding's SQL, pasted into the read-only console, gives the rows shown."""
    for finding in study.findings:
        if finding.key == "compare":
            continue  # reads the --compare file, registered for the run only
        again = sql.query(finding.sql, path=db).frame()
        pd.testing.assert_frame_equal(again, finding.frame, check_dtype=False)


def test_cli(forecast_home, db):
    before = checksum(db)
    result = run_cli("case", "mali", "--show-sql", "--compare", ANCHOR, home=forecast_home)
    assert result.returncode == 0, result.stderr
    assert "FROM coups" in result.stdout and "cannot check yet" in result.stdout
    assert "ranked 22 of 169" in result.stdout
    payload = json.loads(run_cli("case", "MLI", "--format", "json", home=forecast_home).stdout)
    assert [f["key"] for f in payload["findings"]][:3] == ["history", "world", "milex"]
    for args, word in ((["Atlantis"], "Atlantis"), (["Ghana"], "unknown case study"),
                       (["mali", "--compare", "nope.csv"], "nope.csv"),
                       (["mali", "--format", "xml"], "format")):
        bad = run_cli("case", *args, home=forecast_home)
        assert bad.returncode == 2, (args, bad.stderr)
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0], bad.stderr
    assert checksum(db) == before


def test_unknown_country_in_python():
    with pytest.raises(BadInput):
        case.case_study("Narnia")


def test_api(db):
    from fastapi.testclient import TestClient

    from coupwatch.api import create_app

    with TestClient(create_app(db)) as client:
        body = client.get("/api/case/mali").json()
        assert [f["key"] for f in body["findings"]][:2] == ["history", "world"]
        rows = next(f for f in body["findings"] if f["key"] == "world")["rows"]
        attempts = {year: n for year, n, _ in rows}
        assert (attempts[2021], attempts[2000]) == (7, 8)
        assert len([c for c in body["claims"] if c["verdict"] == "cannot check yet"]) == 3
        for name in ("ghana", "narnia"):
            response = client.get(f"/api/case/{name}")
            assert response.status_code == 404, response.text
