"""Expected failures are one line with the right exit code, never a traceback, and leave the
warehouse as it was; ``--output -`` is standard output; data never drives the terminal
(issue 13, part 7)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import checksum, cli_env, run_cli

LONG = "A" * 200


@pytest.fixture(scope="module")
def served(tmp_path_factory, forecast_warehouse: Path) -> Path:
    """A home with a copy of the warehouse holding a forecast run."""
    home = tmp_path_factory.mktemp("one-line")
    shutil.copyfile(forecast_warehouse, home / "warehouse.duckdb")
    return home


def one_line(result: subprocess.CompletedProcess, code: int, *words: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, \
        result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    return result.stderr


FAILURES = {
    "brief to a directory": (["brief", "MLI", "--format", "html", "--output", "{home}"],
                             "parameter 'output'", "is a directory"),
    "brief to /dev/full": (["brief", "MLI", "--format", "html", "--output", "/dev/full"],
                           "parameter 'output'", "cannot write /dev/full"),
    "panel to /dev/full": (["panel", "export", "--output", "/dev/full"],
                           "parameter 'output'", "cannot write /dev/full"),
    "sql huge limit": (["sql", "SELECT 1", "--limit", "99999999999999999999"],
                       "parameter 'limit'", "from 1 to 1,000,000"),
    "sql huge timeout": (["sql", "SELECT 1", "--timeout", "1e308"],
                         "parameter 'timeout'", "at most 3600"),
    "events long country": (["events", "--country", LONG], "parameter 'country'",
                            "at most 60 characters (got 200)"),
    "explain long country": (["explain", LONG], "parameter 'country'", "at most 60"),
    "case long country": (["case", LONG], "parameter 'country'", "at most 60"),
    "brief long country": (["brief", LONG, "--output", "-", "--format", "html"],
                           "parameter 'country'", "at most 60"),
    "region long name": (["region", LONG], "parameter 'region'",
                         "at most 60 characters (got 200)"),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_bad_input_is_one_line_exit_2(served, name):
    args, *words = FAILURES[name]
    before = checksum(served / "warehouse.duckdb")
    result = run_cli(*[a.format(home=served) for a in args], home=served)
    one_line(result, 2, *words)
    assert len(result.stderr) < 300  # the long name is not echoed back
    assert checksum(served / "warehouse.duckdb") == before


@pytest.mark.parametrize("command", [["data", "status"], ["events"], ["forecast"],
                                     ["sql", "SELECT 1"], ["region", "Sahel"]])
def test_unusable_home_is_one_line(tmp_path, command):
    a_file = tmp_path / "file"
    a_file.write_text("not a directory")
    result = subprocess.run([sys.executable, "-m", "coupwatch", *command], cwd=tmp_path,
                            env=cli_env(a_file / "home"), capture_output=True, text=True,
                            timeout=120)
    one_line(result, 2, "parameter 'COUPWATCH_HOME'", "cannot be used as the coupwatch home")
    # a directory where the warehouse file should be, then a file that is not a database
    home = tmp_path / "home"
    (home / "warehouse.duckdb").mkdir(parents=True)
    # one line either way; the console's readers call a non-file warehouse empty
    one_line(run_cli(*command, home=home), 2, "warehouse")
    (home / "warehouse.duckdb").rmdir()
    (home / "warehouse.duckdb").write_text("not a database")
    one_line(run_cli(*command, home=home), 2, "cannot open the warehouse",
             "parameter 'COUPWATCH_HOME'")
    assert (home / "warehouse.duckdb").read_text() == "not a database"


@pytest.mark.parametrize("args,starts", [
    (["panel", "export", "--output", "-"], "gwcode,year,"),
    (["brief", "MLI", "--format", "html", "--output", "-"], "<!DOCTYPE html>"),
    (["forecast", "--model", "logit", "--format", "csv", "--output", "-"], "year,rank,"),
    (["backtest", "--model", "climatology", "--from", "2021", "--to", "2022",
      "--output", "-"], "year,"),
])
def test_output_dash_is_standard_output(served, args, starts):
    result = run_cli(*args, home=served)
    assert result.returncode == 0, result.stderr
    assert starts in result.stdout[:2000]
    assert not (served / "-").exists()


# --- the terminal ------------------------------------------------------------------------

ESCAPES = "SELECT chr(27) || '[31mred' || chr(7) || chr(155) || '2J' || chr(8238) AS x"


def test_table_shows_control_characters_escaped(served):
    result = run_cli("sql", ESCAPES, home=served)
    assert result.returncode == 0, result.stderr
    assert "\\x1b[31mred\\x07\\x9b2J\\u202e" in result.stdout
    assert not any(ch in result.stdout for ch in "\x1b\x07\x9b\u202e")


def in_terminal(args: list[str], home: Path) -> str:
    """Run the CLI with its standard output on a pseudo-terminal; what the terminal got."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "coupwatch", *args], stdout=follower,
                            stderr=subprocess.PIPE, env=cli_env(home), cwd=home)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    return b"".join(chunks).decode()


def test_csv_to_a_terminal_is_escaped_to_a_pipe_as_is(served):
    shown = in_terminal(["sql", ESCAPES, "--format", "csv"], served)
    assert "\\x1b[31mred" in shown and "\x1b" not in shown
    piped = run_cli("sql", ESCAPES, "--format", "csv", home=served)
    assert "\x1b[31mred\x07" in piped.stdout  # a file gets the data as they are
