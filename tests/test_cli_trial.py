"""What a new user's trial of the CLI found: option ranges, what-ifs on inputs a forecast
left out, signed change in points everywhere (never "-0.0"), and the help and hints."""

from __future__ import annotations

import pytest
from conftest import run_cli

pytestmark = pytest.mark.usefixtures("forecast_home")


def _refused(run, parameter: str) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"'{parameter}'" in lines[0], run.stderr
    return lines[0]


@pytest.mark.parametrize("args", [("forecast", "--top", "-5"), ("forecast", "--top", "0"),
                                  ("forecast", "--unit", "month", "--top", "0"),
                                  ("explain", "MLI", "--top", "0")])
def test_top_below_one_is_refused(forecast_home, args):
    _refused(run_cli(*args, home=forecast_home), "top")
