"""Benchmark and skill report of the forecasting engine (issues 3 and 10).

Builds a fresh warehouse from the mirror, then, each as its own process as a user runs it:
1. ``coupwatch backtest --from 1990 --to 2022`` (default model, no stored fits, rolling
   origins in parallel on every core or ``--workers``): wall time, CPU time of the command
   and its workers (less sensitive than wall time to a busy machine) and peak memory
   (largest ``ru_maxrss`` of the children); targets 60 s on 2 cores, 1 GB;
2. ``coupwatch score`` on forecaster2's test forecasts (attempts, 2011-2019);
3. Mali's rank in our forecasts for 2012 and 2020, each made with data through the
   year before.

    python bench/bench_backtest.py [--mirror DIR] [--model ensemble]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
ANCHOR = REPO.parent / "shared" / "anchors" / "forecaster2_test_forecasts_2011_2020.csv"


def cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"coupwatch {' '.join(args)} failed: {result.stderr.strip()}")
    return time.perf_counter() - start, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path(
        os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")))
    parser.add_argument("--model", default="ensemble")
    parser.add_argument("--workers", default=None)
    options = parser.parse_args()
    workers = ["--workers", options.workers] if options.workers else []
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as home:
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env.update(COUPWATCH_HOME=home, COLUMNS="200", NO_COLOR="1")
        cli(["data", "update", "--mirror", str(options.mirror.resolve())], env)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, report = cli(["backtest", "--from", "1990", "--to", "2022", "--model",
                               options.model, "--output", f"{home}/backtest.csv", *workers],
                              env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = max(before.ru_maxrss, after.ru_maxrss)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        print(f"backtest 1990-2022 ({options.model}): {seconds:.1f} s wall, {cpu:.1f} s CPU, "
              f"peak RSS {peak / 1024:.0f} MiB (targets: 60 s on 2 cores, 1024 MiB)")
        print(report)
        _, scored = cli(["score", str(ANCHOR), "--from", "2011", "--to", "2019", "--model",
                         options.model], env)
        print(scored)
        for year in (2012, 2020):
            _, text = cli(["forecast", "--year", str(year), "--model", options.model,
                           "--format", "csv"], env)
            ranks = pd.read_csv(io.StringIO(text))
            mali = ranks[ranks["iso3"] == "MLI"].iloc[0]
            print(f"Mali in our {year} forecast (data through {year - 1}): rank "
                  f"{int(mali['rank'])} of {len(ranks)}, P(attempt) {mali['p_attempt']:.1%}")


if __name__ == "__main__":
    main()
