"""The smm item queue, end to end: one active item per target and customer; the next one starts
when it ends; a cancelled item is refunded and staff and customer hear of it; the last item
finishing completes the order."""

from __future__ import annotations

import pytest

from ordo.notifications.models import Message
from ordo.orders.queue import start_waiting_items
from tests.conftest import sell

pytestmark = pytest.mark.django_db
PAGE = "https://x.test/@shop"


def service(name: str, price: str, target: str) -> dict:
    """An item line for a service the catalog sells (at this price)."""
    line = {"sku": name.upper()[:8], "name": name, "quantity": 1, "unit_price": price, "target": target}
    sell(line)
    return line


def statuses(manager, number: int) -> list[str]:
    return [i["status"]["code"] for i in manager.api.get(f"/orders/{number}").body["items"]]


def test_items_for_one_target_run_one_after_another_and_the_chain_completes(load_preset, customer, manager):
    load_preset("smm")
    items = [
        service("followers", "10.00", PAGE),
        service("likes", "5.00", PAGE),
        service("views", "2.00", "https://x.test/v"),
    ]
    order = customer.api.post("/orders", {"items": items, "payment_channel": "card"}).body
    number = order["number"]
    first, second, third = (i["id"] for i in order["items"])
    manager.api.pay(number, manager.api.total(number))
    assert statuses(manager, number) == ["processing", "pending", "processing"]

    assert start_waiting_items() == 0  # the page is still taken
    manager.api.post(f"/orders/{number}/items/{first}/transitions", {"transition": "complete"})
    assert start_waiting_items() == 1
    assert statuses(manager, number) == ["completed", "processing", "processing"]
    started = manager.api.get(f"/orders/{number}/history").body[-1]
    assert (started["item"], started["to"], started["actor"], started["kind"]) == (
        second,
        "processing",
        "system",
        "event",
    )

    manager.api.post(f"/orders/{number}/items/{third}/transitions", {"transition": "cancel"})
    done = manager.api.post(f"/orders/{number}/items/{second}/transitions", {"transition": "complete"}).body
    assert done["status"]["code"] == "completed"
    refunds = [r for r in manager.api.get(f"/orders/{number}/payments").body if r["kind"] == "refund"]
    assert [(r["amount"], r["destination"], r["items"]) for r in refunds] == [("2.00", "wallet", [third])]
    told = Message.objects.filter(order__number=number, event="item_status_changed")
    assert {m.recipient for m in told} == {"customer", "admins", "manager"}


def test_an_item_waits_for_the_same_target_in_another_order(load_preset, customer, manager):
    load_preset("smm")
    first = customer.api.post("/orders", {"items": [service("likes", "5.00", PAGE)], "payment_channel": "card"}).body
    manager.api.pay(first["number"], manager.api.total(first["number"]))
    second = customer.api.post(
        "/orders", {"items": [service("more likes", "5.00", PAGE)], "payment_channel": "card"}
    ).body
    manager.api.pay(second["number"], manager.api.total(second["number"]))
    assert statuses(manager, second["number"]) == ["pending"]

    manager.api.post(
        f"/orders/{first['number']}/items/{first['items'][0]['id']}/transitions", {"transition": "complete"}
    )
    assert start_waiting_items() == 1
    assert statuses(manager, second["number"]) == ["processing"]


def test_other_customers_do_not_block_each_other(load_preset, customer, other_customer, manager):
    load_preset("smm")
    for person in (customer, other_customer):
        order = person.api.post("/orders", {"items": [service("likes", "5.00", PAGE)], "payment_channel": "card"}).body
        manager.api.pay(order["number"], manager.api.total(order["number"]))
        assert statuses(manager, order["number"]) == ["processing"]


def test_unpaid_orders_items_do_not_start(load_preset, customer):
    load_preset("smm")
    customer.api.post("/orders", {"items": [service("likes", "5.00", PAGE)]})
    assert start_waiting_items() == 0
