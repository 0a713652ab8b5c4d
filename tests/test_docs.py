"""Every command in docs/ runs, and prints the lines the docs show (the docs cannot rot).

Blocks are fenced ```console: ``$ command`` lines, each followed by the output lines the page
shows (``...`` = lines left out). Output lines must appear in what the command prints, in
order; shown output starting with ``error:`` means the command must fail with exit code 2.
```console ci blocks are run by ``.ci/run`` (the set-up), so here they must appear in it
verbatim. A ```<lang> file=NAME block is written to NAME before the page's commands run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MIRROR, REPO
from forecast_fixtures import MODEL

DOCS = REPO / "docs"
FENCE = re.compile(r"^```(\S*)([^\n]*)\n(.*?)^```", re.S | re.M)


@dataclass
class Command:
    page: str
    text: str
    expected: list[str] = field(default_factory=list)


def blocks(page: Path):
    for match in FENCE.finditer(page.read_text(encoding="utf-8")):
        yield match.group(1), match.group(2).strip(), match.group(3)


def commands(page: Path) -> list[Command]:
    out: list[Command] = []
    for lang, info, body in blocks(page):
        if lang != "console" or info == "ci":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                out.append(Command(page.name, line[2:].strip()))
            elif line.strip() and out:
                out[-1].expected.append(line.strip())
    return out


PAGES = sorted(DOCS.glob("*.md"))
ALL = [c for page in PAGES for c in commands(page)]


def test_docs_exist_and_cover_the_guide():
    names = {p.name for p in PAGES}
    assert {"README.md", "install.md", "data.md", "forecast.md", "briefs.md", "sql.md",
            "scoring.md"} <= names
    sql = (DOCS / "sql.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d+\. ", sql, re.M)) == 10  # ten worked questions
    assert len(ALL) >= 25


def test_every_setting_is_documented():
    """The settings registry is the one list of environment variables: each is in the guide."""
    from coupwatch import config

    settings = (DOCS / "install.md").read_text(encoding="utf-8").split("## Settings", 1)[1]
    documented = set(re.findall(r"^- `(COUPWATCH_[A-Z_]+)`", settings, re.M))
    assert documented == {s.env for s in config.REGISTRY}


def test_setup_commands_are_the_ones_ci_runs():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        for lang, info, body in blocks(page):
            if lang == "console" and info == "ci":
                for line in body.splitlines():
                    if line.startswith("$ "):
                        assert line[2:] in ci and line[2:] in readme, line


@pytest.fixture(scope="module")
def workdir(forecast_home, tmp_path_factory) -> Path:
    """A private copy of the session's forecast warehouse: `data update` may write to it."""
    root = tmp_path_factory.mktemp("docs")
    (root / "home").mkdir()
    shutil.copyfile(forecast_home / "warehouse.duckdb", root / "home" / "warehouse.duckdb")
    for page in PAGES:
        for _, info, body in blocks(page):
            name = re.search(r"file=(\S+)", info)
            if name:
                (root / name.group(1)).write_text(body, encoding="utf-8")
    return root


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(COUPWATCH_HOME=str(root / "home"), COUPWATCH_MIRROR=str(MIRROR),
               COUPWATCH_MODEL=MODEL, COLUMNS="200", NO_COLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    return env


@pytest.mark.parametrize("command", ALL, ids=[f"{c.page}:{c.text[:60]}" for c in ALL])
def test_command(command: Command, workdir: Path):
    assert command.text.startswith("coupwatch "), command.text
    if command.text.startswith("coupwatch serve"):
        return serve_check(command, workdir)
    result = subprocess.run(["bash", "-c", command.text], cwd=workdir,
                            env=environment(workdir), capture_output=True, text=True,
                            timeout=600)
    failing = bool(command.expected) and command.expected[0].startswith("error:")
    if failing:
        assert result.returncode == 2, result.stderr
        assert_lines(command.expected, result.stderr)
    else:
        assert result.returncode == 0, result.stderr[-2000:]
        assert_lines(command.expected, result.stdout)


def assert_lines(expected: list[str], output: str) -> None:
    """The shown lines appear in the output in order (whitespace-insensitive)."""
    lines = [" ".join(line.split()) for line in output.splitlines()]
    position = 0
    for want in expected:
        if want == "...":
            continue
        want = " ".join(want.split())
        hit = next((i for i in range(position, len(lines)) if want in lines[i]), None)
        assert hit is not None, f"'{want}' not in output:\n{output[-3000:]}"
        position = hit + 1


def serve_check(command: Command, workdir: Path) -> None:
    """`serve` runs until stopped: start it, fetch the dashboard and the API, stop it."""
    port = re.search(r"--port (\d+)", command.text).group(1)
    proc = subprocess.Popen(["bash", "-c", f"exec {command.text}"], cwd=workdir,
                            env=environment(workdir), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                for path in ("/", "/api/health"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                                timeout=5) as response:
                        assert response.status == 200
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.time() < deadline, "server did not come up in 60 s"
                time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
