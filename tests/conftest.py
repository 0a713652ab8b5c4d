"""Shared fixtures: the offline mirror, a warehouse and panel built once per session, mirror
copies to break, and a helper that runs the real CLI in a subprocess.

The mirror is data we read, never data we commit: it is copied into pytest's tmp dirs only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from coupwatch import config, operations, warehouse

# Session fixtures for forecasts, the API and the browser: registered once here, so the
# warehouse they build is built once per session (a fixture imported into several test
# modules would be rebuilt for each of them).
pytest_plugins = ["forecast_fixtures", "http_fixtures"]

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")).resolve()


def pytest_configure(config: pytest.Config) -> None:
    # Fail loudly, never skip: every data test needs the mirror.
    if not (MIRROR / "MANIFEST.md").is_file():
        raise pytest.UsageError(
            f"offline mirror not found at {MIRROR}: set COUPWATCH_MIRROR to the mirror directory "
            "(e.g. COUPWATCH_MIRROR=../shared/mirror)")


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory):
    """In-process calls must never touch the user's real warehouse or download cache.

    (COUPWATCH_MIRROR is left alone: tests here pass the mirror explicitly, and ``run_cli``
    drops it from the environment of the commands it runs.)
    """
    saved = os.environ.get("COUPWATCH_HOME")
    os.environ["COUPWATCH_HOME"] = str(tmp_path_factory.mktemp("default-home"))
    config.reload()
    yield
    if saved is None:
        os.environ.pop("COUPWATCH_HOME", None)
    else:
        os.environ["COUPWATCH_HOME"] = saved


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are read once per process: read them again for each test (some tests change
    the environment with monkeypatch), and after it."""
    config.reload()
    yield
    config.reload()


# --- mirror copies -----------------------------------------------------------------------

def copy_mirror(dest: Path, src: Path = MIRROR) -> Path:
    """Copy the mirror to ``dest`` (a tmp dir) and make the copy writable."""
    shutil.copytree(src, dest)
    for root, dirs, files in os.walk(dest):
        for name in (*dirs, *files):
            path = Path(root, name)
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    Path(dest).chmod(Path(dest).stat().st_mode | stat.S_IWUSR)
    return dest


def read_rows(path: Path, *, delimiter: str = ",", encoding: str = "latin-1",
              ) -> list[list[str]]:
    """All records of a delimited file as strings (latin-1 keeps every byte as it was)."""
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",",
               preamble: bytes = b"", quoting: int = csv.QUOTE_MINIMAL,
               encoding: str = "latin-1") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\n").writerows(rows)
    path.write_bytes(preamble + buffer.getvalue().encode(encoding))


def edit_cell(path: Path, line: int, column: str, value: str, *, delimiter: str = ",") -> str:
    """Set one cell (``line`` is the 1-based line in the file; line 1 is the header).

    Only for files without quoted newlines, so record index = line - 1. Returns the old value.
    """
    rows = read_rows(path, delimiter=delimiter)
    col = rows[0].index(column)
    old = rows[line - 1][col]
    rows[line - 1][col] = value
    write_rows(path, rows, delimiter=delimiter)
    return old


@pytest.fixture
def mirror_copy(tmp_path: Path) -> Path:
    return copy_mirror(tmp_path / "mirror")


# --- the warehouse built once ---------------------------------------------------------------

@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from the full mirror, shared read-only by the whole session."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    operations.update_data(mirror=MIRROR, path=path)
    return path


@pytest.fixture(scope="session")
def panel(warehouse_path: Path):
    return operations.load_panel(warehouse_path)


@pytest.fixture
def home(tmp_path: Path, warehouse_path: Path) -> Path:
    """A COUPWATCH_HOME holding a private copy of the session warehouse."""
    target = tmp_path / "home"
    target.mkdir()
    shutil.copyfile(warehouse_path, target / "warehouse.duckdb")
    return target


def checksum(path: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return warehouse.checksum(con)
    finally:
        con.close()


def query(path: Path, sql: str, params: list | None = None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


# --- the CLI as a user runs it ----------------------------------------------------------------

def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
    env.update(COUPWATCH_HOME=str(home), COLUMNS="250", NO_COLOR="1")
    env.update(extra)  # a test may set COLUMNS (a narrow terminal) too
    return env


def run_cli(*args: str | Path, home: Path, timeout: float = 300,
            **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m coupwatch ARGS`` with COUPWATCH_HOME=home; never raises on exit code."""
    return subprocess.run([sys.executable, "-m", "coupwatch", *map(str, args)],
                          env=cli_env(home, **env), capture_output=True, text=True,
                          timeout=timeout, cwd=home)


def side_by_side(jobs: dict[str, tuple[Path, list]]) -> dict[str, subprocess.CompletedProcess]:
    """Run CLI invocations concurrently (one per core); ``jobs`` maps a key to (home, args)."""
    workers = max(2, len(os.sched_getaffinity(0)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(run_cli, *args, home=home)
                   for key, (home, args) in jobs.items()}
    return {key: future.result() for key, future in futures.items()}


@pytest.fixture
def cli(home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the CLI against the private warehouse copy of ``home``."""

    def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, home=home, **env)

    return run


def status_text(home: Path) -> str:
    """``coupwatch data status`` output, run in process through the real Typer app."""
    from typer.testing import CliRunner

    from coupwatch.cli import app, common

    # the console was sized when first imported (by whichever test came first in this
    # process); COLUMNS set now would not reach it
    width = common.console.width
    common.console.width = 250
    try:
        result = CliRunner().invoke(app, ["data", "status"],
                                    env={"COUPWATCH_HOME": str(home), "COLUMNS": "250"})
    finally:
        common.console.width = width
    assert result.exit_code == 0, result.output
    return result.output


@contextlib.contextmanager
def writer(path: Path):
    """Another process holding the warehouse open for writing (DuckDB's single writer)."""
    code = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
            " sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def monthly_panel(path: Path):
    """The country-month panel built from the warehouse at ``path`` (opened read-only)."""
    from coupwatch.panel import monthly

    con = duckdb.connect(str(path), read_only=True)
    try:
        return monthly.build(con)
    finally:
        con.close()
