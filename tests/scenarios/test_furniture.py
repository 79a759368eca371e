"""Seed 000: the customer designs, the workshop reviews, production starts only after 100% payment."""

import pytest

pytestmark = pytest.mark.django_db

PARTS = [
    {"sku": "PANEL-18", "name": "Chipboard 18 mm", "quantity": 4, "unit_price": "1850.00"},
    {"sku": "EDGE-2", "name": "Edging 2 mm", "quantity": 10, "unit_price": "35.00"},
]


@pytest.fixture(autouse=True)
def furniture(load_preset):
    load_preset("furniture")


def test_the_whole_story_from_draft_to_issued(customer, manager, history):
    order = customer.api.post("/orders", {"items": PARTS, "payment_channel": "cash"}).body
    number = order["number"]
    assert order["status"]["code"] == "draft"
    assert order["currency"] == "RUB"

    assert customer.api.fire(number, "submit").body["status"]["code"] == "under_review"
    assert manager.api.fire(number, "approve").body["status"]["code"] == "reviewed"
    assert customer.api.fire(number, "launch").body["status"]["code"] == "awaiting_payment"

    half = manager.api.pay(number, "3875.00")
    assert half.status == 201
    assert half.body["order"]["payment_status"] == "partially_paid"
    assert half.body["order"]["status"]["code"] == "awaiting_payment"

    rest = manager.api.pay(number, "3875.00", channel="invoice").body["order"]
    assert rest["payment_status"] == "paid"
    assert rest["status"]["code"] == "in_production"

    for who, code, expected in [
        (manager, "finish", "quality_check"),
        (manager, "fail", "in_production"),
        (manager, "finish", "quality_check"),
        (manager, "pass", "ready_for_pickup"),
        (manager, "hand_over", "issued"),
    ]:
        response = who.api.fire(number, code)
        assert response.status == 200, response.body
        assert response.body["status"]["code"] == expected

    final = manager.api.get(f"/orders/{number}").body
    assert final["issued_at"] is not None
    assert final["available_transitions"] == []
    assert history(number) == [
        (None, "draft", "place", "manual"),
        ("draft", "under_review", "submit", "manual"),
        ("under_review", "reviewed", "approve", "manual"),
        ("reviewed", "awaiting_payment", "launch", "manual"),
        ("awaiting_payment", "in_production", "start_production", "event"),
        ("in_production", "quality_check", "finish", "manual"),
        ("quality_check", "in_production", "fail", "manual"),
        ("in_production", "quality_check", "finish", "manual"),
        ("quality_check", "ready_for_pickup", "pass", "manual"),
        ("ready_for_pickup", "issued", "hand_over", "manual"),
    ]
    actors = [r["actor"] for r in manager.api.get(f"/orders/{number}/history").body]
    assert actors[1] == "cora-customer"
    assert actors[4] == "system"


def test_customer_cannot_approve_their_own_order(customer, history):
    number = customer.api.post("/orders", {"items": PARTS}).body["number"]
    customer.api.fire(number, "submit")
    response = customer.api.fire(number, "approve")
    assert (response.status, response.body["error"]) == (403, "forbidden")
    assert history(number)[-1][1] == "under_review"


def test_submitting_an_empty_draft_names_the_guard(customer):
    number = customer.api.post("/orders", {"items": []}).body["number"]
    response = customer.api.fire(number, "submit")
    assert response.status == 422
    assert response.body["error"] == "guards_failed"
    assert [g["code"] for g in response.body["failed_guards"]] == ["has_items"]


def test_returning_a_draft_needs_a_comment(customer, manager, history):
    number = customer.api.post("/orders", {"items": PARTS}).body["number"]
    customer.api.fire(number, "submit")
    refused = manager.api.fire(number, "return")
    assert refused.status == 422
    assert [g["code"] for g in refused.body["failed_guards"]] == ["comment_required"]
    assert manager.api.fire(number, "return", comment="Drilling map is missing").status == 200
    rows = manager.api.get(f"/orders/{number}/history").body
    assert rows[-1]["comment"] == "Drilling map is missing"


def test_payment_with_materials_short_waits_then_arrives(customer, manager, history):
    parts = [PARTS[0], {**PARTS[1], "in_stock": False}]
    number = customer.api.post("/orders", {"items": parts, "payment_channel": "card"}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    paid = manager.api.pay(number, "7750.00").body["order"]
    assert paid["status"]["code"] == "awaiting_materials"
    assert manager.api.fire(number, "materials_arrived").body["status"]["code"] == "in_production"


def test_nobody_starts_production_by_hand(customer, manager, admin):
    number = customer.api.post("/orders", {"items": PARTS}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    assert admin.api.fire(number, "start_production").status == 403


def test_paid_before_launch_moves_on_when_launched(customer, manager):
    number = customer.api.post("/orders", {"items": PARTS, "payment_channel": "cash"}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    manager.api.pay(number, "7750.00")
    launched = customer.api.fire(number, "launch").body
    assert launched["status"]["code"] == "in_production"


def test_customer_cancels_before_payment_admin_after(customer, manager, admin):
    early = customer.api.post("/orders", {"items": PARTS}).body["number"]
    assert customer.api.fire(early, "cancel").body["status"]["code"] == "cancelled"

    late = customer.api.post("/orders", {"items": PARTS, "payment_channel": "cash"}).body["number"]
    customer.api.fire(late, "submit")
    manager.api.fire(late, "approve")
    customer.api.fire(late, "launch")
    manager.api.pay(late, "7750.00")
    assert customer.api.fire(late, "cancel").status == 403
    assert manager.api.fire(late, "cancel").status == 403
    assert admin.api.fire(late, "cancel").body["status"]["code"] == "cancelled"
