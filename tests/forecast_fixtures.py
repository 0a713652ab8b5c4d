"""A warehouse with a stored forecast run and a short backtest, a second stored backtest (the
climatology, for the dashboard's backtest picker), and a monthly run with a short monthly
backtest, built once per test session.

Registered as a plugin by ``conftest.py``; test modules ask for the fixtures by name.
The warehouse is built from the offline mirror (``COUPWATCH_MIRROR``, default
``<repo>/../shared/mirror``) into a tmp ``COUPWATCH_HOME``; mirror data is never copied into
the repository. The model is ``COUPWATCH_TEST_MODEL`` (default ``logit``: a real model of the
engine, fitted in seconds; set ``ensemble`` to exercise the default model at a higher cost).
For quick local iterations ``COUPWATCH_TEST_PREBUILT=/path/warehouse.duckdb`` copies a
warehouse built the same way instead of building one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from server import serving

from coupwatch import operations, warehouse
from coupwatch.forecasts import monthly, service

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")).resolve()
MODEL = os.environ.get("COUPWATCH_TEST_MODEL", "logit")
BACKTEST_YEARS = list(range(2015, 2023))
MONTHLY_YEARS = (2021, 2022)  # origins of the stored monthly backtest (two refits)
ARTIFACTS = REPO / "tests" / "artifacts"


def build_warehouse(home: Path, *, mirror: Path = MIRROR, model: str = MODEL,
                    years: list[int] = BACKTEST_YEARS) -> Path:
    """Load the mirror, backtest ``years`` and store one forecast run, a climatology
    backtest of the same years, and a monthly backtest and run (logit); returns the file."""
    path = home / "warehouse.duckdb"
    operations.update_data(mirror=mirror, path=path)
    con = warehouse.connect(path)
    try:
        design = service.design_rows(con)
        service.backtest(con, design, years, model=model, seed=0)
        service.forecast(con, model=model, seed=0)
        service.backtest(con, design, years, model="climatology", seed=0)
        data = monthly.prepare(con)
        first, last = MONTHLY_YEARS
        monthly.backtest(con, data, first * 12, min(last * 12 + 11, data.last), model="logit",
                         seed=0)
        monthly.forecast(con, model="logit", seed=0)
    finally:
        con.close()
    return path


# Each test module imports these fixtures, and pytest then keeps one session fixture per
# importing module: the memo below makes them share one warehouse, app and server.
_SHARED: dict = {}


@pytest.fixture(scope="session")
def forecast_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``COUPWATCH_HOME`` directory holding the built warehouse (shared by all tests)."""
    if "home" not in _SHARED:
        _SHARED["home"] = _build_home(tmp_path_factory)
    return _SHARED["home"]


def _build_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (MIRROR / "MANIFEST.md").is_file():
        raise pytest.UsageError(f"offline mirror not found at {MIRROR}: set COUPWATCH_MIRROR")
    home = tmp_path_factory.mktemp("forecast-home")
    prebuilt = os.environ.get("COUPWATCH_TEST_PREBUILT")
    if prebuilt:
        shutil.copy(prebuilt, home / "warehouse.duckdb")
    else:
        build_warehouse(home)
    return home


@pytest.fixture(scope="session")
def forecast_warehouse(forecast_home: Path) -> Path:
    return forecast_home / "warehouse.duckdb"


@contextlib.contextmanager
def _shared(key: str, factory):
    """One instance for the whole session, however many modules import the fixture."""
    entry = _SHARED.get(key)
    if entry is None:
        stack = contextlib.ExitStack()
        entry = _SHARED[key] = [stack.enter_context(factory()), 0, stack]
    entry[1] += 1
    try:
        yield entry[0]
    finally:
        entry[1] -= 1
        if entry[1] == 0:
            del _SHARED[key]
            entry[2].close()


@contextlib.contextmanager
def _app(path: Path):
    from coupwatch.api import create_app

    app = create_app(warehouse=path)
    try:
        yield app
    finally:
        app.state.explainer.shutdown()


@pytest.fixture(scope="session")
def api_app(forecast_warehouse: Path):
    with _shared("app", lambda: _app(forecast_warehouse)) as app:
        yield app


@pytest.fixture(scope="session")
def client(api_app):
    from fastapi.testclient import TestClient

    with TestClient(api_app, raise_server_exceptions=False) as test_client:
        yield test_client


@contextlib.contextmanager
def run_server(home: Path, *, port: int | None = None, timeout: float = 60.0):
    """``coupwatch serve`` in a subprocess on 127.0.0.1; yields its base URL."""
    with serving(home, port=port, timeout=timeout) as (base, _):
        yield base


@pytest.fixture(scope="session")
def live_server(forecast_home: Path):
    """A real uvicorn server on a free loopback port, shared by the tests that need one."""
    with _shared("server", lambda: run_server(forecast_home)) as base:
        yield base


def stored_rows(path: Path) -> dict[str, int]:
    """Rows of the tables forecasts write (0 where a table does not exist yet)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {t: (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] if t in tables
                    else 0)
                for t in ("member_forecasts", "fitted_members", "backtests", "forecast_runs")}
    finally:
        con.close()


@pytest.fixture
def private_home(forecast_home: Path, tmp_path: Path) -> Path:
    """A copy of the forecast warehouse a test may change."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(forecast_home / "warehouse.duckdb", home / "warehouse.duckdb")
    return home
