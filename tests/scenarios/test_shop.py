"""Seed 002: staff move orders freely; the payment status is separate from the order status."""

import pytest

from tests.conftest import sell

pytestmark = pytest.mark.django_db

GOODS = [{"sku": "MUG-01", "name": "Ceramic mug", "quantity": 2, "unit_price": "39.00"}]


@pytest.fixture(autouse=True)
def shop(load_preset):
    load_preset("shop")
    sell(GOODS)


def test_staff_entered_order_from_new_to_delivered(manager, history):
    order = manager.api.post(
        "/orders",
        {
            "items": GOODS,
            "payment_channel": "card",
            "customer": {"name": "Jan Kowalski", "phone": "+48 601 000 000"},
        },
    ).body
    number = order["number"]
    assert order["status"]["code"] == "new"
    for code, expected in [("start", "in_progress"), ("ship", "shipped"), ("deliver", "delivered")]:
        assert manager.api.fire(number, code).body["status"]["code"] == expected
    assert manager.api.get(f"/orders/{number}").body["payment_status"] == "unpaid"
    assert [row[1] for row in history(number)] == ["new", "in_progress", "shipped", "delivered"]


def test_channel_changes_from_card_to_cash_and_payment_is_separate(manager, customer):
    number = customer.api.post("/orders", {"items": GOODS, "payment_channel": "card"}).body["number"]
    manager.api.fire(number, "start")
    assert manager.api.patch(f"/orders/{number}", {"payment_channel": "cash"}).body["payment_channel"] == "cash"
    paid = manager.api.pay(number, "78.00").body["order"]
    assert paid["payment_status"] == "paid"
    assert paid["status"]["code"] == "in_progress"


def test_only_admin_reopens_a_cancelled_order(manager, admin, customer):
    number = customer.api.post("/orders", {"items": GOODS}).body["number"]
    manager.api.fire(number, "cancel")
    assert manager.api.fire(number, "reopen").status == 403
    assert admin.api.fire(number, "reopen").body["status"]["code"] == "new"


def test_customer_cannot_move_shop_statuses(customer):
    number = customer.api.post("/orders", {"items": GOODS}).body["number"]
    assert customer.api.fire(number, "start").status == 403


def test_expected_status_guards_against_a_stale_screen(manager, customer):
    number = customer.api.post("/orders", {"items": GOODS}).body["number"]
    manager.api.fire(number, "start", expected_status="new")
    response = manager.api.fire(number, "cancel", expected_status="new")
    assert (response.status, response.body["error"]) == (409, "status_changed")
    assert response.body["status"] == "in_progress"


def test_unknown_transition_is_422(manager, customer):
    number = customer.api.post("/orders", {"items": GOODS}).body["number"]
    response = manager.api.fire(number, "teleport")
    assert (response.status, response.body["error"]) == (422, "unknown_transition")
