"""A sweep of 4 models x 3 outcomes x 1 seed over 1990-2022 (issue 10), on the local cores
(joblib) and on a local dask.distributed cluster with the same number of workers, each on a
fresh warehouse so that each makes every fit; then checks that the backtest files of the two
runs are byte-identical.

    python bench/bench_sweep.py [--mirror DIR] [--workers 2] [--start 1990] [--end 2022]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODELS = "logit,lgbm,forest,ensemble"


def cli(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"coupwatch {' '.join(args)} failed: {result.stderr.strip()}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, \
        result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path(
        os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")))
    parser.add_argument("--workers", default="2")
    parser.add_argument("--start", default="1990")
    parser.add_argument("--end", default="2022")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env.update(COLUMNS="200", NO_COLOR="1")
        cli(["data", "update", "--mirror", str(options.mirror.resolve())],
            dict(env, COUPWATCH_HOME=str(base)))
        outputs = {}
        for backend in ("local", "dask"):
            home = Path(tmp) / backend
            home.mkdir()
            shutil.copyfile(base / "warehouse.duckdb", home / "warehouse.duckdb")
            outputs[backend] = home / "csv"
            outputs[backend].mkdir()
            wall, cpu, report = cli(["sweep", "--models", MODELS, "--outcomes",
                                     "attempt,coup,failed", "--seeds", "0", "--start",
                                     options.start, "--end", options.end, "--backend",
                                     backend, "--workers", options.workers, "--output-dir",
                                     str(outputs[backend])], dict(env, COUPWATCH_HOME=str(home)))
            print(f"sweep 4 models x 3 outcomes x 1 seed, {options.start}-{options.end}, "
                  f"{backend} with {options.workers} workers: {wall:.1f} s wall, "
                  f"{cpu:.1f} s CPU")
            if backend == "local":
                print(report)
        files = sorted(p.name for p in outputs["local"].glob("*.csv"))
        same = [f for f in files if (outputs["local"] / f).read_bytes()
                == (outputs["dask"] / f).read_bytes()]
        print(f"backtest files identical local vs dask: {len(same)} of {len(files)}")


if __name__ == "__main__":
    main()
