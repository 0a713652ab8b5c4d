"""`coupwatch case mali` and `coupwatch region ECOWAS`, end to end as a user runs them
(a fresh process each time, so Python start-up and imports are counted), and the same work
in process (the queries alone).

    COUPWATCH_HOME=... python bench/bench_case.py [--runs 5] [--compare FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from coupwatch.read import case, region


def cli_seconds(args: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "coupwatch", *args], check=True,
                       capture_output=True)
        out.append(time.perf_counter() - started)
    return out


def in_process_ms(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, default=None)
    args = parser.parse_args()
    extra = ["--compare", str(args.compare)] if args.compare else []
    rows = {
        "case mali --show-sql (CLI, s)": cli_seconds(["case", "mali", "--show-sql", *extra],
                                                     args.runs),
        "region ECOWAS (CLI, s)": cli_seconds(["region", "ECOWAS"], args.runs),
        "case mali (in process, ms)": in_process_ms(
            lambda: case.case_study("mali", compare=args.compare), args.runs),
        "region ECOWAS (in process, ms)": in_process_ms(lambda: region.report("ECOWAS"),
                                                        args.runs),
    }
    for name, values in rows.items():
        print(f"{name:34s} median {statistics.median(values):8.2f}  max {max(values):8.2f}")


if __name__ == "__main__":
    main()
