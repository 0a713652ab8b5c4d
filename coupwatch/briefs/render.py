"""Country briefs: one A4 page, rendered from Jinja2 templates, PDF by WeasyPrint.

The range printed under the risk is a *calibration* range: among the stored out-of-sample
backtest forecasts (same model and data), take the ``NEIGHBOURS`` country-years whose forecast
was closest to this one, count how often a coup attempt followed, and give that rate with its
Jeffreys 95 % interval. It says how often forecasts like this one have come true -- not a
sampling interval of this forecast -- so it need not contain the forecast: when it lies below
(above), the model's forecasts at this level have run high (low), and the brief says so in
the headline box rather than shifting the range to look consistent.
"""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from scipy.stats import beta

from coupwatch import catalog, regions
from coupwatch.read import monthly
from coupwatch.read.snapshot import Snapshot

NEIGHBOURS = 150
# catalog columns, in the brief's order
KEY_INDICATORS = ["gdp_pc_growth", "milex_gdp", "infmort", "any_conflict", "leader_tenure",
                  "v2x_veracc_osp", "v2x_horacc_osp", "v2xcs_ccsi", "v2xcl_rol",
                  "v2x_freexp_altinf", "v2x_pubcorr"]
SPARK_FROM = 1990

_TEMPLATES = resources.files("coupwatch.briefs").joinpath("templates")
_env = Environment(loader=FileSystemLoader(str(_TEMPLATES)),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def calibration_interval(backtests: pd.DataFrame, p: float, *, k: int = NEIGHBOURS,
                         level: float = 0.95) -> dict | None:
    """Observed attempt rate among the ``k`` past forecasts nearest ``p``, Jeffreys CI."""
    known = backtests[backtests["observed_attempt"].notna()]
    if len(known) < 20:
        return None
    distance = (known["p_attempt"] - p).abs().to_numpy()
    nearest = known.iloc[np.argsort(distance, kind="stable")[:k]]
    n = len(nearest)
    events = int(nearest["observed_attempt"].sum())
    tail = (1 - level) / 2
    low = 0.0 if events == 0 else float(beta.ppf(tail, events + 0.5, n - events + 0.5))
    high = 1.0 if events == n else float(beta.ppf(1 - tail, events + 0.5, n - events + 0.5))
    return {"low": low, "high": high, "rate": events / n, "n": n, "events": events,
            "p_min": float(nearest["p_attempt"].min()),
            "p_max": float(nearest["p_attempt"].max()),
            "years": f"{int(known['year'].min())}-{int(known['year'].max())}"}


def sparkline(points: list[tuple[int, float]], *, width: int = 120, height: int = 24,
              marks: list[int] | None = None, binary: bool = False) -> str:
    """An inline SVG line (or step bars for 0/1 series) with the last value dotted."""
    points = [(int(x), float(y)) for x, y in points if y is not None and y == y]
    if len(points) < 2:
        return ""
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = (0.0, 1.0) if binary else (min(ys), max(ys))
    if y1 - y0 < 1e-12:
        y0, y1 = y0 - 1, y1 + 1
    pad = 2

    def sx(x):
        return pad + (x - x0) / max(x1 - x0, 1) * (width - 2 * pad)

    def sy(y):
        return height - pad - (y - y0) / (y1 - y0) * (height - 2 * pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="spark">']
    for year in marks or []:
        if x0 <= year <= x1:
            parts.append(f'<line x1="{sx(year):.1f}" x2="{sx(year):.1f}" y1="0" '
                         f'y2="{height}" stroke="#c0392b" stroke-width="1" '
                         'stroke-dasharray="2,1"/>')
    if binary:
        step = (width - 2 * pad) / max(x1 - x0 + 1, 1)
        for x, y in points:
            if y >= 0.5:
                parts.append(f'<rect x="{sx(x) - step / 2:.1f}" y="{pad}" '
                             f'width="{max(step, 1):.1f}" height="{height - 2 * pad}" '
                             'fill="#e67e22" opacity="0.8"/>')
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" '
                     f'y2="{height - pad}" stroke="#999" stroke-width="0.5"/>')
    else:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="#2c3e50" stroke-width="1.2" '
                     f'points="{path}"/>')
        lx, ly = points[-1]
        parts.append(f'<circle cx="{sx(lx):.1f}" cy="{sy(ly):.1f}" r="1.8" fill="#2c3e50"/>')
    parts.append("</svg>")
    return "".join(parts)


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * 100:.{digits}f} %"


def context(snap: Snapshot, gwcode: int, year: int, *, drivers: dict | None = None,
            drivers_state: str = "done") -> dict:
    """Everything the brief shows, as plain values."""
    info = snap.countries.loc[gwcode]
    ranked = snap.ranked(year)
    row = ranked[ranked["gwcode"] == gwcode]
    forecast = None
    if len(row):
        r = row.iloc[0]
        last = r.get("p_attempt_last_year")
        forecast = {"p_attempt": float(r["p_attempt"]), "p_coup": float(r["p_coup"]),
                    "p_failed": float(r["p_failed"]), "rank": int(r["rank"]),
                    "of": len(ranked),
                    "last_year": None if last is None or last != last else float(last),
                    "interval": calibration_interval(snap.backtests, float(r["p_attempt"]))}
    events = snap.country_events(gwcode)
    history = snap.history(gwcode)
    history = history[history["year"] <= year]
    event_years = sorted(set(events["year"].astype(int)))
    trend = [{"year": int(h.year), "p": float(h.p_attempt), "rank": int(h.rank),
              "observed": None if h.observed_attempt != h.observed_attempt
              else int(h.observed_attempt)} for h in history.itertuples()]
    series = snap.series(gwcode)
    indicators = []
    for column in KEY_INDICATORS:
        meta = catalog.get(column)
        rows = series[(series["variable"] == meta.variable) & (series["year"] < year)]
        if rows.empty:
            continue
        latest = rows.iloc[-1]
        spark_rows = rows[rows["year"] >= SPARK_FROM]
        points = list(zip(spark_rows["year"], spark_rows["value"], strict=True))
        indicators.append({
            "label": meta.label, "unit": meta.unit, "source": meta.attribution,
            "latest": catalog.value_text(column, float(latest["value"])),
            "latest_year": int(latest["year"]),
            "range": f"{int(spark_rows['year'].min())}-{int(spark_rows['year'].max())}"
            if len(spark_rows) else "",
            "spark": sparkline(points, height=18, marks=[y for y in event_years
                                                         if y >= SPARK_FROM],
                               binary=meta.unit == "1 = yes")})
    trend_points = [(t["year"], t["p"]) for t in trend]
    sources = []
    for source, group in snap.provenance.groupby("source", sort=True) \
            if len(snap.provenance) else []:
        fresh = snap.freshness[snap.freshness["source"] == source]
        sources.append({"name": catalog.source_title(source),
                        "releases": ", ".join(sorted(set(map(str, group["release"])))),
                        "sha": ", ".join(s[:10] for s in group["sha256"]),
                        "through": str(fresh["covered_through"].iloc[0]) if len(fresh)
                        else ""})
    left_out = sorted({e.get("source") or "" for e in (snap.run or {}).get("left_out", [])}
                      - {""})
    run = snap.run or {}
    return {
        "country": {"name": str(info["name"]), "iso3": str(info["iso3"]),
                    "region": info.get("region") or "",
                    "memberships": regions.marked(list(info.get("memberships") or []),
                                                  list(info.get("suspended") or []))},
        "year": year, "forecast": forecast, "trend": trend,
        "monthly": monthly.brief_risks(snap, gwcode) if year == snap.target_year else None,
        "spark_from": SPARK_FROM,
        "trend_spark": sparkline(trend_points, width=110, height=30,
                                 marks=[t["year"] for t in trend if t["observed"]]),
        "events": [{"date": e.date, "kind": e.kind} for e in events.itertuples()],
        "events_release": snap.release,
        "indicators": indicators, "drivers": drivers, "drivers_state": drivers_state,
        "sources": sources, "left_out": [catalog.source_title(s) for s in left_out],
        "run": {k: run.get(k) for k in ("run_id", "model", "model_version", "code_version",
                                        "data_key", "created_at")},
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "neighbours": NEIGHBOURS,
    }


def html(ctx: dict) -> str:
    return _env.get_template("brief.html").render(pct=_pct, **ctx)


def pdf(ctx: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(ctx), base_url=str(_TEMPLATES)).write_pdf()
