"""The print preset's order card through the API (SPEC §3.5): every field the seed names."""

from __future__ import annotations

from datetime import date

import pytest

from ordo.orders.models import OrderType, Workflow
from tests.conftest import ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(load_preset, admin, customer, make_person, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    load_preset("print")
    carl = make_person("carl", "contractor")
    admin.api.post("/partners", {"code": "blog", "name": "Print blog"})
    number = customer.api.post(
        "/orders", {"items": ITEMS, "partner_code": "blog", "external_number": "", "type": "quick"}
    ).body["number"]
    other = customer.api.post("/orders", {"items": ITEMS}).body["number"]
    admin.api.post(f"/orders/{number}/links", {"kind": "manual", "order": other, "reason": "ship together"})
    admin.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "amount", "value": "1.50"})
    admin.api.patch(f"/orders/{number}", {"manager": admin.user.pk})
    return admin.api.get(f"/orders/{number}").body, carl, other


def test_the_print_order_card_has_every_field(card):
    body, _carl, other = card
    assert body["type"] == "quick"
    assert body["source"] == "api"
    assert body["status"] == {"code": "awaiting_payment", "label": "Awaiting payment"}
    assert body["payment_status"] == "unpaid"
    assert body["contractor"]["username"] == "carl"  # the only contractor: auto-assigned
    assert body["manager"]["username"] == "alice-admin"
    assert body["partner"]["code"] == "blog"
    assert body["external_number"] == str(body["number"])
    assert body["customer"]["kind"] == "person"
    assert [(d["name"], d["amount"]) for d in body["discounts"]] == [("Promo", "1.50")]
    assert body["totals"]["total"] == "24.00"
    assert [(lk["order"], lk["reason"]) for lk in body["links"]] == [(other, "ship together")]
    assert body["issued_at"] is None
    assert body["expected_issue_at"]
    # Placed date in the site's time zone (Moscow, UTC+3).
    assert body["placed_at"].endswith("+03:00")
    assert date.fromisoformat(body["placed_date"])


def test_the_additional_number_holds_an_erp_number_and_is_searchable(card, admin):
    body, _, _ = card
    number = body["number"]
    admin.api.patch(f"/orders/{number}", {"external_number": "ERP-0042"})
    assert [o["number"] for o in admin.api.get("/orders", q="ERP-0042").body["items"]] == [number]
    reset = admin.api.patch(f"/orders/{number}", {"external_number": ""}).body
    assert reset["external_number"] == str(number)


def test_digital_orders_skip_delivery(load_preset, admin, customer):
    load_preset("print")
    digital = OrderType.objects.get(code="digital")
    assert digital.delivery is False
    assert digital.workflow.code == "print_digital"
    statuses = {s["code"] for s in Workflow.objects.get(code="print_digital").definition["statuses"]}
    assert not statuses & {"shipped", "at_pickup_point", "returned"}
    refused = customer.api.post("/orders", {"items": ITEMS, "type": "digital", "delivery_address": "Lenina 1"})
    assert (refused.status, refused.body["error"]) == (422, "no_delivery")
    number = customer.api.post("/orders", {"items": ITEMS, "type": "digital"}).body["number"]
    courier = admin.api.post("/couriers", {"name": "Kolya", "phone": "+79990000000"}).body["id"]
    response = admin.api.patch(f"/orders/{number}", {"courier": courier})
    assert (response.status, response.body["error"]) == (422, "no_delivery")
    assert admin.api.patch(f"/orders/{number}", {"delivery_address": "Lenina 1"}).status == 422
    admin.api.pay(number, admin.api.total(number), channel="invoice")
    for transition in ("start_work", "finish_work", "hand_over"):
        assert admin.api.fire(number, transition).status == 200
    final = admin.api.get(f"/orders/{number}").body
    assert final["status"]["code"] == "issued"
    assert final["issued_at"]


@pytest.mark.parametrize(
    ("code", "workflow"),
    [
        ("regular", "print"),
        ("digital", "print_digital"),
        ("quick", "print"),
        ("arbitrary", "print"),
        ("topup_person", "topup"),
        ("topup_org", "topup"),
    ],
)
def test_each_order_type_maps_to_a_workflow(load_preset, code, workflow):
    load_preset("print")
    assert OrderType.objects.get(code=code).workflow.code == workflow
