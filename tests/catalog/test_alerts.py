"""Back-in-stock alerts: one e-mail when the product is back, then the alert ends; unsubscribe links."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ordo.catalog.models import StockAlert
from ordo.catalog.services import catalog_import

pytestmark = pytest.mark.django_db

CATALOG = """sku,name,price,location,on_hand
LAMP-7,Desk lamp,49.00,main,0
BULB,Light bulb,3.00,main,10
"""


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    catalog_import(CATALOG)


def as_guest(path: str, body: dict) -> tuple[int, dict]:
    response = Client().post(f"/api/v1{path}", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def unsubscribe_link(mail) -> str:
    link = "".join(mail["List-Unsubscribe"].split()).strip("<>")
    assert link in mail.get_body(("plain",)).get_content()
    return link.removeprefix("http://127.0.0.1:8000")


def test_each_subscriber_gets_one_email_when_the_product_is_back(shop, customer, admin, smtp, drain):
    status, guest = as_guest("/products/LAMP-7/alerts", {"email": "Gina@Example.org", "language": "fi"})
    assert (status, guest["email"], guest["ended_at"]) == (201, "gina@example.org", None)
    # Asking again while the alert is open returns it.
    assert as_guest("/products/LAMP-7/alerts", {"email": "gina@example.org"}) == (200, guest)
    mine = customer.api.post("/products/LAMP-7/alerts", {})
    assert (mine.status, mine.body["email"]) == (201, "cora-customer@example.org")

    admin.api.post("/products/LAMP-7/stock/receipts", {"location": "main", "quantity": 3})
    drain()
    opened_fi, fi = smtp.inbox.to("gina@example.org")
    assert opened_fi["Subject"] == "Kerromme, kun Desk lamp on taas saatavilla"
    assert fi["Subject"] == "Desk lamp on taas varastossa"
    assert fi["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _, en = smtp.inbox.to("cora-customer@example.org")
    assert en["Subject"] == "Desk lamp is back in stock"
    assert set(StockAlert.objects.values_list("ended", flat=True)) == {"sent"}

    # Sold out and back again: the alerts ended, nobody hears twice.
    admin.api._send("put", "/products/LAMP-7/stock", {"location": "main", "on_hand": 0})
    admin.api.post("/products/LAMP-7/stock/receipts", {"location": "main", "quantity": 1})
    drain()
    assert len(smtp.inbox.to("gina@example.org")) == 2
    assert len(smtp.inbox.to("cora-customer@example.org")) == 2


def test_a_product_in_stock_needs_no_alert(shop, customer):
    refused = customer.api.post("/products/BULB/alerts", {})
    assert (refused.status, refused.body["error"], refused.body["available"]) == (409, "in_stock", 10)
    assert as_guest("/products/LAMP-7/alerts", {})[1]["error"] == "invalid_alert"  # a guest names an address
    assert as_guest("/products/NOPE/alerts", {"email": "a@example.org"})[0] == 404


def test_the_unsubscribe_link_ends_the_alert(shop, admin, smtp, drain):
    as_guest("/products/LAMP-7/alerts", {"email": "gina@example.org"})
    alert = StockAlert.objects.get()
    page = Client().get(f"/stock-alerts/{alert.token}")
    assert page.status_code == 200
    assert "gina@example.org" in page.content.decode()
    assert "ordo/ordo.css" in page.content.decode()  # the shared style sheet, like every page
    # One click, as a mail client does it (RFC 8058): no CSRF token, the link is the secret.
    ended = Client(enforce_csrf_checks=True).post(f"/stock-alerts/{alert.token}")
    assert ended.status_code == 200
    assert "This alert has ended" in ended.content.decode()
    alert.refresh_from_db()
    assert alert.ended == "unsubscribed"
    assert Client().get("/stock-alerts/forged-token").status_code == 404

    admin.api.post("/products/LAMP-7/stock/receipts", {"location": "main", "quantity": 3})
    drain()
    assert [m["Subject"] for m in smtp.inbox.to("gina@example.org")] == ["We will tell you when Desk lamp is back"]


def test_the_confirmation_email_carries_the_link_that_ends_the_alert(shop, customer, admin, smtp, drain):
    customer.api.post("/products/LAMP-7/alerts", {})
    drain()
    (opened,) = smtp.inbox.to("cora-customer@example.org")
    assert opened["Subject"] == "We will tell you when Desk lamp is back"
    assert Client().post(unsubscribe_link(opened)).status_code == 200
    admin.api.post("/products/LAMP-7/stock/receipts", {"location": "main", "quantity": 1})
    drain()
    assert len(smtp.inbox.to("cora-customer@example.org")) == 1


def test_units_freed_by_a_release_count_as_back(load_preset, customer, other_customer, smtp, drain):
    load_preset("autoparts")
    catalog_import("sku,name,price,location,on_hand\nOC-90,Oil filter,640.00,a1,1\n")
    number = customer.api.post(
        "/orders", {"items": [{"sku": "OC-90", "name": "x", "quantity": 1, "unit_price": "0"}]}
    ).body["number"]
    customer.api.fire(number, "reserve")
    drain()
    assert other_customer.api.post("/products/OC-90/alerts", {}).status == 201
    customer.api.fire(number, "cancel")
    drain()
    mail = smtp.inbox.to("oscar-customer@example.org")[-1]
    assert "Oil filter" in mail["Subject"]


def test_customers_see_and_end_only_their_own_alerts(shop, customer, other_customer, manager):
    mine = customer.api.post("/products/LAMP-7/alerts", {}).body
    theirs = other_customer.api.post("/products/LAMP-7/alerts", {}).body
    assert [a["id"] for a in customer.api.get("/alerts").body] == [mine["id"]]
    assert customer.api._send("delete", f"/alerts/{theirs['id']}").status == 404
    ended = customer.api._send("delete", f"/alerts/{mine['id']}")
    assert (ended.status, ended.body["ended"]) == (200, "unsubscribed")
    assert {a["id"] for a in manager.api.get("/alerts?open=true").body} == {theirs["id"]}
