"""Benchmark: how long `coupwatch data update` keeps readers out of the warehouse.

DuckDB lets one process write a file and no other process open it meanwhile, so the time
an update holds the write lock is time `data status`, the API and forecasts cannot read.
Here a warehouse is built from the mirror, every source is marked changed (so all of them
are reloaded, as after a new release of each), and `data update` runs again while this
process tries to open the file read-only every 20 ms. Printed: the update's wall time, the
longest stretch readers were refused and the total refused time. The wall time is not a speed
figure (bench_pipeline.py is): every read that succeeds opens the file, which takes CPU from
the update on a small machine, so a version that lets readers in more is slowed more here.

Run it from outside the repository (or with the repository first on PYTHONPATH): `python -m
coupwatch` imports the package from the current directory before PYTHONPATH.

    python bench/bench_update_lock.py [--mirror DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
POLL = 0.02  # seconds between read attempts


def cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coupwatch", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def readable(db: Path) -> bool:
    """Whether a reader can open the warehouse now (a missing file counts as readable: a
    reader is told the warehouse is empty, it is not kept waiting)."""
    if not db.exists():
        return True
    try:
        duckdb.connect(str(db), read_only=True).close()
        return True
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            return False
        raise


def once(mirror: Path) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="coupwatch-lock-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env.update(COUPWATCH_HOME=tmp)
        first = cli(["data", "update", "--mirror", str(mirror)], env)
        if first.wait() != 0:
            sys.exit(f"first update failed: {first.stderr.read().strip()}")
        db = Path(tmp) / "warehouse.duckdb"
        con = duckdb.connect(str(db))
        con.execute("UPDATE provenance SET sha256 = 'changed'")  # every source reloads
        con.close()
        for _ in range(3):
            result = measure(db, cli(["data", "update", "--mirror", str(mirror)], env))
            if result is not None:
                return result
    sys.exit("the update failed three times")


def measure(db: Path, proc: subprocess.Popen) -> tuple[float, float, float] | None:
    """Wall time, longest and total time readers were refused; None if the update failed
    (a version that does not wait for the lock can fail when a read attempt holds it)."""
    start = time.perf_counter()
    longest = total = 0.0
    since = None
    while proc.poll() is None:
        now = time.perf_counter()
        if readable(db):
            if since is not None:
                total += now - since
            since = None
        else:
            since = now if since is None else since
            longest = max(longest, time.perf_counter() - since)
        time.sleep(POLL)
    wall = time.perf_counter() - start
    if since is not None:
        total += wall - (since - start)
    if proc.returncode != 0:
        print(f"  (update failed, run again: {proc.stderr.read().strip()[-160:]})")
        return None
    return wall, longest, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("COUPWATCH_MIRROR", str(REPO.parent / "shared" / "mirror"))
    parser.add_argument("--mirror", default=default, help="offline mirror directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs; each is printed")
    options = parser.parse_args()
    mirror = Path(options.mirror).resolve()
    if not mirror.is_dir():
        sys.exit(f"mirror not found: {mirror} (set COUPWATCH_MIRROR or pass --mirror)")
    print(f"mirror   {mirror}\ncores    {len(os.sched_getaffinity(0))}")
    for run in range(options.repeat):
        wall, longest, total = once(mirror)
        print(f"run {run + 1}    update {wall:5.1f} s   readers refused: longest {longest:5.2f} s,"
              f" total {total:5.2f} s (polled every {POLL * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
