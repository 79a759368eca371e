"""The order an API answer shows after a write is read by plain statements (``order_answer``);
the JSON must equal the full presenter's over ``order_get`` — for every preset, every kind of
relation the card shows, and staff and customers alike. It is answered without validating it
against ``OrderOut`` again (``api.orders.answer``), so the bytes must equal the validated ones."""

from __future__ import annotations

import pytest

from ordo.accounts.roles import actor_for
from ordo.api.orders import RENDERER
from ordo.api.present import order_json
from ordo.api.schemas import OrderOut
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.models import Order
from tests.conftest import sell

pytestmark = pytest.mark.django_db

PRESETS = ["furniture", "autoparts", "shop", "smm", "print"]
LINES = [
    {"sku": "PANEL-18", "name": "Board", "quantity": 2, "unit_price": "1850.00"},
    {"sku": "EDGE-2MM", "name": "Edge", "quantity": 5, "unit_price": "35.00", "target": "https://example.org/a"},
]


def answers_agree(person, number: int) -> dict:
    user = person.user
    expected = order_json(selectors.order_get(user, number), actor_for(user), "pl")
    assert order_json(selectors.order_answer(user, number), actor_for(user), "pl") == expected
    validated = OrderOut.model_validate(expected).model_dump()  # what ninja would answer
    assert RENDERER.render(None, expected, response_status=200) == RENDERER.render(None, validated, response_status=200)
    return expected


@pytest.mark.parametrize("preset", PRESETS)
def test_the_answer_after_a_write_equals_the_full_presenter(preset, load_preset, admin, manager, customer):
    load_preset(preset)
    sell(LINES, {"sku": "GLUE", "name": "Glue", "unit_price": "10.00"})
    lines = [dict(line) for line in LINES]
    if preset == "furniture":
        lines[0]["materials"] = [{"sku": "GLUE", "quantity": 2}]
    placed = manager.api.post("/orders", {"customer": customer.customer.pk, "items": lines})
    assert placed.status == 201, placed.body
    number = placed.body["number"]
    manager.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "percent", "value": "10"})
    duplicate = manager.api.post(f"/orders/{number}/links", {"kind": "duplicate"})
    assert duplicate.status == 201, duplicate.body
    other = customer.api.post("/orders", {"items": [LINES[1]]})
    assert other.status == 201, other.body
    # A courier, a partner and a contractor on the order: every join the card makes.
    from ordo.accounts.models import Partner
    from ordo.delivery.models import Courier

    Order.objects.filter(number=number).update(
        courier=Courier.objects.create(name="Kuba", phone="+48 600 000 001"),
        partner=Partner.objects.create(code="blog", name="A blog"),
        contractor=manager.user,
    )
    for order in Order.objects.all():
        answers_agree(manager, order.number)
        answers_agree(customer, order.number)
    shown = answers_agree(admin, number)
    assert shown["discounts"], "the comparison covers discounts"
    assert shown["links"], "…links"
    assert shown["customer"]["name"]
    if preset == "furniture":
        assert shown["items"][0]["materials"] == [{"sku": "GLUE", "name": "Glue", "quantity": 2}]


def test_the_answer_keeps_the_visibility_rule(load_preset, customer, other_customer, place):
    load_preset("shop")
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        selectors.order_answer(other_customer.user, order.number)
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError):
        selectors.order_answer(customer.user, 999_999)
