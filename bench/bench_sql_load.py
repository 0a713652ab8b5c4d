"""The API under hostile SQL, against real uvicorn on loopback (issue 13, part 4).

1. While SQL clients keep firing a 1 GB-result attempt (``SELECT repeat('x', 100000) FROM
   range(10000)``) and two heavy queries (a self-join of the panel, a long aggregate) for
   ``--seconds``, one client polls ``GET /api/health`` every 20 ms. Prints the health latency
   (p50/p95/max), the SQL answers' statuses and the server's peak RSS (sampled every 50 ms).
2. ``GET /api/countries/{iso3}`` for ``--seconds`` at 64 concurrent keep-alive connections
   (``bench_api``'s closed-loop clients): p50/p95/p99 and errors.

    COUPWATCH_HOME=<home with a forecast> python bench/bench_sql_load.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import run as closed_loop  # noqa: E402
from server import serving  # noqa: E402  (the tests' server harness)

ATTACK = "SELECT repeat('x', 100000) AS x FROM range(10000)"
HEAVY = [
    "SELECT a.year, count(*) AS n, avg(a.n_attempts + b.n_attempts) AS m FROM panel a "
    "JOIN panel b ON a.year = b.year GROUP BY ALL ORDER BY 1",
    "SELECT sum(hash(i) % 7) AS s FROM range(2000000000) t(i)",
]


def server_process(port: int) -> psutil.Process:
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "serve" in cmdline and str(port) in cmdline:
            return proc
    raise RuntimeError("server process not found")


def sample_rss(proc: psutil.Process, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        try:
            rss = proc.memory_info().rss
            rss += sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            break
        peak[0] = max(peak[0], rss)
        time.sleep(0.05)


def sql_client(base: str, text: str, stop: float, statuses: Counter) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.monotonic() < stop:
            try:
                status = http.post("/api/sql", json={"sql": text}).status_code
                statuses[f"{text[:24]}... {status}"] += 1
            except httpx.HTTPError as err:
                statuses[f"{text[:24]}... {type(err).__name__}"] += 1


def health_under_sql(base: str, seconds: float) -> dict:
    statuses: Counter = Counter()
    stop = time.monotonic() + seconds
    clients = [threading.Thread(target=sql_client, args=(base, text, stop, statuses))
               for text in [ATTACK, *HEAVY]]
    for thread in clients:
        thread.start()
    latencies, failures = [], Counter()
    with httpx.Client(base_url=base, timeout=30) as http:
        time.sleep(0.5)  # the queries are running
        while time.monotonic() < stop:
            started = time.perf_counter()
            status = http.get("/api/health").status_code
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures[status] += 1
            time.sleep(0.02)
    for thread in clients:
        thread.join()
    ordered = sorted(latencies)
    return {"health_requests": len(ordered), "health_errors": dict(failures),
            "health_p50_ms": round(ordered[len(ordered) // 2], 1),
            "health_p95_ms": round(ordered[int(0.95 * len(ordered))], 1),
            "health_max_ms": round(ordered[-1], 1), "sql_answers": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--iso3", default="MLI")
    parser.add_argument("--home", default=None, help="COUPWATCH_HOME of the warehouse")
    args = parser.parse_args()
    args.seconds, args.clients = min(args.seconds, 120), min(args.clients, 256)  # bounded
    with serving(args.home) as (base, port):
        proc = server_process(port)
        idle_rss = proc.memory_info().rss
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=sample_rss, args=(proc, stop, peak), daemon=True)
        sampler.start()
        under_sql = health_under_sql(base, args.seconds)
        stop.set()
        sampler.join()
        profile = asyncio.run(closed_loop(port, f"/api/countries/{args.iso3}", args.clients,
                                          args.seconds, 0.0))
    print(json.dumps({
        "under_sql": {**under_sql, "server_rss_idle_mb": round(idle_rss / 2**20),
                      "server_rss_peak_mb": round(peak[0] / 2**20)},
        "country_profile": {k: round(v, 1) if isinstance(v, float) else v
                            for k, v in profile.items()},
    }, indent=1))


if __name__ == "__main__":
    main()
