"""Benchmark: `coupwatch data update` from the mirror into a fresh home, then the panel build.

Each step runs as its own process, as a user would run it; wall time per step is measured
here and peak memory is the largest resident set of any child (``ru_maxrss`` of
RUSAGE_CHILDREN). Targets (issue 2): at most 20 s and 1 GB for the two together.

    python bench/bench_pipeline.py [--mirror DIR] [--repeat N] [--check]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 20.0
TARGET_BYTES = 1 << 30
REPO = Path(__file__).resolve().parents[1]


def run(step: str, args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{step} failed (exit {result.returncode}): {result.stderr.strip()}")
    return elapsed


def once(mirror: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env.update(COUPWATCH_HOME=tmp, COLUMNS="120")
        update = run("data update", ["data", "update", "--mirror", str(mirror)], env)
        panel = run("panel build", ["panel", "export", "--format", "parquet", "--output",
                                    str(Path(tmp) / "panel.parquet")], env)
    return update, panel


API = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from coupwatch import operations
imported = time.perf_counter()
home = Path(sys.argv[2])
operations.update_data(mirror=sys.argv[1], path=home / "warehouse.duckdb")
updated = time.perf_counter()
panel = operations.load_panel(home / "warehouse.duckdb")
built = time.perf_counter()
print(json.dumps({"import": imported - start, "update": updated - imported,
                  "panel": built - updated, "rows": len(panel), "columns": panel.shape[1]}))
"""


def api(mirror: Path) -> dict:
    """The same two steps through the Python API in one process (no CLI start-up)."""
    import json

    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env["COUPWATCH_HOME"] = tmp
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", API, str(mirror), tmp], env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"API run failed: {result.stderr.strip()}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["wall"] = time.perf_counter() - start
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("COUPWATCH_MIRROR", str(REPO.parent / "shared" / "mirror"))
    parser.add_argument("--mirror", default=default, help="offline mirror directory")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a target is missed")
    options = parser.parse_args()
    mirror = Path(options.mirror).resolve()
    if not mirror.is_dir():
        sys.exit(f"mirror not found: {mirror} (set COUPWATCH_MIRROR or pass --mirror)")

    runs = [once(mirror) for _ in range(options.repeat)]
    update, panel = min(runs, key=sum)
    total = update + panel
    inproc = min((api(mirror) for _ in range(options.repeat)), key=lambda f: f["wall"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"mirror              {mirror}")
    print(f"cores               {cores}")
    print(f"data update         {update:6.1f} s")
    print(f"panel build         {panel:6.1f} s   (coupwatch panel export --format parquet)")
    print(f"total               {total:6.1f} s   target <= {TARGET_SECONDS:.0f} s   "
          f"{'ok' if total <= TARGET_SECONDS else 'MISSED'}")
    print(f"Python API          {inproc['wall']:6.1f} s   (one process: import "
          f"{inproc['import']:.1f} s, update {inproc['update']:.1f} s, panel "
          f"{inproc['panel']:.1f} s; {inproc['rows']:,} rows x {inproc['columns']} columns)")
    print(f"peak memory         {peak / 2**20:6.0f} MiB target <= 1024 MiB "
          f"{'ok' if peak <= TARGET_BYTES else 'MISSED'}")
    if options.check and (total > TARGET_SECONDS or peak > TARGET_BYTES):
        sys.exit(1)


if __name__ == "__main__":
    main()
