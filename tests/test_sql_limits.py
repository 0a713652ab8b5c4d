"""The SQL console's limits (issue 13, part 4): no file read, not even of the warehouse; no
machine path in any answer; answers capped in bytes; request bodies capped in size."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coupwatch.errors import BadInput
from coupwatch.read import console as sql
from coupwatch.read import sql_guard


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, warehouse_path: Path) -> Path:
    home = tmp_path_factory.mktemp("sql-limits")
    shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
    return home / "warehouse.duckdb"


def refused(text: str, path: Path) -> BadInput:
    with pytest.raises(BadInput) as err:
        sql.query(text, path=path)
    assert err.value.parameter == "sql"
    return err.value


@pytest.mark.parametrize("template", [
    "SELECT * FROM read_blob('{p}')",
    "SELECT size FROM \"READ_BLOB\" /* spaced */ ('{p}')",
    "SELECT * FROM system.main.read_text('{p}')",
    "SELECT * FROM read_duckdb('{p}', table_name = 'events')",
    "SELECT * FROM read_csv('{p}', all_varchar = true)",
    "SELECT * FROM glob('{p}')",
    "SELECT * FROM '{p}'",
    "SELECT * FROM coups JOIN '{p}' ON true",
    "SELECT * FROM query('SELECT 1')",
])
def test_the_warehouse_file_is_not_readable(sandbox, template):
    error = refused(template.format(p=sandbox), sandbox)
    assert "not available in the console" in str(error) or "reading a file" in str(error)


@pytest.mark.parametrize("text", [
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM duckdb_databases",
    "SELECT * FROM pragma_database_list",
    "SELECT current_setting('allowed_paths')",
    "SELECT * FROM pg_settings",
])
def test_no_machine_paths(sandbox, text):
    assert "settings and paths" in str(refused(text, sandbox))


def test_catalog_and_names_still_work(sandbox):
    """What is refused is the function, not a column or alias that shares its name, nor
    the catalog of the views; and nothing answered names a directory of the machine."""
    home = str(sandbox.parent)
    for text in ["SELECT 'read_blob' AS query, 1 AS glob",
                 "SELECT * FROM duckdb_columns()", "SELECT * FROM duckdb_tables()",
                 "SELECT * FROM range(3)", "SELECT * FROM coups"]:
        payload = json.dumps(sql.query(text, path=sandbox).payload(), default=str)
        assert home not in payload and "/root" not in payload


def test_answers_are_capped_in_bytes(sandbox):
    error = refused("SELECT repeat('x', 100000) FROM range(10000)", sandbox)
    assert f"larger than {sql_guard.MAX_BYTES // 2**20} MB" in str(error)
    assert "narrow the query" in str(error)
    # a wide but honest answer still comes back whole
    result = sql.query("SELECT * FROM panel", path=sandbox)
    assert len(result.rows) == sql.DEFAULT_LIMIT and result.truncated


# --- the API -----------------------------------------------------------------------------------

def test_api_body_too_large_is_413(client):
    big = json.dumps({"sql": "SELECT 1 -- " + "x" * 70_000}).encode()
    response = client.post("/api/sql", content=big,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["parameter"] == "body"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b"x" * 1000

    response = client.post("/api/sql", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["parameter"] == "body"


@pytest.mark.parametrize("body", [b'{"sql": "SELECT 1"', b"[1]", b'"SELECT 1"', b"\xff"])
def test_api_malformed_body_names_the_body(client, body):
    response = client.post("/api/sql", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code in (400, 422), response.text
    if response.status_code == 422:
        assert response.json()["parameter"] == "body"
        assert response.json()["detail"].startswith("parameter 'body': ")


def test_api_large_answer_is_422(client):
    response = client.post("/api/sql",
                           json={"sql": "SELECT repeat('x', 100000) FROM range(10000)"})
    assert response.status_code == 422 and response.json()["parameter"] == "sql"
    assert client.get("/api/health").status_code == 200
