"""The dashboard in headless Chromium (Debian's) driven by Playwright, against real uvicorn.

Screenshots go to tests/artifacts/ (not committed).
"""

from __future__ import annotations

import json
import time

import httpx
from forecast_fixtures import ARTIFACTS

EXPLAIN_TIMEOUT_S = 900


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_dashboard_map_filter_country_and_brief(page, live_server):
    httpx.get(f"{live_server}/api/explain/MLI", params={"wait": 0}, timeout=10)  # start early
    started = time.perf_counter()
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    first_load = time.perf_counter() - started
    countries = page.locator("#map path.country")
    assert countries.count() > 150
    filled = page.locator("#map path.country[fill]").count()
    assert filled > 150
    assert page.locator("#ranked tbody tr").count() == 25
    shot(page, "01-world")

    page.select_option("#region", "ECOWAS")
    page.wait_for_function("document.querySelector('#maptitle').textContent.includes('ECOWAS')")
    inside = page.locator("#map path.country:not(.out)").count()
    rows = page.locator("#ranked tbody tr").count()
    assert 10 <= inside <= rows <= 16  # Cape Verde has no shape at 1:110m
    shot(page, "02-ecowas")

    page.fill("#search", "nig")
    names = page.locator("#ranked tbody tr td:nth-child(2)").all_inner_texts()
    assert set(names) == {"Niger", "Nigeria"}
    page.fill("#search", "")
    page.click("#ranked th[data-key=p_attempt]")  # sort ascending by risk after one click?
    ps = page.locator("#ranked tbody tr td:nth-child(4)").all_inner_texts()
    assert len(ps) == rows

    page.click('#map path[data-iso3="MLI"]')
    page.wait_for_selector("#country[data-loaded=true]", timeout=20_000)
    assert page.locator("#cname").inner_text() == "Mali"
    for year in (2020, 2021):
        event = page.locator(f'#timeline g.event[data-year="{year}"][data-kind="successful"]')
        assert event.count() == 1, year
    assert page.locator("#riskchart circle.p").count() >= 8
    assert page.locator("#vdem path").count() >= 6
    event = page.locator('#timeline g.event[data-year="2020"] circle')
    event.hover()
    assert "2020-08-18" in page.locator("#tooltip").inner_text()
    shot(page, "03-mali")

    with page.expect_download(timeout=60_000) as download_info:
        page.click("#briefpdf")
    download = download_info.value
    path = download.path()
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    (ARTIFACTS / "brief-download-MLI.pdf").write_bytes(data)
    with page.expect_download() as csv_info:
        page.click("#csv")
    assert open(csv_info.value.path()).readline().startswith("year,iso3,country,p_attempt")
    (ARTIFACTS / "timings.json").write_text(json.dumps({"first_load_s": first_load}))


def test_past_year_and_sources(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    page.select_option("#year", "2021")
    page.wait_for_function("document.querySelector('#maptitle').textContent.includes('2021')")
    happened = page.locator("#ranked tbody tr td:nth-child(8) b").count()
    assert happened >= 1
    assert page.locator("#surprises li").count() >= 1
    shot(page, "04-year-2021")
    page.click("header nav a[href='#/sources']")
    page.wait_for_selector("#sourcetable tr:nth-child(3)")
    assert "Powell" in page.locator("#sourcetable").inner_text()


def test_docs_page_renders_offline(page, live_server):
    page.goto(live_server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 10
    shot(page, "05-docs")


def test_country_page_shows_drivers(page, live_server):
    """The full explanation (a refit of the ensemble) appears on the country page."""
    deadline = time.monotonic() + EXPLAIN_TIMEOUT_S
    while time.monotonic() < deadline:
        response = httpx.get(f"{live_server}/api/explain/MLI", params={"wait": 10}, timeout=30)
        if response.status_code != 202:
            break
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["country"] == "Mali" and body["drivers"]
    assert {d["direction"] for d in body["drivers"]} <= {"raises", "lowers"}
    page.goto(live_server + "/#/country/MLI")
    page.wait_for_selector("#drivers table", timeout=30_000)
    assert page.locator("#drivers tr").count() == len(body["drivers"])
    shot(page, "06-mali-drivers")
