"""Load test of ``GET /api/forecasts`` against real uvicorn on loopback.

100 concurrent keep-alive clients (raw asyncio HTTP/1.1, to keep the load generator's own
CPU small) for 30 s; each client sends its next request as soon as the previous answer has
arrived (closed loop, no think time) unless ``--think-ms`` is given. Reports p50/p95/p99
latency, throughput and errors (non-200 answers, timeouts, broken connections).

    COUPWATCH_HOME=... python bench/bench_api.py [--clients 100] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import serving as server  # noqa: E402  (the tests' server harness)


async def client(port: int, path: str, stop: float, think: float, latencies: list[float],
                 errors: list[str]) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Accept: application/json\r\n\r\n").encode()
    reader = writer = None
    while time.perf_counter() < stop:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await asyncio.wait_for(reader.readexactly(length), 10)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"status {status}")
        except (OSError, asyncio.IncompleteReadError, TimeoutError,
                asyncio.LimitOverrunError) as err:
            errors.append(type(err).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
        if think:
            await asyncio.sleep(think)
    if writer is not None:
        writer.close()


async def run(port: int, path: str, clients: int, seconds: float, think: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    warm_stop = time.perf_counter() + 2
    await asyncio.gather(*(client(port, path, warm_stop, think, [], []) for _ in range(10)))
    stop = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client(port, path, stop, think, latencies, errors)
                           for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def q(p):
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else None

    return {"path": path, "clients": clients, "seconds": round(elapsed, 1),
            "think_ms": think * 1000, "requests": len(latencies),
            "rps": round(len(latencies) / elapsed, 1), "errors": len(errors),
            "error_kinds": sorted(set(errors)), "p50_ms": q(0.50), "p95_ms": q(0.95),
            "p99_ms": q(0.99), "mean_ms": statistics.fmean(ordered) * 1000 if ordered else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think-ms", type=float, default=0)
    parser.add_argument("--path", default="/api/forecasts")
    parser.add_argument("--home", default=None, help="COUPWATCH_HOME of the warehouse")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    args.clients, args.seconds = min(args.clients, 1000), min(args.seconds, 300)  # bounded
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    with server(args.home, workers=args.workers) as (_, port):
        result = asyncio.run(run(port, args.path, args.clients, args.seconds,
                                 args.think_ms / 1000))
    result["server_workers"] = args.workers
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
