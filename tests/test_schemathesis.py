"""Property-based checks of every documented endpoint against /openapi.json (schemathesis).

Bounded: a few examples per operation. /api/explain and /briefs are left out because each
call may start a model refit (minutes) or a PDF render; test_api.py covers them.
Schemathesis' "positive data acceptance" check is off: OpenAPI cannot state the two
cross-parameter rule ``from`` <= ``to``, which is answered with a 422
naming the parameter; every other default check (no 5xx, documented status codes, response
schema and content type, negative data rejected) runs.
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


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_openapi_conformance(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
