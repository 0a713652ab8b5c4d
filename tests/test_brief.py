"""Country briefs: the CLI writes a one-page A4 PDF with the name, the risk and the sources;
rows never split across a page break; the range under the risk says what it is; each series
is credited to its own source; the monthly risks sit beside the annual one."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from forecast_fixtures import ARTIFACTS
from pypdf import PdfReader

from coupwatch import catalog
from coupwatch.errors import BadInput


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COUPWATCH_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_brief_pdf(forecast_home, tmp_path):
    out = tmp_path / "mali.pdf"
    started = time.perf_counter()
    done = run_cli(forecast_home, "brief", "MLI", "--format", "pdf", "--output", str(out),
                   "--no-drivers")
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(out))
    assert len(reader.pages) == 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Mali" in text
    assert "Risk of a coup attempt" in text.replace("\n", " ") or "RISK OF A COUP" in text
    assert " %" in text  # the probability
    assert "Sources:" in text and "Powell & Thyne" in text.replace("&amp;", "&")
    assert "2020-08-18" in text and "2021-05-21" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "brief-MLI.pdf").write_bytes(out.read_bytes())
    assert elapsed < 60  # includes interpreter start and loading the warehouse


def test_brief_html_for_past_year(forecast_home, tmp_path):
    out = tmp_path / "ner.html"
    done = run_cli(forecast_home, "brief", "Niger", "--year", "2021", "--format", "html",
                   "--output", str(out), "--no-drivers")
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "Niger" in text and "2021" in text and "Sources:" in text and "<svg" in text
    assert "data through" in text  # how current each source is, next to its release


@pytest.mark.parametrize("country,year,parameter", [
    ("Atlantis", None, "country"), ("MLI", 1900, "year"),
])
def test_brief_bad_input(forecast_home, country, year, parameter):
    from coupwatch.briefs import build

    with pytest.raises(BadInput) as caught:
        build(country, year, path=forecast_home / "warehouse.duckdb", drivers=False)
    assert caught.value.parameter == parameter


def test_brief_bad_output_directory(forecast_home):
    done = run_cli(forecast_home, "brief", "MLI", "--output", "/no/such/dir/x.pdf")
    assert done.returncode == 2
    assert "output" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def contexts(forecast_warehouse):
    """Brief contexts as the dashboard's download makes them (drivers included)."""
    from coupwatch.briefs import build

    return {iso3: build(iso3, path=forecast_warehouse) for iso3 in ("MLI", "NER")}


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("iso3", ["MLI", "NER"])
def test_brief_fits_one_page(contexts, iso3):
    from coupwatch.briefs import render

    ctx = contexts[iso3]
    assert ctx["drivers"] and ctx["drivers"]["drivers"]  # the typical brief has its drivers
    text = pages(render.pdf(ctx))
    assert len(text) == 1, f"{iso3}: {len(text)} pages"
    assert "Sources:" in text[0] and ctx["country"]["name"] in text[0]


def test_a_row_never_splits_across_pages(contexts):
    """Tall rows (long source notes), many of them: each row's label and the end of its
    source cell land on the same page."""
    from coupwatch.briefs import render

    ctx = dict(contexts["MLI"])
    rows = []
    for k in range(60):
        base = ctx["indicators"][k % len(ctx["indicators"])]
        rows.append({**base, "label": f"ROW{k:03d}A {base['label']}",
                     "source": f"{base['source']}; a long note that wraps " * 12 + f"ROW{k:03d}Z"})
    ctx["indicators"] = rows
    text = pages(render.pdf(ctx))
    assert len(text) >= 2
    for k in range(60):
        where = {end: [i for i, t in enumerate(text) if f"ROW{k:03d}{end}" in t]
                 for end in "AZ"}
        assert len(where["A"]) == 1 and where["A"] == where["Z"], (k, where)


def test_the_range_under_the_risk_says_what_it_is(contexts):
    from coupwatch.briefs import render

    ctx = contexts["MLI"]
    p, interval = ctx["forecast"]["p_attempt"], ctx["forecast"]["interval"]
    html = render.html(ctx)
    assert f"came true {render._pct(interval['rate'])} of the time" in html
    assert "not an uncertainty band" in html
    for low, high, words in ((0.021, p * 0.9, "less often than this forecast says"),
                             (p * 1.1, 0.3, "more often than this forecast says"),
                             (p * 0.5, p * 1.5, None)):
        changed = {**ctx, "forecast": {**ctx["forecast"],
                                       "interval": {**interval, "low": low, "high": high}}}
        shown = render.html(changed)
        headline = shown[shown.index('class="kpi main"'):shown.index("Next 3 / 12")]
        assert "calibration interval" not in headline
        if words:
            assert words in headline
        else:
            assert "this forecast says" not in headline


def test_each_series_names_its_own_source(contexts):
    from coupwatch.briefs import render

    rows = {r.split("</td>")[0]: r for r in
            re.findall(r"<tr><td>(.*?)</tr>", render.html(contexts["MLI"]), flags=re.S)}

    def row(label: str) -> str:
        return next(v for k, v in rows.items() if k.startswith(label))

    milex, gdp = catalog.get("milex_gdp"), catalog.get("gdp_pc_growth")
    assert "SIPRI" in milex.attribution and "SIPRI" not in gdp.attribution
    assert milex.attribution in row(milex.label)
    assert gdp.attribution in row(gdp.label) and "SIPRI" not in row(gdp.label)
    assert "SIPRI" not in row(catalog.get("infmort").label)


def test_brief_shows_the_monthly_risks(contexts, forecast_warehouse):
    from conftest import query

    from coupwatch.briefs import render

    stored = query(forecast_warehouse, """SELECT p_attempt_3m, p_attempt_12m FROM
        monthly_forecasts f JOIN monthly_runs r USING (run_id)
        WHERE f.iso3 = 'MLI' ORDER BY r.created_at DESC LIMIT 1""").iloc[0]
    monthly = contexts["MLI"]["monthly"]
    assert monthly["p3"] == pytest.approx(stored["p_attempt_3m"])
    assert monthly["p12"] == pytest.approx(stored["p_attempt_12m"])
    html = render.html(contexts["MLI"])
    assert f"{render._pct(monthly['p3'])} / {render._pct(monthly['p12'])}" in html


def test_brief_footer_and_units_read_cleanly(forecast_warehouse):
    """The footer keeps the space after its dash; no unit nests parentheses in a label."""
    from coupwatch.briefs import build, render

    ctx = build("MLI", path=forecast_warehouse, drivers=False)
    text = " ".join(pages(render.pdf(ctx)))
    assert f"coupwatch country brief \u2014 {ctx['country']['name']}, " in text
    units = [i["unit"] for i in ctx["indicators"]] if "indicators" in ctx else []
    html = render.html(ctx)
    assert not re.search(r"\([^()<>]*\([^()<>]*\)[^()<>]*\)", html)
    assert all("(" not in u for u in units)
    assert "index 0-1, higher = more corrupt" in catalog.get("v2x_pubcorr").unit


def test_header_marks_a_suspended_membership(contexts):
    # Mali was suspended from ECOWAS in the forecast year: a member, marked so
    assert "ECOWAS (suspended)" in contexts["MLI"]["country"]["memberships"]
    assert "ECOWAS" not in contexts["MLI"]["country"]["memberships"]  # once, marked
