"""Seed 003: payment starts every item; the order completes when every item is final."""

import pytest

from tests.conftest import sell

pytestmark = pytest.mark.django_db

SERVICES = [
    {
        "sku": "FOLLOW-1K",
        "name": "1000 followers",
        "quantity": 1,
        "unit_price": "12.00",
        "target": "https://x.test/@a",
    },
    {
        "sku": "LIKES-500",
        "name": "500 likes",
        "quantity": 1,
        "unit_price": "4.50",
        "target": "https://x.test/@a/p/1",
    },
]


@pytest.fixture(autouse=True)
def smm(load_preset):
    load_preset("smm")
    sell(SERVICES)


def fire_item(person, number, item_id, code):
    return person.api.post(f"/orders/{number}/items/{item_id}/transitions", {"transition": code})


def test_paid_order_runs_its_items_and_completes(customer, manager):
    order = customer.api.post("/orders", {"items": SERVICES, "payment_channel": "card"}).body
    number = order["number"]
    assert order["status"]["code"] == "pending_payment"
    assert [i["status"]["code"] for i in order["items"]] == ["pending", "pending"]
    assert [i["target"] for i in order["items"]] == ["https://x.test/@a", "https://x.test/@a/p/1"]

    paid = manager.api.pay(number, manager.api.total(number), reference="ch_1").body["order"]
    assert paid["status"]["code"] == "processing"
    assert [i["status"]["code"] for i in paid["items"]] == ["processing", "processing"]

    first, second = (i["id"] for i in paid["items"])
    assert fire_item(manager, number, first, "complete").body["status"]["code"] == "processing"
    done = fire_item(manager, number, second, "cancel").body
    assert [i["status"]["code"] for i in done["items"]] == ["completed", "cancelled"]
    assert done["status"]["code"] == "completed"

    rows = manager.api.get(f"/orders/{number}/history").body
    item_rows = [(r["item"], r["to"], r["kind"]) for r in rows if r["item"]]
    assert item_rows == [
        (first, "processing", "event"),
        (second, "processing", "event"),
        (first, "completed", "manual"),
        (second, "cancelled", "manual"),
    ]
    assert [(r["to"], r["kind"]) for r in rows if r["item"] is None] == [
        ("pending_payment", "manual"),
        ("processing", "event"),
        ("completed", "event"),
    ]


def test_the_same_payment_reference_is_recorded_once(customer, manager):
    number = customer.api.post("/orders", {"items": SERVICES, "payment_channel": "card"}).body["number"]
    first = manager.api.pay(number, "10.00", reference="ch_9")
    again = manager.api.pay(number, "10.00", reference="ch_9")
    assert (first.status, again.status) == (201, 200)
    assert again.body["entry"]["id"] == first.body["entry"]["id"]
    assert again.body["order"]["totals"]["paid"] == "10.00"
    assert again.body["order"]["payment_status"] == "partially_paid"


def test_customer_cannot_move_items(customer, manager):
    number = customer.api.post("/orders", {"items": SERVICES, "payment_channel": "card"}).body["number"]
    order = manager.api.pay(number, manager.api.total(number)).body["order"]
    response = fire_item(customer, number, order["items"][0]["id"], "complete")
    assert response.status == 403


def test_item_of_another_order_is_404(customer, manager):
    a = customer.api.post("/orders", {"items": SERVICES}).body
    b = customer.api.post("/orders", {"items": SERVICES}).body
    response = fire_item(manager, a["number"], b["items"][0]["id"], "start")
    assert (response.status, response.body["error"]) == (404, "unknown_item")


def test_unpaid_order_is_cancelled_by_staff_not_customer(customer, manager):
    number = customer.api.post("/orders", {"items": SERVICES}).body["number"]
    assert customer.api.fire(number, "cancel").status == 403
    assert manager.api.fire(number, "cancel").body["status"]["code"] == "cancelled"
