"""The OpenAPI document fuzzed with schemathesis: whatever the input, never a 5xx, always JSON
errors, and only status codes the document lists for the operation."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from tests.conftest import ITEMS

EXAMPLES = 40


@pytest.fixture
def callers(db, load_preset, make_person):
    load_preset("smm")
    staff = make_person("fuzz-admin", "admin")
    buyer = make_person("fuzz-buyer", "customer")
    for _ in range(3):
        staff.api.post("/orders", {"items": ITEMS, "customer": buyer.customer.pk})
    # Keep the test's database connection open across in-process WSGI calls, as Django's test
    # client does: by default every finished request closes it. (The test client re-connects the
    # signal after each of its own requests, so this comes after the setup above.)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "admin": {"Authorization": f"Bearer {staff.token}"},
        "customer": {"Authorization": f"Bearer {buyer.token}"},
        "nobody": {},
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations():
    from ordo.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.label)
def test_no_input_makes_a_server_error_or_an_undocumented_answer(operation, callers):
    documented = {int(code) for code in operation.definition.raw["responses"] if code.isdigit()}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        for who, headers in callers.items():
            response = case.call(headers=headers)
            where = (who, case.method, case.formatted_path, case.query, case.body)
            assert response.status_code < 500, (*where, response.text[:500])
            assert response.status_code in documented, (*where, response.status_code, sorted(documented))
            if response.status_code >= 400:
                assert "error" in response.json(), (*where, response.text[:500])

    check()
