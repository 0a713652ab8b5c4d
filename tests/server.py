"""Run ``coupwatch serve`` in a subprocess on a free loopback port, until the block ends.

For tests and benchmarks that need the real uvicorn server, not an in-process client.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(home: str | Path | None = None, *, port: int | None = None, workers: int = 1,
            timeout: float = 90.0) -> Iterator[tuple[str, int]]:
    """Yield ``(base URL, port)`` once ``/api/health`` answers; stop the server after."""
    port = port or free_port()
    env = dict(os.environ)
    if home is not None:
        env["COUPWATCH_HOME"] = str(Path(home).resolve())
    log_dir = Path(env.get("COUPWATCH_HOME", "."))
    logpath = log_dir / f"server-{port}.log"
    with open(logpath, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "coupwatch", "serve", "--port", str(port),
                                 "--workers", str(workers)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {logpath.read_text()[-2000:]}")
                try:
                    if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start in time")
                time.sleep(0.2)
            yield base, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
