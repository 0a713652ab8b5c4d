"""Parallel rolling origins: results never depend on the number of workers or the backend."""

from __future__ import annotations

import shutil
import socket

import pytest
from conftest import checksum, run_cli
from forecast_fixtures import stored_rows

from coupwatch.errors import BadInput
from coupwatch.forecasts import runner


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_runner_returns_results_in_job_order(workers) -> None:
    jobs = [(n, 7) for n in range(40, 0, -1)]
    seen = []
    results = runner.run(divmod, jobs, workers=workers,
                         on_result=lambda index, result: seen.append(index))
    assert results == [divmod(*job) for job in jobs]
    assert sorted(seen) == list(range(len(jobs)))


def test_runner_sends_a_shared_object_once_per_worker() -> None:
    shared = {"base": 1000}
    results = runner.run(dict.get, [("base",), ("missing",)], workers=2, shared=shared)
    assert results == [1000, None]


@pytest.mark.parametrize("backend, workers, scheduler, parameter", [
    ("spark", None, None, "backend"),
    ("local", 0, None, "workers"),
    ("local", None, "tcp://127.0.0.1:8786", "scheduler"),
    ("dask", None, "not-an-address", "scheduler"),
])
def test_runner_bad_input(backend, workers, scheduler, parameter) -> None:
    with pytest.raises(BadInput, match=f"parameter '{parameter}'"):
        runner.run(divmod, [(1, 1)], backend=backend, workers=workers, scheduler=scheduler)


def test_unreachable_scheduler_is_reported_not_hung() -> None:
    with pytest.raises(runner.Unreachable, match="cannot be reached"):
        runner.run(divmod, [(1, 1)], backend="dask",
                   scheduler=f"tcp://127.0.0.1:{_free_port()}")


def test_backtest_file_is_identical_whatever_the_workers_and_backend(home, tmp_path) -> None:
    # Each run on its own fresh copy of the warehouse: every fit is made by that run.
    args = ["backtest", "--from", "2019", "--to", "2020", "--model", "logit"]
    files = {}
    for label, extra in {"one": ["--workers", "1"], "two": ["--workers", "2"],
                         "dask": ["--workers", "2", "--backend", "dask"]}.items():
        private = tmp_path / label
        private.mkdir()
        shutil.copyfile(home / "warehouse.duckdb", private / "warehouse.duckdb")
        files[label] = tmp_path / f"{label}.csv"
        run = run_cli(*args, *extra, "--output", files[label], home=private)
        assert run.returncode == 0, run.stderr
    first = files["one"].read_bytes()
    assert len(first.splitlines()) > 300
    assert files["two"].read_bytes() == first
    assert files["dask"].read_bytes() == first


def test_backtest_with_an_unreachable_scheduler_exits_1_and_stores_nothing(home) -> None:
    before = checksum(home / "warehouse.duckdb"), stored_rows(home / "warehouse.duckdb")
    run = run_cli("backtest", "--from", "2019", "--to", "2019", "--model", "logit",
                  "--backend", "dask", "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
                  home=home)
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "cannot be reached" in run.stderr
    assert (checksum(home / "warehouse.duckdb"), stored_rows(home / "warehouse.duckdb")) == before
