"""``coupwatch sweep``: a grid of backtests stored with their keys, compared in one table,
resumed after an interruption without refitting what was stored; bad input stores nothing."""

from __future__ import annotations

import socket

import pytest
from conftest import checksum, run_cli
from forecast_fixtures import stored_rows

from coupwatch import warehouse
from coupwatch.forecasts import rolling, service, store
from coupwatch.forecasts import sweep as sw

GRID = ["--models", "logit,history", "--outcomes", "attempt,coup", "--seeds", "0,1",
        "--from", "2019", "--to", "2020"]


def test_sweep_stores_every_backtest_and_reuses_fits(home, tmp_path) -> None:
    first = run_cli("sweep", *GRID, "--workers", "2", "--output-dir", tmp_path, home=home)
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stdout.splitlines() if "│" in line and "[" in line]
    assert len(lines) == 2 * 2 * 2  # models x outcomes x seeds, each with intervals
    assert "0 reused" in first.stdout
    assert len(list(tmp_path.glob("*.csv"))) == 8
    con = warehouse.connect(home / "warehouse.duckdb")
    try:
        listed = store.list_backtests(con)
        one = store.stored_backtest(con, "logit", 1, start=2019, end=2020)
    finally:
        con.close()
    assert {(m, s) for m, s in zip(listed["model"], listed["seed"], strict=True)} == {
        ("logit", 0), ("logit", 1), ("history", 0), ("history", 1)}
    assert listed["current"].all() and (listed["year_max"] == 2020).all()
    assert sorted(one["year"].unique()) == [2019, 2020] and one["p_attempt"].notna().all()
    again = run_cli("sweep", *GRID, home=home)
    assert again.returncode == 0, again.stderr
    assert "fits: 0 run" in again.stdout


def test_an_interrupted_sweep_resumes_with_the_fits_it_stored(home) -> None:
    con = warehouse.connect(home / "warehouse.duckdb")
    try:
        design = service.design_rows(con)
        total = len(rolling.plan(con, design, [("logit", 0)], [2019]).jobs)
        finished = []

        def stop_after_three(done: str | None, _total: int) -> None:
            if done is None:  # the number of fits, announced before the first
                return
            finished.append(done)
            if len(finished) == 3:
                raise KeyboardInterrupt  # as Ctrl-C between two fits

        with pytest.raises(KeyboardInterrupt):
            sw.run(con, design, ["logit"], ["attempt"], [0], 2019, 2019, workers=1,
                   progress=stop_after_three)
        resumed = sw.run(con, design, ["logit"], ["attempt"], [0], 2019, 2019, workers=1,
                         n_boot=50)
    finally:
        con.close()
    assert total > 3
    assert (resumed.fits_reused, resumed.fits_run) == (3, total - 3)
    assert resumed.table.loc[0, "roc_auc"] > 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args, parameter, code", [
    (["--backend", "spark"], "backend", 2),
    (["--seeds", "a,b"], "seeds", 2),
    (["--models", ""], "models", 2),
    (["--models", " , "], "models", 2),
    (["--models", "logit,oracle"], "models", 2),
    (["--outcomes", "attempt,revolution"], "outcomes", 2),
    (["--from", "1950"], "from", 2),
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:{port}"], None, 1),
])
def test_bad_sweep_input_stores_nothing(home, args, parameter, code) -> None:
    path = home / "warehouse.duckdb"
    before = checksum(path), stored_rows(path)
    args = [a.replace("{port}", str(_free_port())) for a in args]
    run = run_cli("sweep", "--models", "logit", "--from", "2019", "--to", "2019", *args,
                  home=home)
    assert run.returncode == code, run.stderr
    assert run.stderr.strip().count("\n") == 0 and run.stderr.startswith("error:")
    if parameter:
        assert f"parameter '{parameter}'" in run.stderr
    else:
        assert "cannot be reached" in run.stderr
    assert (checksum(path), stored_rows(path)) == before
