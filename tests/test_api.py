"""Every endpoint of the REST API with valid and invalid input (in-process, real warehouse)."""

from __future__ import annotations

import csv
import io

import pytest

from coupwatch import warehouse


def _error(response, status: int, parameter: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert isinstance(body["detail"], str) and body["detail"]
    if parameter is not None:
        assert body.get("parameter") == parameter
        assert parameter in body["detail"]
    return body


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["target_year"] == max(body["years"])
    assert body["forecast_run"] and body["events_release"]


def test_countries_list_and_region_filter(client):
    body = client.get("/api/countries").json()
    mali = next(c for c in body["items"] if c["iso3"] == "MLI")
    assert mali["gwcode"] == 432 and mali["name"] == "Mali"
    assert mali["region"] == "AU-West" and "Sahel" in mali["memberships"]
    ecowas = client.get("/api/countries", params={"region": "ECOWAS"}).json()
    assert {"NGA", "SEN", "GHA"} <= {c["iso3"] for c in ecowas["items"]}
    assert ecowas["count"] < body["count"]
    _error(client.get("/api/countries", params={"region": "Narnia"}), 422, "region")
    _error(client.get("/api/countries", params={"region": "x" * 61}), 422, "region")


def test_country_profile(client):
    body = client.get("/api/countries/mli").json()
    assert body["country"]["iso3"] == "MLI"
    dates = [e["date"] for e in body["events"]]
    assert "2020-08-18" in dates and "2021-05-21" in dates
    variables = {s["variable"] for s in body["indicators"]}
    assert {"v2x_veracc_osp", "NY.GDP.MKTP.KD.ZG", "any_conflict"} <= variables
    series = next(s for s in body["indicators"] if s["variable"] == "v2x_veracc_osp")
    assert series["source"] == "vdem" and series["unit"] and len(series["points"]) > 20
    assert 0 < body["forecast"]["p_attempt"] < 1 and body["forecast"]["rank"] >= 1


@pytest.mark.parametrize("iso3,status", [("XXX", 404), ("ZZZ", 404), ("MALI", 422),
                                         ("M1I", 422)])
def test_country_profile_bad(client, iso3, status):
    _error(client.get(f"/api/countries/{iso3}"), status, "iso3")


def test_country_csv(client):
    response = client.get("/api/countries/MLI/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_year = {int(r["year"]): r for r in rows}
    assert by_year[2020]["coups_successful"] == "1" and by_year[2021]["coups_successful"] == "1"
    assert by_year[2020]["p_attempt"] != ""
    _error(client.get("/api/countries/XXX/csv"), 404, "iso3")


def test_events(client):
    body = client.get("/api/events", params={"country": "MLI"}).json()
    assert body["total"] == 8
    assert [e["date"] for e in body["items"]][-2:] == ["2020-08-18", "2021-05-21"]
    year = client.get("/api/events", params={"from": "2021", "to": "2021"}).json()
    assert year["total"] == 7  # Powell & Thyne: 7 attempts in 2021
    failed = client.get("/api/events", params={"from": "2021", "to": "2021",
                                               "kind": "failed"}).json()
    assert all(e["kind"] == "failed" for e in failed["items"]) and failed["total"] < 7
    page = client.get("/api/events", params={"page": 2, "page_size": 50}).json()
    assert len(page["items"]) == 50 and page["page"] == 2
    named = client.get("/api/events", params={"country": "Mali", "from": "2020-08",
                                              "to": "2020-08-31"}).json()
    assert [e["date"] for e in named["items"]] == ["2020-08-18"]


@pytest.mark.parametrize("params,status,parameter", [
    ({"page_size": 501}, 422, "page_size"),
    ({"page_size": 0}, 422, "page_size"),
    ({"page": 0}, 422, "page"),
    ({"from": "yesterday"}, 422, "from"),
    ({"to": "2021-13-40"}, 422, "to"),
    ({"from": "2022", "to": "2020"}, 422, "from"),
    ({"kind": "bloodless"}, 422, "kind"),
    ({"country": "Atlantis"}, 404, "country"),
])
def test_events_bad(client, params, status, parameter):
    _error(client.get("/api/events", params=params), status, parameter)


def test_forecasts(client):
    body = client.get("/api/forecasts").json()
    health = client.get("/api/health").json()
    assert body["year"] == health["target_year"] and body["kind"] == "forecast"
    items = body["items"]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert items == sorted(items, key=lambda i: -i["p_attempt"])
    for item in items[:20]:
        assert item["p_attempt"] == pytest.approx(item["p_coup"] + item["p_failed"], abs=2e-6)
    assert body["run"]["run_id"] == health["forecast_run"]
    ecowas = client.get("/api/forecasts", params={"region": "ECOWAS"}).json()
    assert 10 <= ecowas["count"] <= 16 and "MLI" in {i["iso3"] for i in ecowas["items"]}
    assert [i["region_rank"] for i in ecowas["items"]] == list(range(1, ecowas["count"] + 1))
    past = client.get("/api/forecasts", params={"year": 2021}).json()
    assert past["kind"] == "backtest"
    mali = next(i for i in past["items"] if i["iso3"] == "MLI")
    assert mali["observed_attempt"] == 1 and mali["observed_coup"] == 1


@pytest.mark.parametrize("params,parameter", [
    ({"year": 1950}, "year"), ({"year": 3000}, "year"), ({"year": "soon"}, "year"),
    ({"region": "Narnia"}, "region"),
])
def test_forecasts_bad(client, params, parameter):
    _error(client.get("/api/forecasts", params=params), 422, parameter)


def test_history(client):
    body = client.get("/api/forecasts/MLI/history").json()
    years = {i["year"]: i for i in body["items"]}
    assert {2015, 2020, 2021, 2022} <= set(years)
    assert years[2020]["observed_coup"] == 1 and years[2021]["observed_coup"] == 1
    assert years[2019]["observed_attempt"] == 0
    assert all(0 < i["p_attempt"] < 1 and 1 <= i["rank"] <= i["of"] for i in body["items"])
    _error(client.get("/api/forecasts/XXX/history"), 404, "iso3")
    _error(client.get("/api/forecasts/12345/history"), 422, "iso3")


def test_surprises(client):
    body = client.get("/api/surprises", params={"limit": 5}).json()
    assert 1 <= body["count"] <= 5
    ps = [i["p_attempt"] for i in body["items"]]
    assert ps == sorted(ps) and all(i["events"] for i in body["items"])
    africa = client.get("/api/surprises", params={"region": "Africa"}).json()
    assert all(i["iso3"] != "THA" for i in africa["items"])
    _error(client.get("/api/surprises", params={"limit": 1000}), 422, "limit")


def test_backtest_metrics(client):
    body = client.get("/api/backtest/metrics", params={"from": 2017, "to": 2022}).json()
    metrics = {m["metric"]: m for m in body["metrics"]}
    assert body["events"] > 10 and body["country_years"] > 1000
    auc = metrics["roc_auc"]
    assert 0.5 < auc["value"] < 1 and auc["ci_low"] <= auc["value"] <= auc["ci_high"]
    assert len(body["calibration"]) == 10
    for params, parameter in (({"outcome": "landslide"}, "outcome"), ({"from": 1950}, "from"),
                              ({"to": 2030}, "to"), ({"from": 2021, "to": 2019}, "from")):
        _error(client.get("/api/backtest/metrics", params=params), 422, parameter)


def test_explain_validation_and_pending(client, api_app):
    _error(client.get("/api/explain/XXX"), 404, "iso3")
    _error(client.get("/api/explain/MLI", params={"year": 1900}), 422, "year")
    _error(client.get("/api/explain/MLI", params={"wait": 99}), 422, "wait")
    response = client.get("/api/explain/MLI", params={"wait": 0})
    assert response.status_code in (200, 202)  # the full result is checked in test_web
    if response.status_code == 202:
        assert response.json()["status"] == "pending" and response.headers["retry-after"]
    api_app.state.explainer.shutdown()  # stop the refit: the rest of the suite needs the CPU


def test_regions_geo_sources(client):
    regions = {r["name"]: r["members"] for r in client.get("/api/regions").json()["regions"]}
    assert list(regions)[:4] == ["World", "Africa", "ECOWAS", "Sahel"]
    assert "MLI" in regions["Sahel"] and "FRA" not in regions["Africa"]
    geo = client.get("/api/geo").json()
    assert geo["466"]["iso3"] == "MLI" and geo["466"]["gwcode"] == 432
    sources = client.get("/api/sources").json()["sources"]
    assert {"powell_thyne", "vdem", "wdi"} <= {s["source"] for s in sources}


def test_docs_are_local(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/docs/assets/..%2F..%2Fapp.py").status_code == 404
    schema = client.get("/openapi.json").json()
    assert {"/api/forecasts", "/api/events", "/api/explain/{iso3}"} <= set(schema["paths"])


def test_dashboard_and_static(client):
    page = client.get("/")
    assert page.status_code == 200 and "coupwatch" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing remote
    for asset in ("/static/common.js", "/static/overview.js", "/static/router.js",
                  "/static/vendor/d3.min.js",
                  "/static/vendor/topojson-client.min.js",
                  "/static/vendor/countries-110m.json"):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/static/../api/app.py").status_code == 404


def test_brief_endpoints(client):
    pdf = client.get("/briefs/MLI.pdf", params={"wait": 0})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    html = client.get("/briefs/MLI.html", params={"wait": 0})
    assert html.status_code == 200 and "Mali" in html.text and "Sources:" in html.text
    _error(client.get("/briefs/XXX.pdf"), 404, "iso3")
    _error(client.get("/briefs/MLI.pdf", params={"year": 1800}), 422, "year")


def test_no_cors_by_default(client):
    response = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_server_keeps_serving_after_errors(client):
    for _ in range(3):
        client.get("/api/events", params={"page_size": -1})
        client.get("/api/countries/QQQ")
    assert client.get("/api/health").status_code == 200


def test_api_is_read_only(client, forecast_warehouse):
    """The API holds no connection between loads: a writer can open the warehouse."""
    client.get("/api/forecasts")
    before = client.get("/api/health").json()["forecast_run"]
    con = warehouse.connect(forecast_warehouse)
    try:
        runs = con.execute("SELECT count(*) FROM forecast_runs").fetchone()[0]
    finally:
        con.close()
    assert runs >= 1 and client.get("/api/health").json()["forecast_run"] == before


def test_store_reloads_in_background_when_the_warehouse_changes(forecast_warehouse, tmp_path):
    import os
    import shutil
    import time

    from coupwatch.read.snapshot import Store

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(forecast_warehouse, copy)
    store = Store(copy, check_every=0.05)
    first = store.get()
    os.utime(copy, (time.time() + 5, time.time() + 5))
    time.sleep(0.1)
    assert store.get() is first  # the old snapshot is served while the new one loads
    deadline = time.monotonic() + 60
    while store.get() is first and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.get() is not first and store.get().run["run_id"] == first.run["run_id"]
