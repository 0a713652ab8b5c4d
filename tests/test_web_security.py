"""The dashboard against hostile data and its Content-Security-Policy, in headless Chromium.

A Powell & Thyne file whose ``version`` cell carries markup (issue 13.1) is loaded into a copy
of the test warehouse; the release name then reaches the header, the Sources page and the
country page's timeline. It must show as text: no element made from it, no script run.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import copy_mirror, read_rows, write_rows
from forecast_fixtures import run_server
from http_fixtures import watched_page

from coupwatch import operations

PAYLOAD = "<img src=x onerror=alert(document.domain)>"
RELEASE = "V2022.11.29" + PAYLOAD
PT_FILE = "powell-thyne/powell_thyne_coups_v2022-11-29.csv"


@pytest.fixture(scope="module")
def hostile_server(forecast_warehouse, tmp_path_factory):
    """A server over the test warehouse after loading a P&T file with markup in ``version``."""
    root = tmp_path_factory.mktemp("hostile")
    mirror = copy_mirror(root / "mirror")
    rows = read_rows(mirror / PT_FILE)
    column = rows[0].index("version")
    for row in rows[1:]:
        row[column] = RELEASE
    write_rows(mirror / PT_FILE, rows)
    home = root / "home"
    home.mkdir()
    shutil.copyfile(forecast_warehouse, home / "warehouse.duckdb")
    loaded = operations.update_data(["powell_thyne"], mirror=mirror,
                                    path=home / "warehouse.duckdb")
    assert RELEASE in loaded[0].releases  # the markup is in the data, as the probe found
    with run_server(home) as base:
        yield base


def no_injected_element(page) -> None:
    assert page.locator("img").count() == 0
    assert page.evaluate("() => [...document.querySelectorAll('*')]"
                         ".filter(n => n.hasAttribute('onerror')).length") == 0


def test_markup_in_a_release_name_stays_text(browser, hostile_server):
    with watched_page(browser, hostile_server) as page:  # fails on an alert() dialog
        page.goto(hostile_server + "/")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        assert RELEASE in page.inner_text("#runinfo")
        no_injected_element(page)

        page.click("header nav a[href='#/sources']")
        page.wait_for_selector("#sources[data-loaded=true]", timeout=20_000)
        release_cells = page.locator("#sourcetable td").all_inner_texts()
        assert RELEASE in release_cells
        no_injected_element(page)

        page.goto(hostile_server + "/#/country/MLI")
        page.wait_for_selector("#country[data-loaded=true]", timeout=20_000)
        assert page.inner_text("#release") == RELEASE
        page.locator('#timeline g.event[data-year="2020"] circle').hover()
        assert PAYLOAD in page.inner_text("#tooltip")
        no_injected_element(page)


def test_the_policy_is_sent_and_enforced(browser, live_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(live_server + "/")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        # an inline script and an inline handler, as injected markup would bring them
        ran = page.evaluate("""() => new Promise((done) => {
            const blocked = [];
            document.addEventListener('securitypolicyviolation',
                                      (e) => blocked.push(e.violatedDirective));
            window.inlineRan = false;
            const s = document.createElement('script');
            s.textContent = 'window.inlineRan = true';
            document.body.append(s);
            const holder = document.createElement('div');
            holder.innerHTML = '<img src="data:," onerror="window.inlineRan = true">';
            document.body.append(holder);
            setTimeout(() => done([window.inlineRan, blocked]), 500);
        })""")
        assert ran[0] is False
        assert any(d.startswith("script-src") for d in ran[1])
        static = page.request.get(live_server + "/static/common.js")
        assert static.headers["content-security-policy"] == policy
    finally:
        context.close()


def test_docs_work_under_their_policy(page, live_server):
    """Swagger UI runs from files (its own policy allows its inline styles, never scripts)."""
    response = page.goto(live_server + "/docs")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 10

