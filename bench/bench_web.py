"""Dashboard first load (navigation start to data shown) in headless Chromium, for the annual
view and the 3-month view (``#/?horizon=3``), and the time to produce a brief PDF over HTTP
and its page count, against real uvicorn on loopback.

    COUPWATCH_HOME=... python bench/bench_web.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import serving as server  # noqa: E402  (the tests' server harness)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def first_loads(base: str, runs: int, view: str = "/") -> list[dict]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()  # a fresh context: nothing cached
            page.goto(base + view)
            page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
            timing = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                return {dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                        data_shown_ms: window.firstDataMs};
            }""")
            out.append(timing)
            context.close()
        browser.close()
    return out


def brief_times(base: str, runs: int, iso3: str = "MLI") -> tuple[list[float], int]:
    import io

    from pypdf import PdfReader

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}/briefs/{iso3}.pdf?wait=0", timeout=60) as r:
            data = r.read()
        assert data.startswith(b"%PDF")
        times.append(time.perf_counter() - started)
    return times, len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", default=None)
    args = parser.parse_args()
    runs = max(1, min(args.runs, 20))
    with server(args.home) as (base, _):
        loads = first_loads(base, runs)
        monthly = first_loads(base, runs, "/#/?horizon=3")
        briefs, pages = brief_times(base, runs)
    shown = [x["data_shown_ms"] for x in loads]
    shown_monthly = [x["data_shown_ms"] for x in monthly]
    print(json.dumps({
        "first_load_data_shown_ms": {"median": statistics.median(shown), "max": max(shown),
                                     "runs": shown},
        "first_load_3_months_data_shown_ms": {"median": statistics.median(shown_monthly),
                                              "max": max(shown_monthly)},
        "dom_content_loaded_ms": statistics.median(x["dom_content_loaded_ms"] for x in loads),
        "brief_pdf_pages": pages,
        "brief_pdf_s": {"median": statistics.median(briefs), "max": max(briefs),
                        "runs": [round(b, 3) for b in briefs]},
    }, indent=1))


if __name__ == "__main__":
    main()
