"""A warehouse another process is writing: one line and exit 1 from every command that reads
it, 503 with Retry-After from the API, never a traceback or a 500 (issue 13, part 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import checksum, run_cli, writer

from coupwatch.errors import Busy


@pytest.fixture(scope="module")
def busy_home(tmp_path_factory, forecast_warehouse: Path) -> Path:
    home = tmp_path_factory.mktemp("busy-home")
    shutil.copyfile(forecast_warehouse, home / "warehouse.duckdb")
    return home


COMMANDS = {
    "data status": ["data", "status"],
    "events": ["events", "--country", "MLI"],
    "panel export": ["panel", "export", "--output", "{home}/panel.csv"],
    "forecast": ["forecast"],
    "explain": ["explain", "MLI"],
    "region": ["region", "Sahel"],
    "case": ["case", "mali"],
    "brief": ["brief", "MLI", "--output", "{home}/brief.html", "--format", "html"],
    "sql": ["sql", "SELECT 1"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_cli_busy_is_one_line_exit_1(busy_home, name):
    path = busy_home / "warehouse.duckdb"
    before = checksum(path)
    args = [a.format(home=busy_home) for a in COMMANDS[name]]
    with writer(path):
        result = run_cli(*args, home=busy_home, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == f"error: {Busy.MESSAGE}\n"
    assert "the warehouse is being updated" in result.stderr and "try again" in result.stderr
    assert checksum(path) == before
    assert not (busy_home / "panel.csv").exists() and not (busy_home / "brief.html").exists()


@pytest.mark.parametrize("url", ["/api/case/mali", "/api/region/Sahel", "/api/sql/views"])
def test_api_busy_is_503_with_retry_after(busy_home, url):
    from fastapi.testclient import TestClient

    from coupwatch.api import create_app

    app = create_app(warehouse=busy_home / "warehouse.duckdb")
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get(url).status_code == 200  # the snapshot is loaded; it works
            with writer(busy_home / "warehouse.duckdb"):
                response = client.get(url)
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "5"
            assert response.json()["detail"] == Busy.MESSAGE
            assert client.get(url).status_code == 200
    finally:
        app.state.explainer.shutdown()
