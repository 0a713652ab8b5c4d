"""What the warehouse holds: per source, versions, hashes, rows, years and what was not mapped."""

from __future__ import annotations

import duckdb
import pandas as pd

from coupwatch.sources import CONNECTORS, MIRRORED

ONLINE_ONLY = ("online only: a mirror holds no copy, so an update from a mirror skips it; "
               "`coupwatch data update` without a mirror fetches it")


def status(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    files = con.execute("""
        SELECT source, file, release, sha256, rows, duplicates, year_min, year_max, origin,
               ingested_at
        FROM provenance ORDER BY source, file""").df()
    unmapped = con.execute("""
        SELECT source, file, code, name, year_min, year_max, rows, reason
        FROM unmapped ORDER BY source, code""").df()
    # Rows keyed to a G&W code in a year when that state did not exist: kept, but reported.
    outside = con.execute("""
        WITH states AS (SELECT gwcode, year FROM indicators
                        WHERE source = 'gw' AND variable = 'state_age')
        SELECT i.source, i.gwcode, min(i.year) AS year_min, max(i.year) AS year_max,
               count(*) AS rows
        FROM indicators i ANTI JOIN states s USING (gwcode, year)
        WHERE i.gwcode IS NOT NULL AND EXISTS (SELECT 1 FROM states)
        GROUP BY i.source, i.gwcode ORDER BY i.source, i.gwcode""").df()
    events_outside = con.execute("""
        WITH states AS (SELECT gwcode, year FROM indicators
                        WHERE source = 'gw' AND variable = 'state_age')
        SELECT e.source, e.gwcode, e.country, e.year, e.release
        FROM events e ANTI JOIN states s USING (gwcode, year)
        WHERE e.gwcode IS NOT NULL AND EXISTS (SELECT 1 FROM states)
        ORDER BY e.year""").df()
    summary = files.groupby("source", sort=True).agg(
        files=("file", "count"), releases=("release", lambda s: ", ".join(sorted(set(s)))),
        rows=("rows", "sum"), duplicates=("duplicates", "sum"), year_min=("year_min", "min"),
        year_max=("year_max", "max"), ingested_at=("ingested_at", "max")).reset_index()
    # the same two measures `data update` reports: codes (per file) and the rows they hold
    codes = unmapped.groupby("source")["code"].count()
    summary["unmapped_codes"] = summary["source"].map(codes).fillna(0).astype(int)
    counts = unmapped.groupby("source")["rows"].sum()
    summary["unmapped_rows"] = summary["source"].map(counts).fillna(0).astype(int)
    out_counts = outside.groupby("source")["rows"].sum()
    summary["outside_state_years"] = summary["source"].map(out_counts).fillna(0).astype(int)
    absent = pd.DataFrame(
        [{"source": name, "why": ONLINE_ONLY if name not in MIRRORED else
          "never loaded: run `coupwatch data update`"}
         for name in CONNECTORS if name not in set(summary["source"])],
        columns=["source", "why"])
    return {"sources": summary, "files": files, "unmapped": unmapped,
            "outside": outside, "events_outside": events_outside, "absent": absent}
