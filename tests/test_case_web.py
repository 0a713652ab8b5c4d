"""The dashboard's Mali case-study page (#/case/mali) in headless Chromium, real uvicorn."""

from __future__ import annotations


def test_case_page_shows_findings_sql_and_claims(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    page.click("header nav a[href='#/case/mali']")
    page.wait_for_selector("body[data-case-loaded=true]", timeout=30_000)
    assert page.locator("#overview").is_hidden()
    assert page.inner_text("#casetitle") == "Case study: Mali"
    world = page.locator(".finding[data-key=world] tbody tr")
    cells = {r[0]: r[1] for r in world.evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))")}
    assert (cells["2021"], cells["2000"]) == ("7", "8")
    sql = page.locator(".finding[data-key=history] details pre").text_content()
    assert "FROM coups" in sql and "432" in sql
    verdicts = page.locator(".claim .verdict").all_text_contents()
    assert verdicts.count("cannot check yet") == 3 and "confirmed" in verdicts
    page.goto(live_server + "/#/case/ghana")
    page.wait_for_selector("#casebody .sqlerror", timeout=20_000)
    assert "unknown case study" in page.inner_text("#casebody .sqlerror")
