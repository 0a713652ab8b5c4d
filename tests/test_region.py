"""`coupwatch region`: dated membership, member risks and P(at least one attempt)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import checksum, query, run_cli

from coupwatch.errors import BadInput
from coupwatch.read import region

pytestmark = pytest.mark.usefixtures("forecast_home")


@pytest.fixture(scope="module")
def db(forecast_home):
    return forecast_home / "warehouse.duckdb"


def test_ecowas_members_and_aggregate(db):
    rep = region.report("ECOWAS", path=db)
    assert rep.year == 2023
    assert set(rep.members["iso3"]) == {"BEN", "BFA", "CIV", "CPV", "GHA", "GIN", "GMB",
                                        "GNB", "LBR", "MLI", "NER", "NGA", "SEN", "SLE", "TGO"}
    # suspended at the end of 2023: Mali, Guinea, Burkina Faso, Niger
    suspended = set(rep.members.loc[rep.members["status"] == "suspended", "iso3"])
    assert suspended == {"MLI", "GIN", "BFA", "NER"}
    stored = query(db, """SELECT f.iso3, f.p_attempt FROM forecasts f JOIN forecast_runs r
                          USING (run_id) WHERE r.target_year = 2023""").set_index("iso3")
    p = stored.loc[sorted(rep.members["iso3"]), "p_attempt"].to_numpy()
    assert rep.p_any_attempt == pytest.approx(1 - np.prod(1 - p))
    assert rep.expected_attempts == pytest.approx(p.sum())
    assert rep.bounds == pytest.approx((p.max(), min(1, p.sum())))
    assert rep.bounds[0] <= rep.p_any_attempt <= rep.bounds[1]
    assert 0 < rep.p_any_coup < rep.p_any_attempt


def test_counts_follow_dated_membership(db):
    counts = region.report("ECOWAS", path=db).counts.set_index("year")
    assert counts.index.min() == 1975  # ECOWAS was founded in May 1975
    # 2021: Niger (failed, March), Mali (May), Guinea (September)
    assert tuple(counts.loc[2021, ["attempts", "successful", "failed"]]) == (3, 2, 1)
    # Mauritania left ECOWAS in 2000: its 2008 coup is not the region's, its 1978 one is
    events = query(db, """SELECT year, count(*) AS n FROM events WHERE gwcode = 435
                          AND source = 'powell_thyne' AND release = (SELECT max(release)
                          FROM events WHERE source = 'powell_thyne') GROUP BY year""")
    mrt = dict(zip(events["year"], events["n"], strict=True))
    assert mrt.get(2008, 0) >= 1 and mrt.get(1978, 0) >= 1
    au_west = region.report("AU-West", path=db).counts.set_index("year")
    assert counts.loc[1978, "members"] == 16
    assert counts.loc[2008, "members"] == 15
    west15 = ("'BEN', 'BFA', 'CIV', 'CPV', 'GHA', 'GIN', 'GMB', 'GNB', 'LBR', 'MLI', 'NER', "
              "'NGA', 'SEN', 'SLE', 'TGO'")
    expected = query(db, f"""SELECT e.year, count(*) AS n FROM events e JOIN countries c
        USING (gwcode) WHERE c.iso3 IN ({west15}) AND e.source = 'powell_thyne' AND
        e.release = (SELECT max(release) FROM events WHERE source = 'powell_thyne')
        AND e.year IN (1978, 2008) GROUP BY e.year""").set_index("year")["n"]
    assert counts.loc[2008, "attempts"] == expected.get(2008, 0)
    assert counts.loc[1978, "attempts"] == expected.get(1978, 0) + mrt[1978]
    assert au_west.loc[2021, "attempts"] >= counts.loc[2021, "attempts"]


def test_backtested_year_uses_out_of_sample_forecasts(db):
    rep = region.report("Alliance of Sahel States", 2020, path=db)
    assert rep.region == "AES"
    assert "backtest" in rep.basis
    assert rep.members.empty  # the AES was founded in 2023
    sahel = region.report("G5 Sahel", 2020, path=db)
    assert set(sahel.members["iso3"]) == {"BFA", "MLI", "MRT", "NER", "TCD"}
    stored = query(db, "SELECT iso3, p_attempt FROM backtests WHERE year = 2020 AND "
                   "iso3 IN ('BFA', 'MLI', 'MRT', 'NER', 'TCD') AND model = (SELECT model "
                   "FROM forecast_runs ORDER BY created_at DESC LIMIT 1)").set_index("iso3")
    assert sahel.members.set_index("iso3")["p_attempt"].sort_index().to_numpy() == \
        pytest.approx(stored["p_attempt"].sort_index().to_numpy())


def test_unknown_region_and_year(db):
    with pytest.raises(BadInput, match="unknown region 'Atlantis'"):
        region.report("Atlantis", path=db)
    with pytest.raises(BadInput, match="no forecast for 1900"):
        region.report("ECOWAS", 1900, path=db)


def test_cli(forecast_home, db):
    before = checksum(db)
    result = run_cli("region", "ECOWAS", home=forecast_home)
    assert result.returncode == 0, result.stderr
    rep = region.report("ECOWAS", path=db)
    assert f"P(at least one attempt in 2023) = {rep.p_any_attempt:.1%}" in result.stdout
    assert "independent" in result.stdout
    as_json = run_cli("region", "ecowas", "--format", "json", home=forecast_home)
    payload = json.loads(as_json.stdout)
    assert payload["p_any_attempt"] == pytest.approx(rep.p_any_attempt)
    assert len(payload["members"]) == 15
    for args, word in ((["Atlantis"], "region"), (["ECOWAS", "--year", "1900"], "year"),
                       (["ECOWAS", "--format", "xml"], "format")):
        bad = run_cli("region", *args, home=forecast_home)
        assert bad.returncode == 2
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0]
    assert checksum(db) == before


def test_api(db):
    from fastapi.testclient import TestClient

    from coupwatch.api import create_app

    with TestClient(create_app(db)) as client:
        body = client.get("/api/region/ECOWAS").json()
        assert body["p_any_attempt"] == pytest.approx(region.report("ECOWAS", path=db)
                                                      .p_any_attempt)
        assert len(body["members"]) == 15 and "independent" in body["assumption"]
        for url in ("/api/region/Atlantis", "/api/region/ECOWAS?year=1960"):
            response = client.get(url)
            assert response.status_code == 422, response.text
            assert response.json()["parameter"] in ("region", "year")


def test_dashboard_shows_the_region_aggregate(page, live_server, db):
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("#regionrisk").is_hidden()
    page.select_option("#region", "ECOWAS")
    page.wait_for_selector("#regionrisk[data-region=ECOWAS]", timeout=20_000)
    text = page.inner_text("#regionrisk")
    rep = region.report("ECOWAS", path=db)
    assert f"{100 * rep.p_any_attempt:.1f} %" in text and "independent" in text


def _regions_in_file() -> list[str]:
    import csv
    from importlib import resources

    with resources.files("coupwatch.data").joinpath("regions.csv").open(encoding="utf-8") as f:
        return sorted({row["region"] for row in csv.DictReader(f)})


REGIONS = _regions_in_file()


def test_the_file_lists_the_groups_we_test():
    assert {"AES", "ECOWAS", "G5-Sahel", "Sahel", "AU-West"} <= set(REGIONS)


@pytest.mark.parametrize("name", REGIONS)
def test_every_region_in_the_cli(forecast_home, db, name):
    """In process through the real Typer app (a subprocess per region would cost ~3 s each)."""
    from typer.testing import CliRunner

    from coupwatch.cli import app, common

    width = common.console.width
    common.console.width = 200
    try:
        env = {"COUPWATCH_HOME": str(forecast_home), "NO_COLOR": "1"}
        table = CliRunner().invoke(app, ["region", name], env=env)
        as_json = CliRunner().invoke(app, ["region", name, "--format", "json"], env=env)
    finally:
        common.console.width = width
    assert table.exit_code == 0, table.output
    assert table.exception is None and "Traceback" not in table.output
    rep = region.report(name, path=db)
    assert len(rep.members) >= 3
    assert f"P(at least one attempt in {rep.year}) = {rep.p_any_attempt:.1%}" in table.output
    assert "of the last 0 years" not in table.output
    assert as_json.exit_code == 0 and json.loads(as_json.output)["region"] == name


@pytest.mark.parametrize("name", REGIONS)
def test_every_region_in_the_api(client, db, name):
    body = client.get(f"/api/region/{name}").json()
    assert body["region"] == name and len(body["members"]) >= 3
    assert body["p_any_attempt"] == pytest.approx(region.report(name, path=db).p_any_attempt)
    listed = {r["name"]: r["members"] for r in client.get("/api/regions").json()["regions"]}
    assert set(listed[name]) == {m["iso3"] for m in body["members"]}
    ranked = client.get("/api/forecasts", params={"region": name}).json()
    assert {i["iso3"] for i in ranked["items"]} == set(listed[name])
