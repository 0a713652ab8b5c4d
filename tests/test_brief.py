"""Country briefs: the CLI writes a 1-2 page PDF with the name, the risk and the sources."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from forecast_fixtures import ARTIFACTS
from pypdf import PdfReader

from coupwatch.errors import BadInput


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COUPWATCH_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "coupwatch", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_brief_pdf(forecast_home, tmp_path):
    out = tmp_path / "mali.pdf"
    started = time.perf_counter()
    done = run_cli(forecast_home, "brief", "MLI", "--format", "pdf", "--output", str(out),
                   "--no-drivers")
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(out))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Mali" in text
    assert "Risk of a coup attempt" in text.replace("\n", " ") or "RISK OF A COUP" in text
    assert " %" in text  # the probability
    assert "Sources:" in text and "Powell & Thyne" in text.replace("&amp;", "&")
    assert "2020-08-18" in text and "2021-05-21" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "brief-MLI.pdf").write_bytes(out.read_bytes())
    assert elapsed < 60  # includes interpreter start and loading the warehouse


def test_brief_html_for_past_year(forecast_home, tmp_path):
    out = tmp_path / "ner.html"
    done = run_cli(forecast_home, "brief", "Niger", "--year", "2021", "--format", "html",
                   "--output", str(out), "--no-drivers")
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "Niger" in text and "2021" in text and "Sources:" in text and "<svg" in text


@pytest.mark.parametrize("country,year,parameter", [
    ("Atlantis", None, "country"), ("MLI", 1900, "year"),
])
def test_brief_bad_input(forecast_home, country, year, parameter):
    from coupwatch.briefs import build

    with pytest.raises(BadInput) as caught:
        build(country, year, path=forecast_home / "warehouse.duckdb", drivers=False)
    assert caught.value.parameter == parameter


def test_brief_bad_output_directory(forecast_home):
    done = run_cli(forecast_home, "brief", "MLI", "--output", "/no/such/dir/x.pdf")
    assert done.returncode == 2
    assert "output" in done.stderr and "Traceback" not in done.stderr
