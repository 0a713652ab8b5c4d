"""Drivers of a forecast, computed off the request path.

``coupwatch.forecasts.explain.explain`` may fit the ensemble (seconds to minutes), so it runs in
one separate worker *process* (no GIL contention with the server) and its result is cached
in memory per (country, year, data key). A request never waits longer than it asks to.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading
from pathlib import Path

from coupwatch.errors import BadInput

MAX_CACHED = 256


_COPY: dict = {}  # the worker's private in-memory copy of the warehouse


def private_copy(path: str):
    """An in-memory copy of the warehouse, refreshed when the file changes.

    ``explain`` caches model fits in the warehouse (it writes); the server must never
    write, so the worker attaches the file READ_ONLY, copies its tables into memory, detaches
    it, and lets ``explain`` write its cache into the copy.
    """
    import os

    import duckdb


    stamp = (path, os.stat(path).st_mtime)
    if _COPY.get("stamp") == stamp:
        return _COPY["con"]
    if "con" in _COPY:
        _COPY.pop("con").close()
    con = duckdb.connect(":memory:")
    escaped = path.replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS src (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'").fetchall()]
    for table in tables:
        con.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM src."{table}"')
    con.execute("DETACH src")
    _COPY.update(stamp=stamp, con=con)
    return con


def compute(path: str, iso3: str, year: int | None) -> dict:
    """Explain with the model of the forecast being served, so the drivers' headline
    probability is the one on the dashboard: from what the run stored when it can (read-only,
    no fit), else from a private copy of the warehouse (fits, and keeps them there)."""

    from coupwatch.forecasts.explain import explain, from_run
    from coupwatch.forecasts.store import latest_run_sql
    from coupwatch.models import DECOMPOSABLE
    from coupwatch.warehouse.store import open_file

    con = open_file(path, read_only=True)
    try:
        latest = con.execute(f"SELECT model FROM ({latest_run_sql()})").fetchall()
        model = latest[0][0] if latest and latest[0][0] in DECOMPOSABLE else DECOMPOSABLE[0]
        result = from_run(con, iso3, year, model=model)
    finally:
        con.close()
    if result is None:
        result = explain(private_copy(path), iso3, year, model=model)
    drivers = result.drivers.copy()
    drivers["value"] = drivers["value"].astype(float)
    drivers["contribution"] = drivers["contribution"].astype(float)
    rows = []
    for row in drivers.itertuples(index=False):
        value = None if row.value != row.value else float(row.value)
        rows.append({"direction": row.direction, "feature": row.feature, "value": value,
                     "contribution": float(row.contribution), "text": row.text})
    return {"gwcode": int(result.gwcode), "country": result.country, "year": int(result.year),
            "p_attempt": result.p_attempt, "p_coup": result.p_coup,
            "p_failed": result.p_failed, "drivers": rows,
            "model": model,
            "method": "the model's members' contributions in log-odds, weighted as the model "
                      "weighs them: coefficient x standardized value (logistic model) and "
                      "TreeSHAP values (boosted trees); the forest's share is not decomposed"}


class Explainer:
    """A one-process pool plus an in-memory cache of finished explanations."""

    def __init__(self, path: Path, workers: int = 1) -> None:
        self.path = str(path)
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None
        self._jobs: dict[tuple, cf.Future] = {}
        self._lock = threading.Lock()

    def _executor(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._pool

    def submit(self, iso3: str, year: int, data_key: str | None) -> cf.Future:
        key = (iso3, year, data_key)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and (not job.done() or (
                    not job.cancelled() and (job.exception() is None or
                                             isinstance(job.exception(), BadInput)))):
                return job  # running, finished, or refused for bad input: keep it
            if len(self._jobs) >= MAX_CACHED:  # forget the oldest finished ones
                for old in [k for k, f in self._jobs.items() if f.done()][:MAX_CACHED // 4]:
                    del self._jobs[old]
            job = self._executor().submit(compute, self.path, iso3, year)
            self._jobs[key] = job
            return job

    def get(self, iso3: str, year: int, data_key: str | None,
            wait: float = 0.0) -> tuple[str, dict | None, str | None]:
        """("done", result, None), ("pending", None, None), ("failed", None, message) for bad
        input, or ("error", None, message) when the worker crashed."""
        job = self.submit(iso3, year, data_key)
        try:
            result = job.result(timeout=max(wait, 0.0) or 0.001)
        except cf.TimeoutError:
            return "pending", None, None
        except BadInput as err:
            return "failed", None, str(err)
        except Exception as err:  # a crashed worker: report, let a later call retry
            return "error", None, f"explanation failed ({type(err).__name__}); try again"
        return "done", result, None

    def shutdown(self) -> None:
        """Stop the worker now, even in the middle of a fit (only our own child process)."""
        pool, self._pool = self._pool, None
        with self._lock:
            self._jobs = {k: f for k, f in self._jobs.items() if f.done() and not f.cancelled()}
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
