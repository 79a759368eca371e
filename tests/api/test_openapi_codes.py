"""The OpenAPI document lists what each operation can answer: the fuzz test (test_fuzz.py) fails
on any status an operation gives that its entry does not list; this one holds every entry to the
answers Ordo gives every operation of its kind."""

from __future__ import annotations

import pytest

from ordo.api.app import api
from ordo.api.errors import STATUS_OF

DOCUMENT = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]


def required(operation: dict) -> set[int]:
    """Answers any operation of this kind can give, whatever it does."""
    need = set()
    if operation.get("security", DOCUMENT.get("security")):
        need |= {401, 403}  # not signed in; signed in with a role that may not
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        need.add(404)  # the thing named in the path does not exist, or is out of view
    if parameters or "requestBody" in operation:
        need.add(422)  # a parameter or the body does not validate
    if "requestBody" in operation:
        need.add(400)  # a body too large to read, or too many files
    return need


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_lists_the_answers_of_its_kind(method, path, operation):
    documented = {int(code) for code in operation["responses"]}
    assert required(operation) <= documented, sorted(required(operation) - documented)


def test_every_error_code_answers_a_status_the_document_knows():
    assert set(STATUS_OF.values()) <= {400, 401, 403, 404, 409, 422}
