"""Every money amount is bounded where it is computed: an order, a payment or a wallet balance that
the money columns cannot hold is refused with 422 before anything is written, so no row can be
stored that breaks every later read (finding: one huge order answered 500 on every list)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.orders.models import Order
from ordo.payments.models import LedgerEntry

pytestmark = pytest.mark.django_db

HUGE_LINE = {"sku": "WR-1", "name": "Wardrobe", "quantity": 1_000_000, "unit_price": "999999999.99"}


@pytest.fixture
def furniture(load_preset):
    """Furniture takes free lines: the customer names the piece and its price."""
    load_preset("furniture")


def test_a_customer_order_too_large_for_the_money_columns_is_refused_and_lists_still_work(furniture, customer, manager):
    response = customer.api.post("/orders", {"items": [HUGE_LINE]})
    assert response.status == 422, response.body
    assert response.body["error"] == "invalid_items"
    assert "999999999999.99" in response.body["detail"]
    assert Order.objects.count() == 0
    assert customer.api.get("/orders").status == 200
    assert manager.api.get("/orders").status == 200


def test_lines_that_each_fit_but_add_up_past_the_limit_are_refused(furniture, manager, customer):
    line = {"sku": "WR-1", "name": "Wardrobe", "quantity": 1000, "unit_price": "900000000.00"}
    response = manager.api.post("/orders", {"customer": customer.customer.pk, "items": [line, line]})
    assert response.status == 422, response.body
    assert "add up" in response.body["detail"]
    assert Order.objects.count() == 0


def test_a_processing_fee_that_pushes_the_total_past_the_limit_is_refused(load_preset, manager, customer):
    load_preset("smm")  # card: 2.9 % + 0.25
    line = {"sku": "BIG", "name": "Big", "quantity": 1000, "unit_price": "999999999.99"}
    response = manager.api.post(
        "/orders", {"customer": customer.customer.pk, "items": [line], "payment_channel": "card"}
    )
    assert response.status == 422, response.body
    assert response.body["error"] == "amount_out_of_range"
    assert Order.objects.count() == 0


def test_payments_past_what_the_order_can_hold_are_refused_and_change_nothing(furniture, manager, customer):
    line = {"sku": "WR-1", "name": "Wardrobe", "quantity": 1, "unit_price": "100.00"}
    placed = manager.api.post("/orders", {"customer": customer.customer.pk, "items": [line], "payment_channel": "cash"})
    number = placed.body["number"]
    too_much = manager.api.pay(number, "1000000000000.00")
    assert too_much.status == 422, too_much.body
    assert too_much.body["error"] in ("validation_error", "invalid_amount")
    first = manager.api.pay(number, "999999999999.00")
    assert first.status == 201, first.body
    second = manager.api.pay(number, "999999999999.00")
    assert second.status == 422, second.body
    assert second.body["error"] == "amount_out_of_range"
    assert LedgerEntry.objects.filter(order__number=number).count() == 1
    assert Decimal(manager.api.get(f"/orders/{number}").body["totals"]["paid"]) == Decimal("999999999999.00")
