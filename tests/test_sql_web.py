"""The dashboard's SQL page (#/sql) in headless Chromium (Debian's), against real uvicorn.

Screenshots go to tests/artifacts/ (not committed).
"""

from __future__ import annotations

from forecast_fixtures import ARTIFACTS

COUNT_2021 = "SELECT count(*) AS attempts FROM coups WHERE year = 2021"


def run(page, text: str, state: str) -> None:
    page.fill("#sqlquery", text)
    page.click("#sqlrun")
    page.wait_for_selector(f"#sql[data-state={state}]", timeout=20_000)


def test_sql_page_runs_a_query_and_shows_errors(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    page.click("header nav a[href='#/sql']")
    page.wait_for_selector("#sqlviews details[data-view=panel] .cols code", state="attached",
                           timeout=20_000)
    assert page.locator("#overview").is_hidden()
    names = page.locator("#sqlviews details").evaluate_all(
        "nodes => nodes.map(n => n.dataset.view)")
    assert {"coups", "panel", "forecasts", "indicators", "countries"} <= set(names)
    assert page.locator("#sqlexamples li").count() >= 3

    run(page, COUNT_2021, "done")
    assert page.locator("#sqlresult thead th").all_inner_texts() == ["attempts"]
    assert page.locator("#sqlresult tbody td").all_inner_texts() == ["7"]
    assert "1 row" in page.locator("#sqlstatus").inner_text()
    assert page.locator("#sqlerror").is_hidden()
    assert "#/sql?q=" in page.url  # the query can be shared as a link
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "07-sql.png"), full_page=True)

    run(page, "DROP TABLE events", "error")
    error = page.locator("#sqlerror")
    assert error.is_visible()
    assert "only SELECT queries are allowed here" in error.inner_text()
    assert page.locator("#sqlresult tr").count() == 0

    run(page, "SELECT * FROM read_csv('/etc/passwd')", "error")
    assert "read_csv is not available in the console" in error.inner_text()

    page.fill("#sqlquery", "SELECT iso3, year FROM coups WHERE iso3 = 'MLI' ORDER BY date")
    page.press("#sqlquery", "Control+Enter")
    page.wait_for_selector("#sql[data-state=done]", timeout=20_000)
    assert page.locator("#sqlresult tbody tr").count() == 8


def test_shared_link_and_example(page, live_server):
    page.goto(live_server + "/#/sql?q=" + COUNT_2021.replace(" ", "%20"))
    page.wait_for_selector("#sql[data-state=done]", timeout=20_000)
    assert page.locator("#sqlquery").input_value() == COUNT_2021
    assert page.locator("#sqlresult tbody td").all_inner_texts() == ["7"]
    page.locator("#sqlexamples a").first.click()  # attempts per year since 2000
    page.wait_for_function("() => document.querySelector('#sqlresult th').textContent "
                           "=== 'year'",
                           timeout=20_000)
    assert page.locator("#sqlresult tbody tr").count() >= 15
