"""Seed 004: payment accepts the order; staff move it through print, shipping and pickup."""

import pytest

pytestmark = pytest.mark.django_db

PRINTS = [{"sku": "POSTER-A2", "name": "Poster A2", "quantity": 3, "unit_price": "450.00"}]


@pytest.fixture(autouse=True)
def print_shop(load_preset):
    load_preset("print")


def test_paid_order_is_printed_shipped_and_issued(customer, manager, history):
    order = customer.api.post("/orders", {"items": PRINTS, "payment_channel": "card"}).body
    number = order["number"]
    assert order["status"]["code"] == "awaiting_payment"
    assert manager.api.pay(number, "1350.00").body["order"]["status"]["code"] == "placed"
    steps = [
        ("start_print", "in_print"),
        ("mark_defect", "printed_with_defect"),
        ("reprint", "in_print"),
        ("finish_print", "printed"),
        ("ship", "shipped"),
        ("arrive", "at_pickup_point"),
        ("hand_over", "issued"),
    ]
    for code, expected in steps:
        response = manager.api.fire(number, code)
        assert response.status == 200, response.body
        assert response.body["status"]["code"] == expected
    assert manager.api.get(f"/orders/{number}").body["issued_at"] is not None
    assert history(number)[1] == ("awaiting_payment", "placed", "accept", "event")


def test_postpaid_customer_is_accepted_by_a_manager(customer, manager):
    number = customer.api.post("/orders", {"items": PRINTS, "payment_channel": "invoice"}).body["number"]
    assert manager.api.fire(number, "accept").body["status"]["code"] == "placed"


def test_customer_cannot_move_print_statuses(customer):
    number = customer.api.post("/orders", {"items": PRINTS}).body["number"]
    response = customer.api.fire(number, "accept")
    assert response.status == 403


def test_returned_order_is_cancelled(customer, manager):
    number = customer.api.post("/orders", {"items": PRINTS}).body["number"]
    for code in ["accept", "start_print", "finish_print", "ship", "return", "cancel"]:
        assert manager.api.fire(number, code).status == 200
    assert manager.api.get(f"/orders/{number}").body["status"]["code"] == "cancelled"


def test_quick_orders_use_the_print_workflow(customer):
    order = customer.api.post("/orders", {"items": PRINTS, "type": "quick"}).body
    assert (order["type"], order["workflow"]) == ("quick", "print")
