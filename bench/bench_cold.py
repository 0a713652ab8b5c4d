"""Cold paths as a new user meets them (issue 10), each command in its own process:

1. ``coupwatch forecast`` on an empty warehouse, reading the mirror (the data update
   included): target 60 s on 2 cores;
2. ``coupwatch explain MLI`` right after it: target 5 s;
3. ``coupwatch explain MLI --what-if ...`` (loads the stored fitted members): target 5 s;
4. ``coupwatch brief MLI`` (PDF) right after it: target 10 s.

Prints wall time and the CPU time of each command (its own and its workers'): on a shared
machine wall time depends on the neighbours, CPU time much less.

    python bench/bench_cold.py [--mirror DIR] [--model ensemble] [--workers N]
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

REPO = Path(__file__).resolve().parents[1]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the command and its children, and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"coupwatch {' '.join(args)} failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path(
        os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")))
    parser.add_argument("--model", default="ensemble")
    parser.add_argument("--workers", default=None)
    options = parser.parse_args()
    workers = ["--workers", options.workers] if options.workers else []
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as home:
        env = dict(os.environ, COUPWATCH_HOME=home, COUPWATCH_MIRROR=str(
            options.mirror.resolve()), COLUMNS="200", NO_COLOR="1")
        steps = [
            ("forecast, empty warehouse (data update included)", 60,
             ["forecast", "--model", options.model, "--top", "5", *workers]),
            ("explain MLI right after", 5, ["explain", "MLI", "--model", options.model]),
            ("explain MLI --what-if years_since_attempt=40", 5,
             ["explain", "MLI", "--model", options.model, "--what-if",
              "years_since_attempt=40"]),
            ("brief MLI (PDF) right after", 10,
             ["brief", "MLI", "--output", f"{home}/mali.pdf"]),
        ]
        for label, target, args in steps:
            wall, cpu, _ = timed(args, env)
            print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU (target {target} s)")


if __name__ == "__main__":
    main()
