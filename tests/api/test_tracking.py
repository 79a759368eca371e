"""Guest tracking: the link from the e-mail shows the order's progress, with no login and nothing
personal; a wrong link shows nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from ordo.orders.models import Order
from tests.conftest import sell

pytestmark = pytest.mark.django_db

SERVICES = [
    {"sku": "FOLLOW-1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00", "target": "https://x.test/@a"},
    {"sku": "LIKES-500", "name": "500 likes", "quantity": 1, "unit_price": "4.50", "target": "https://x.test/@a/p/1"},
]


def test_a_guest_follows_an_smm_order_item_by_item(load_preset, customer, manager):
    load_preset("smm")
    sell(SERVICES)
    number = customer.api.post("/orders", {"items": SERVICES, "payment_channel": "card"}).body["number"]
    total = customer.api.total(number)  # goods and the card fee
    manager.api.pay(number, total, channel="card")
    token = Order.objects.get(number=number).tracking_token

    response = Client().get(f"/api/v1/track/{token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["payment_status"], body["total"]) == (number, "paid", total)
    assert [(i["name"], i["target"]) for i in body["items"]] == [
        ("1000 followers", "https://x.test/@a"),
        ("500 likes", "https://x.test/@a/p/1"),
    ]
    assert all(i["status"]["code"] for i in body["items"])
    assert body["timeline"][0]["status"]["code"] == "pending_payment"
    assert any(step["item"] == "500 likes" for step in body["timeline"])
    # Nothing personal: no customer, staff names or comments anywhere in the answer.
    text = response.content.decode()
    for secret in ("cora", "mia-manager", "example.org", "actor", "comment"):
        assert secret not in text


def test_a_wrong_link_shows_nothing(load_preset, customer):
    load_preset("shop")
    sell(SERVICES)
    customer.api.post("/orders", {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}]})
    for token in ("x" * 32, "short", "a" * 65):
        response = Client().get(f"/api/v1/track/{token}")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
