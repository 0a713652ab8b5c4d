"""Property-based checks of every documented endpoint against /openapi.json (schemathesis).

Bounded: a few examples per operation. /api/explain and /briefs are left out because each
call may start a model refit (minutes) or a PDF render; test_api.py covers them.
Schemathesis' "positive data acceptance" check is off: OpenAPI cannot state the two
cross-parameter rules (``from`` <= ``to``, ``start`` <= ``end``), which are answered with a 422
naming the parameter; every other default check (no 5xx, documented status codes, response
schema and content type, negative data rejected) runs.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

schema = schemathesis.pytest.from_fixture("api_schema").exclude(tag=["explain", "briefs"])


@pytest.fixture(scope="session")
def api_schema(api_app):
    return schemathesis.openapi.from_asgi("/openapi.json", api_app)


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_openapi_conformance(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
