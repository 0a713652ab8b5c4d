"""Benchmark: typical queries of the read-only SQL console (issue 5), through the Python API.

Each call of ``coupwatch.read.console.query`` opens its own DuckDB instance, attaches the
warehouse read-only, creates the views, runs the query and fetches the rows, exactly as one
``coupwatch sql`` command or one ``POST /api/sql`` does. Reported per query, over ``--runs``
calls after one warm-up: the median and p95 of the query itself (execution and fetch, the
``elapsed_ms`` the console reports) and of the whole call. Target: queries over the whole
panel within 100 ms.

    python bench/bench_sql.py [--home DIR | --mirror DIR] [--runs 30] [--check]

Without a warehouse in ``--home`` (default ``$COUPWATCH_HOME``) one is built from the mirror
into a temporary directory first (about 15 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coupwatch import config, operations
from coupwatch.read import console as sql

TARGET_MS = 100.0
REPO = Path(__file__).resolve().parents[1]

QUERIES = {
    "attempts per year (panel)":
        "SELECT year, sum(n_attempts) AS attempts, sum(n_coups) AS coups FROM panel "
        "GROUP BY year ORDER BY year",
    "panel x countries by continent, decade":
        "SELECT c.continent, p.year // 10 * 10 AS decade, sum(p.n_attempts) AS attempts, "
        "count(*) AS state_years FROM panel p JOIN countries c USING (gwcode) "
        "GROUP BY ALL ORDER BY ALL",
    "panel feature means by outcome":
        "SELECT attempt, count(*) AS n, avg(gdp_pc) AS gdp_pc, avg(v2x_veracc_osp) AS veracc, "
        "avg(milex_gdp) AS milex, avg(leader_tenure) AS tenure FROM panel "
        "WHERE year >= 1990 GROUP BY attempt ORDER BY attempt",
    "one panel year, every column":
        "SELECT * FROM panel WHERE year = 2021",
    "coups per year (coups)":
        "SELECT year, count(*) AS attempts, count(*) FILTER (WHERE successful) AS successful "
        "FROM coups GROUP BY year ORDER BY year",
    "indicators by variable (all rows)":
        "SELECT source, variable, count(*) AS n, avg(value) AS mean FROM indicators "
        "GROUP BY ALL ORDER BY ALL",
}
PANEL = [name for name, text in QUERIES.items() if "FROM panel" in text]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(path: Path, text: str, runs: int) -> tuple[list[float], list[float], int]:
    sql.query(text, path=path)  # warm-up: imports, region table, OS file cache
    engine, calls, rows = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = sql.query(text, path=path)
        calls.append((time.perf_counter() - started) * 1000)
        engine.append(result.elapsed_ms)
        rows = len(result.rows)
    return engine, calls, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=os.environ.get("COUPWATCH_HOME"),
                        help="COUPWATCH_HOME holding warehouse.duckdb")
    default = os.environ.get("COUPWATCH_MIRROR", str(REPO.parent / "shared" / "mirror"))
    parser.add_argument("--mirror", default=default, help="offline mirror, to build one")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a panel query misses the target")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as tmp:
        path = Path(options.home) / "warehouse.duckdb" if options.home else \
            config.warehouse_path()
        if not path.is_file():
            mirror = Path(options.mirror).resolve()
            if not mirror.is_dir():
                sys.exit(f"no warehouse at {path} and no mirror at {mirror}")
            path = Path(tmp) / "warehouse.duckdb"
            print(f"building a warehouse from {mirror} ...", flush=True)
            operations.update_data(mirror=mirror, path=path)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count()
        print(f"warehouse      {path} ({path.stat().st_size / 2**20:.0f} MiB)")
        print(f"cores          {cores}; {options.runs} runs per query after one warm-up")
        print(f"{'query':40} {'query ms median/p95':>20} {'call ms median/p95':>20} {'rows':>6}")
        missed = []
        for name, text in QUERIES.items():
            engine, calls, rows = measure(path, text, options.runs)
            print(f"{name:40} {statistics.median(engine):9.1f} / {p95(engine):6.1f}   "
                  f"{statistics.median(calls):9.1f} / {p95(calls):6.1f}   {rows:6,}")
            if name in PANEL and p95(engine) > TARGET_MS:
                missed.append(name)
        print(f"target: queries over the whole panel <= {TARGET_MS:.0f} ms (p95 of the query) "
              f"{'ok' if not missed else 'MISSED: ' + ', '.join(missed)}")
        print("(a call adds a fresh DuckDB instance, the read-only attach and the views)")
    if options.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
