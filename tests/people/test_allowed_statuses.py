"""Each employee may move orders only into the statuses their profile allows."""

import pytest

from tests.conftest import ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(load_preset, make_person):
    load_preset("print")
    person = make_person("pia", "manager")
    person.user.profile.allowed_statuses = ["placed", "in_print", "printed"]
    person.user.profile.save()
    return person


def test_transitions_outside_the_set_are_forbidden_and_not_offered(limited, admin):
    number = admin.api.post("/orders", {"items": ITEMS, "customer": {"name": "C"}}).body["number"]
    offered = [t["code"] for t in limited.api.get(f"/orders/{number}").body["available_transitions"]]
    assert offered == ["accept"]  # cancel leads to "cancelled", which is not in her set
    assert limited.api.fire(number, "cancel").status == 403
    assert limited.api.fire(number, "accept").status == 200
    assert limited.api.fire(number, "start_print").status == 200
    assert limited.api.fire(number, "mark_defect").status == 403


def test_the_diagram_can_be_cut_to_one_employee(limited, admin):
    response = admin.api.client.get(
        "/api/v1/workflows/print", {"format": "mermaid", "employee": limited.user.pk}, headers=admin.api.headers
    )
    drawn = response.content.decode()
    assert "awaiting_payment --> placed" in drawn
    assert "placed --> in_print" in drawn
    assert "--> cancelled" not in drawn
    assert "--> shipped" not in drawn
    full = admin.api.client.get("/api/v1/workflows/print", {"format": "mermaid"}, headers=admin.api.headers)
    assert "--> cancelled" in full.content.decode()
