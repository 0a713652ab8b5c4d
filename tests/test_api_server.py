"""The real server: `coupwatch serve` (uvicorn) in a subprocess on a free loopback port."""

from __future__ import annotations

import concurrent.futures as cf

import httpx


def test_serves_over_http(live_server):
    health = httpx.get(f"{live_server}/api/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "server" not in {k.lower() for k in health.headers}  # no server banner
    forecasts = httpx.get(f"{live_server}/api/forecasts", params={"region": "ECOWAS"},
                          timeout=10).json()
    assert "MLI" in {i["iso3"] for i in forecasts["items"]}
    page = httpx.get(f"{live_server}/", timeout=10)
    assert page.status_code == 200 and "/static/router.js" in page.text
    docs = httpx.get(f"{live_server}/docs", timeout=10)
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text


def test_bad_requests_get_clean_errors_and_server_survives(live_server):
    with httpx.Client(base_url=live_server, timeout=10) as http:
        bad = http.get("/api/events", params={"page_size": 10_000})
        assert bad.status_code == 422 and bad.json()["parameter"] == "page_size"
        missing = http.get("/api/countries/QQQ")
        assert missing.status_code == 404 and "Traceback" not in missing.text
        odd = http.get("/api/forecasts", params={"year": "2020; DROP TABLE forecasts"})
        assert odd.status_code == 422
        assert http.get("/no/such/page").status_code == 404
        assert http.post("/api/forecasts").status_code == 405
        assert http.get("/api/health").status_code == 200


def test_concurrent_clients(live_server):
    def fetch(_):
        return httpx.get(f"{live_server}/api/forecasts", timeout=30).status_code

    with cf.ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(fetch, range(200)))
    assert codes == [200] * 200


def test_binds_loopback_only(live_server):
    assert live_server.startswith("http://127.0.0.1:")
