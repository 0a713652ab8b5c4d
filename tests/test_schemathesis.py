"""Property-based checks of every documented endpoint against /openapi.json (schemathesis).

Bounded: a few examples per operation. /api/explain and /briefs are left out because each
call may start a model refit (minutes) or a PDF render; test_api.py covers them.

Every default check runs, "positive data acceptance" included: a request valid by the schema
must not be refused (the schema states enums, bounds from the data, lengths and patterns).
The only 422s allowed for such a request are the rules OpenAPI cannot state, each named in
the operation's description and its declared 422, and recognised here by their message:
which SQL text is a valid query, and two parameters that exclude each other (``year`` with
unit=month, ``horizon`` with unit=year; ``from`` after ``to``), and a day that does not exist
(2023-02-30, which a date pattern cannot tell from 2024-02-29), and the years a chosen
backtest covers.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

schema = schemathesis.pytest.from_fixture("api_schema").exclude(tag=["explain", "briefs"])


@pytest.fixture(scope="session")
def api_schema(forecast_warehouse, tmp_path_factory):
    """An app over a private copy of the test warehouse: other tests add backtest years to
    the shared one (``score`` caches its fits), which would move the year bounds the schema
    states while the examples run."""
    from coupwatch.api import create_app

    private = tmp_path_factory.mktemp("schemathesis") / "warehouse.duckdb"
    shutil.copyfile(forecast_warehouse, private)
    app = create_app(warehouse=private)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.explainer.shutdown()


# (method, path) -> words of the 422s that only the server can judge
UNSTATABLE = {
    ("POST", "/api/sql"): ("parameter 'sql': ",),
    ("GET", "/api/forecasts"): ("is for unit=",),
    ("GET", "/api/events"): (" is after ", "is not a date"),
    # the years a backtest covers depend on which stored backtest the other parameters pick
    ("GET", "/api/backtest/metrics"): (" is after ", "is outside the years available"),
}


def unstatable(case, response) -> bool:
    words = UNSTATABLE.get((case.method.upper(), case.operation.path), ())
    if response.status_code != 422 or not words:
        return False
    detail = response.json().get("detail", "")
    return any(word in detail for word in words)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_openapi_conformance(case):
    response = case.call()
    excluded = [positive_data_acceptance] if unstatable(case, response) else []
    case.validate_response(response, excluded_checks=excluded)
