"""Seed 001: reserve, confirm, picking only when prepaid or deferred, ship."""

import pytest

from ordo.jobs.runner import run_due
from tests.conftest import sell

pytestmark = pytest.mark.django_db

PARTS = [
    {"sku": "OC-90", "name": "Oil filter", "quantity": 2, "unit_price": "640.00"},
    {"sku": "BP-443", "name": "Brake pads", "quantity": 1, "unit_price": "3200.00"},
]


@pytest.fixture(autouse=True)
def autoparts(load_preset):
    load_preset("autoparts")
    sell(PARTS)


def place_and_confirm(customer):
    number = customer.api.post("/orders", {"items": PARTS, "payment_channel": "invoice"}).body["number"]
    assert customer.api.fire(number, "reserve").body["status"]["code"] == "reserve"
    run_due(worker="test")  # the background stock check
    assert customer.api.fire(number, "confirm").body["status"]["code"] == "in_work"
    return number


def test_prepaid_order_goes_from_new_to_shipped(customer, manager, history):
    number = place_and_confirm(customer)
    refused = manager.api.fire(number, "start_picking")
    assert refused.status == 422
    assert [g["code"] for g in refused.body["failed_guards"]] == ["paid_or_deferred"]

    assert manager.api.pay(number, "4480.00").body["order"]["payment_status"] == "paid"
    for code, expected in [("start_picking", "picking"), ("ready", "shipment"), ("ship", "shipped")]:
        assert manager.api.fire(number, code).body["status"]["code"] == expected
    assert [row[2] for row in history(number)] == [
        "place",
        "reserve",
        "confirm",
        "start_picking",
        "ready",
        "ship",
    ]


def test_deferred_payment_allows_picking(customer, manager):
    number = place_and_confirm(customer)
    deferral = manager.api.post(f"/orders/{number}/payments", {"kind": "deferral", "note": "30 days"})
    assert deferral.status == 201
    assert deferral.body["order"]["payment_status"] == "unpaid"
    assert manager.api.fire(number, "start_picking").body["status"]["code"] == "picking"


def test_customer_cannot_pick_or_ship(customer, manager):
    number = place_and_confirm(customer)
    assert customer.api.fire(number, "start_picking").status == 403
    assert customer.api.pay(number, "1.00").status == 403


def test_customer_cancels_a_reservation_but_not_work_in_progress(customer, manager):
    reserved = customer.api.post("/orders", {"items": PARTS}).body["number"]
    customer.api.fire(reserved, "reserve")
    assert customer.api.fire(reserved, "cancel").body["status"]["code"] == "cancelled"

    working = place_and_confirm(customer)
    assert customer.api.fire(working, "cancel").status == 403
    assert manager.api.fire(working, "cancel").body["status"]["code"] == "cancelled"


def test_expiry_is_for_the_timer_only(customer, admin):
    number = customer.api.post("/orders", {"items": PARTS}).body["number"]
    customer.api.fire(number, "reserve")
    assert admin.api.fire(number, "expire").status == 403


def test_confirming_twice_is_a_conflict(customer):
    number = place_and_confirm(customer)
    response = customer.api.fire(number, "confirm")
    assert (response.status, response.body["error"]) == (409, "wrong_status")


def test_cancelling_a_confirmed_order_corrects_its_unpaid_invoice_to_zero(customer, manager):
    from decimal import Decimal

    from ordo.documents.models import Document

    number = place_and_confirm(customer)
    invoice = Document.objects.get(order__number=number, kind="invoice")
    assert manager.api.fire(number, "cancel").body["status"]["code"] == "cancelled"
    correction = Document.objects.get(order__number=number, kind="correction")
    assert (correction.corrects_id, correction.reason) == (invoice.pk, "cancelled")
    assert invoice.gross + correction.gross == 0
    assert invoice.tax + correction.tax == 0
    assert sum(Decimal(r["tax"]) for r in correction.taxes) == correction.tax


def test_a_paid_cancelled_order_is_corrected_by_its_refund_not_twice(customer, manager):
    from ordo.documents.models import Document

    number = place_and_confirm(customer)
    assert manager.api.pay(number, "1000.00", channel="invoice").status == 201
    manager.api.fire(number, "cancel")
    invoice = Document.objects.get(order__number=number, kind="invoice")
    first = Document.objects.get(order__number=number, kind="correction")
    assert first.gross == -(invoice.gross - 1000)
    assert manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"}).status == 201
    run_due(worker="test")
    total = sum(d.gross for d in Document.objects.filter(order__number=number, kind="correction"))
    assert invoice.gross + total == 0
