"""Named discounts on the card and in the totals, and the tiers a customer's paid orders reach."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def number(load_preset, admin, customer):
    load_preset("print")
    return admin.api.post("/orders", {"items": ITEMS, "customer": customer.customer.pk}).body["number"]


def discount(api, number, **body):
    return api.post(f"/orders/{number}/discounts", {"name": "Promo", **body})


def test_discounts_show_on_the_card_and_in_the_totals(number, admin):
    discount(admin.api, number, kind="amount", value="2.50", reason="late delivery last time")
    body = discount(admin.api, number, name="Spring", kind="percent", value="10").body
    assert [(d["name"], d["kind"], d["amount"], d["automatic"]) for d in body["discounts"]] == [
        ("Promo", "amount", "2.50", False),
        ("Spring", "percent", "2.55", False),
    ]
    assert body["totals"]["subtotal"] == "25.50"
    assert (body["totals"]["discount"], body["totals"]["total"]) == ("5.05", "20.45")
    removed = admin.api._send("delete", f"/orders/{number}/discounts/{body['discounts'][0]['id']}").body
    assert (removed["totals"]["discount"], removed["totals"]["total"]) == ("2.55", "22.95")
    kinds = [a["kind"] for a in admin.api.get(f"/orders/{number}/activity").body]
    assert kinds == ["discount_added", "discount_added", "discount_removed"]


def test_discounts_cannot_exceed_the_goods(number, admin):
    response = discount(admin.api, number, kind="amount", value="25.51")
    assert (response.status, response.body["error"]) == (422, "invalid_discount")
    assert discount(admin.api, number, kind="percent", value="100.01").status == 422
    assert admin.api.get(f"/orders/{number}").body["totals"]["discount"] == "0.00"


def test_a_discount_that_completes_a_partial_payment_moves_the_order_on(number, admin):
    admin.api.pay(number, "20.00", channel="invoice")
    body = discount(admin.api, number, kind="amount", value="5.50").body
    assert (body["payment_status"], body["status"]["code"]) == ("paid", "placed")


def test_a_paid_order_keeps_its_prices(number, admin):
    admin.api.pay(number, "25.50", channel="invoice")
    response = discount(admin.api, number, kind="amount", value="1.00")
    assert (response.status, response.body["error"]) == (409, "prices_locked")


def test_only_staff_give_discounts(number, customer):
    assert discount(customer.api, number, kind="amount", value="1.00").status == 403


def test_an_unpaid_orders_fee_follows_the_discounted_goods(load_preset, admin, customer):
    load_preset("smm")
    number = admin.api.post(
        "/orders", {"items": ITEMS, "customer": customer.customer.pk, "payment_channel": "card"}
    ).body["number"]
    body = discount(admin.api, number, kind="amount", value="5.50").body
    # card: 2.9 % + 0.25 of 20.00
    assert (body["totals"]["fees"], body["totals"]["total"]) == ("0.83", "20.83")


def test_the_customers_paid_orders_set_their_tier(load_preset, admin, customer):
    load_preset("autoparts")
    tiers = admin.api.get("/discount-tiers").body
    assert [(t["name"], t["threshold"], t["percent"]) for t in tiers] == [
        ("Silver", "50000.00", "3.00"),
        ("Gold", "150000.00", "5.00"),
        ("Platinum", "500000.00", "7.00"),
    ]
    big = [{"sku": "ENGINE", "name": "Engine", "quantity": 1, "unit_price": "60000.00"}]
    first = admin.api.post("/orders", {"items": big, "customer": customer.customer.pk}).body
    assert first["discounts"] == []
    admin.api.pay(first["number"], "60000.00", channel="invoice")
    me = customer.api.get("/customers/me").body["standing"]
    assert [(s["currency"], s["paid"], s["tier"]["name"], s["next_tier"]["name"]) for s in me] == [
        ("RUB", "60000.00", "Silver", "Gold")
    ]
    second = customer.api.post("/orders", {"items": ITEMS}).body
    assert [(d["name"], d["kind"], d["value"], d["amount"], d["automatic"]) for d in second["discounts"]] == [
        ("Silver", "percent", "3.00", "0.77", True)
    ]
    assert Decimal(second["totals"]["total"]) == Decimal("25.50") - Decimal("0.77")


def test_admins_replace_the_tiers(load_preset, admin, manager):
    load_preset("autoparts")
    ladder = {"tiers": [{"name": "Bronze", "currency": "RUB", "threshold": "1000", "percent": "1"}]}
    assert manager.api._send("put", "/discount-tiers", ladder).status == 403
    replaced = admin.api._send("put", "/discount-tiers", ladder)
    assert [t["name"] for t in replaced.body] == ["Bronze"]
    bad = {
        "tiers": [
            {"name": "A", "currency": "RUB", "threshold": "1000", "percent": "5"},
            {"name": "B", "currency": "RUB", "threshold": "2000", "percent": "3"},
        ]
    }
    response = admin.api._send("put", "/discount-tiers", bad)
    assert (response.status, response.body["error"]) == (422, "invalid_tiers")
    assert [t["name"] for t in admin.api.get("/discount-tiers").body] == ["Bronze"]
    load_preset("autoparts")  # a reload keeps what admins set
    assert [t["name"] for t in admin.api.get("/discount-tiers").body] == ["Bronze"]


def test_tiers_replaced_or_edited_count_for_the_very_next_order(load_preset, admin, customer):
    """Every placement asks the currency's tiers, kept for a few seconds per process
    (``pricing.TIERS``): tiers replaced, edited or removed here count at once."""
    from ordo.orders.models import DiscountTier

    load_preset("autoparts")
    first = admin.api.post("/orders", {"items": ITEMS, "customer": customer.customer.pk}).body
    admin.api.pay(first["number"], first["totals"]["total"], channel="invoice")
    assert customer.api.post("/orders", {"items": ITEMS}).body["discounts"] == []
    ladder = {"tiers": [{"name": "Welcome", "currency": "RUB", "threshold": "10", "percent": "2"}]}
    assert admin.api._send("put", "/discount-tiers", ladder).status == 200
    assert [d["name"] for d in customer.api.post("/orders", {"items": ITEMS}).body["discounts"]] == ["Welcome"]
    tier = DiscountTier.objects.get(name="Welcome")
    tier.percent = Decimal("4")
    tier.save()
    assert [d["value"] for d in customer.api.post("/orders", {"items": ITEMS}).body["discounts"]] == ["4.00"]
    tier.delete()
    assert customer.api.post("/orders", {"items": ITEMS}).body["discounts"] == []
