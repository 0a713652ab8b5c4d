"""Run independent jobs on the local cores (joblib) or on a dask.distributed cluster.

``run(func, jobs)`` calls ``func(*args)`` for each argument tuple of ``jobs`` (``func(shared,
*args)`` when ``shared`` is given: a large object sent to each worker once, not per job) and
returns the results in job order, whatever order they finished in. Each call runs with one
BLAS/OpenMP thread, so a job computes the same bits in the main process, in a joblib worker
or on a dask worker: results never depend on the backend or the number of workers.

Ray is not a backend: it is a heavy install for what dask.distributed already does here.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import joblib
from threadpoolctl import threadpool_limits

from coupwatch.errors import BadInput
from coupwatch.sources.fetch import FetchError

BACKENDS = ("local", "dask")
_LOADED: dict[str, Any] = {}  # in a joblib worker: the shared object, by file


class Unreachable(FetchError):
    """The dask scheduler given could not be reached: like an unreachable publisher, not
    the user's input, so the CLI exits with code 1."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


def check(backend: str, workers: int | None, scheduler: str | None = None) -> None:
    """Refuse unknown backends and worker counts before anything runs."""
    if backend not in BACKENDS:
        raise BadInput(f"unknown backend '{backend}' (known: {', '.join(BACKENDS)})",
                       parameter="backend")
    if workers is not None and workers < 1:
        raise BadInput(f"workers must be at least 1, not {workers}", parameter="workers")
    if scheduler and backend != "dask":
        raise BadInput("--scheduler needs --backend dask", parameter="scheduler")


def _one_thread(func: Callable, args: tuple) -> Any:
    with threadpool_limits(limits=1):
        return func(*args)


def _from_file(path: str, func: Callable, args: tuple) -> Any:
    if path not in _LOADED:
        _LOADED.clear()
        _LOADED[path] = joblib.load(path)
    return _one_thread(func, (_LOADED[path], *args))


def run(func: Callable, jobs: Sequence[tuple], *, backend: str = "local",
        workers: int | None = None, scheduler: str | None = None, shared: Any = None,
        on_result: Callable[[int, Any], None] | None = None) -> list:
    """Results of ``func`` over ``jobs`` in job order; ``on_result(index, result)`` is called
    in this process as each job finishes (to store it, or to tick a progress bar)."""
    check(backend, workers, scheduler)
    jobs = [tuple(job) for job in jobs]
    results: list = [None] * len(jobs)

    def done(index: int, result: Any) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    if not jobs:
        return results
    if backend == "dask":
        _dask(func, jobs, workers, scheduler, shared, done)
    else:
        _local(func, jobs, workers, shared, done)
    return results


def _local(func, jobs, workers, shared, done) -> None:
    workers = min(workers or cores(), len(jobs))
    if workers == 1:  # in process: no pickling, no worker start-up
        for index, args in enumerate(jobs):
            done(index, _one_thread(func, args if shared is None else (shared, *args)))
        return
    with tempfile.TemporaryDirectory(prefix="coupwatch-jobs-") as tmp:
        calls = [(_one_thread, (func, args)) for args in jobs]
        if shared is not None:
            path = str(Path(tmp) / "shared.pkl")
            joblib.dump(shared, path)
            calls = [(_from_file, (path, func, args)) for args in jobs]
        parallel = joblib.Parallel(n_jobs=workers, backend="loky",
                                   return_as="generator_unordered")
        indexed = parallel(joblib.delayed(_indexed)(i, call, args)
                           for i, (call, args) in enumerate(calls))
        for index, result in indexed:
            done(index, result)


def _indexed(index: int, call: Callable, args: tuple) -> tuple[int, Any]:
    return index, call(*args)


def _with_payload(index: int, func: Callable, payload: Any, args: tuple) -> tuple[int, Any]:
    # a scattered object arrives as a top-level argument (dask resolves it there)
    return index, _one_thread(func, args if payload is None else (payload, *args))


def _dask(func, jobs, workers, scheduler, shared, done) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except ValueError as err:  # not an address at all
            raise BadInput(f"'{scheduler}': {err}", parameter="scheduler") from None
        except (OSError, TimeoutError) as err:
            raise Unreachable(f"dask scheduler {scheduler} cannot be reached ({err})") \
                from None
    else:
        cluster = LocalCluster(n_workers=min(workers or cores(), len(jobs)),
                               threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        payload = client.scatter(shared, broadcast=True) if shared is not None else None
        futures = [client.submit(_with_payload, i, func, payload, args, pure=False)
                   for i, args in enumerate(jobs)]
        for future in as_completed(futures):
            done(*future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
