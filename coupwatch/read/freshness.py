"""How current each source is, and whether the newest forecast had to leave it out.

One table for every interface (``data status``, ``/api/meta``, the dashboard's Sources page,
the brief): per source, the last period its loaded files cover and the inputs the newest
annual and monthly forecast runs left out for lack of a value at their origin
(``forecasts.availability``).
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from coupwatch.warehouse.releases import release_date

COLUMNS = ["source", "title", "releases", "covered_through", "left_out", "left_out_inputs",
           "left_out_monthly", "left_out_monthly_inputs"]


def table(con: duckdb.DuckDBPyConnection, available: set[str]) -> pd.DataFrame:
    """From a connection with the published views (``read.views.attach``)."""
    files = con.execute("""SELECT source, any_value(title) AS title,
                                  string_agg(DISTINCT release, ', ' ORDER BY release) AS releases,
                                  max(year_max) AS last_year
                           FROM sources GROUP BY source ORDER BY source""").df()
    files["covered_through"] = [_through(r, y) for r, y in
                                zip(files["releases"], files["last_year"], strict=True)]
    for runs, suffix in (("runs", ""), ("monthly_runs", "_monthly")):
        left = _left_out(con, runs) if runs in available else None
        # None (null in JSON) when there is no such run yet: not "left nothing out"
        files[f"left_out{suffix}"] = pd.Series(
            [None if left is None else s in left for s in files["source"]], dtype=object)
        files[f"left_out{suffix}_inputs"] = files["source"].map(
            lambda s, left=left: ", ".join((left or {}).get(s, [])))
    return files[COLUMNS]


def _left_out(con: duckdb.DuckDBPyConnection, runs: str) -> dict[str, list[str]] | None:
    """The inputs the newest run in ``runs`` left out, by source; None without a run."""
    rows = con.execute(f"SELECT left_out FROM {runs} WHERE latest").fetchall()
    if not rows:
        return None
    out: dict[str, list[str]] = {}
    for entry in json.loads(rows[0][0] or "[]"):
        out.setdefault(entry.get("source") or "", []).append(entry["feature"])
    return out


def _through(releases: str, last_year) -> str:
    """The release date when a release name carries one (Powell & Thyne), else the last
    year with data."""
    dates = [d for d in (release_date(r) for r in str(releases).split(", ")) if d is not None]
    if dates:
        return max(dates).date().isoformat()
    return str(int(last_year)) if last_year == last_year and last_year is not None else ""
