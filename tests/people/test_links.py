"""Linked orders: duplicate, split (the two add up to the one), subcontract, and links by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db

LINES = [
    {"sku": "CARD", "name": "Business cards", "quantity": 2, "unit_price": "10.00"},
    {"sku": "FLYER", "name": "Flyers", "quantity": 1, "unit_price": "5.50"},
    {"sku": "BANNER", "name": "Banner", "quantity": 1, "unit_price": "30.00"},
]
MONEY = ("subtotal", "discount", "fees", "total", "paid", "refunded")


@pytest.fixture
def order(load_preset, admin, customer):
    load_preset("print")
    placed = admin.api.post(
        "/orders", {"items": LINES, "customer": customer.customer.pk, "payment_channel": "invoice"}
    ).body
    return placed


def link(api, number, **body):
    return api.post(f"/orders/{number}/links", body)


def money(body) -> dict[str, Decimal]:
    return {key: Decimal(body["totals"][key]) for key in MONEY}


def test_a_split_moves_the_chosen_items_and_the_two_orders_add_up_to_the_one(order, admin):
    number = order["number"]
    assert (
        admin.api.post(f"/orders/{number}/discounts", {"name": "Loyal", "kind": "percent", "value": "10"}).status == 201
    )
    assert admin.api.pay(number, "20.00").status == 201
    before = money(admin.api.get(f"/orders/{number}").body)
    banner = order["items"][2]["id"]

    made = link(admin.api, number, kind="split", items=[banner], reason="banner ships later")
    assert made.status == 201, made.body
    new_number = made.body["link"]["order"]
    old, new = made.body["order"], admin.api.get(f"/orders/{new_number}").body

    assert [i["sku"] for i in old["items"]] == ["CARD", "FLYER"]
    assert [(i["id"], i["sku"]) for i in new["items"]] == [(banner, "BANNER")]
    assert {k: money(old)[k] + money(new)[k] for k in MONEY} == before
    assert money(new)["subtotal"] == Decimal("30.00")
    assert money(new)["discount"] == Decimal("3.00")  # 10 % of the banner
    for body in (old, new):
        t = money(body)
        assert t["total"] == t["subtotal"] - t["discount"] + t["fees"]
        assert body["payment_status"] == "partially_paid"
    assert new["status"] == old["status"]
    assert [d["amount"] for d in new["discounts"]] == ["3.00"]
    ledger = admin.api.get(f"/orders/{new_number}/payments").body
    assert [(row["kind"], row["amount"]) for row in ledger] == [("moved_in", new["totals"]["paid"])]
    history = admin.api.get(f"/orders/{new_number}/history").body
    assert [(h["transition"], h["to"], h["comment"]) for h in history] == [
        ("split", new["status"]["code"], f"split from {number}")
    ]
    assert [(lk["kind"], lk["order"], lk["direction"]) for lk in old["links"]] == [("split", new_number, "made")]
    assert [(lk["kind"], lk["order"], lk["direction"]) for lk in new["links"]] == [("split", number, "made_from")]


def test_a_paid_order_splits_into_two_paid_orders_that_go_on(order, admin):
    number = order["number"]
    admin.api.pay(number, admin.api.total(number))
    made = link(admin.api, number, kind="split", items=[order["items"][0]["id"]]).body
    new = admin.api.get(f"/orders/{made['link']['order']}").body
    assert (made["order"]["payment_status"], new["payment_status"]) == ("paid", "paid")
    assert (made["order"]["status"]["code"], new["status"]["code"]) == ("placed", "placed")
    assert admin.api.fire(new["number"], "start_print").status == 200


def test_a_split_keeps_processing_fees_and_item_statuses(load_preset, admin, customer):
    load_preset("smm")
    lines = [
        {"sku": "LIKES", "name": "Likes", "quantity": 100, "unit_price": "0.10", "target": "https://x.example/a"},
        {"sku": "VIEWS", "name": "Views", "quantity": 1000, "unit_price": "0.01", "target": "https://x.example/b"},
    ]
    body = admin.api.post("/orders", {"items": lines, "customer": customer.customer.pk, "payment_channel": "card"})
    number, before = body.body["number"], money(body.body)
    assert before["fees"] > 0
    made = link(admin.api, number, kind="split", items=[body.body["items"][1]["id"]]).body
    new = admin.api.get(f"/orders/{made['link']['order']}").body
    assert {k: money(made["order"])[k] + money(new)[k] for k in MONEY} == before
    assert new["items"][0]["status"]["code"] == "pending"


def test_a_split_needs_items_and_leaves_some(order, admin):
    number, ids = order["number"], [i["id"] for i in order["items"]]
    for body in ({"kind": "split"}, {"kind": "split", "items": ids}, {"kind": "split", "items": [999_999]}):
        response = link(admin.api, number, **body)
        assert (response.status, response.body["error"]) == (422, "invalid_link"), body
    assert len(admin.api.get(f"/orders/{number}").body["items"]) == 3


def test_a_duplicate_is_a_new_unpaid_order_with_the_same_items(order, admin):
    number = order["number"]
    admin.api.pay(number, "5.00")
    made = link(admin.api, number, kind="duplicate")
    assert made.status == 201, made.body
    copy = admin.api.get(f"/orders/{made.body['link']['order']}").body
    assert [(i["sku"], i["quantity"]) for i in copy["items"]] == [(i["sku"], i["quantity"]) for i in order["items"]]
    assert (copy["status"]["code"], copy["payment_status"], copy["totals"]["paid"]) == (
        "awaiting_payment",
        "unpaid",
        "0.00",
    )
    assert copy["customer"]["id"] == order["customer"]["id"]
    assert [(lk["kind"], lk["direction"]) for lk in copy["links"]] == [("duplicate", "made_from")]


def test_a_subcontract_is_a_work_order_for_the_contractor(order, admin, make_person):
    carl = make_person("carl", "contractor")
    made = link(
        admin.api, order["number"], kind="subcontract", contractor=carl.user.pk, items=[order["items"][2]["id"]]
    )
    assert made.status == 201, made.body
    work = carl.api.get(f"/orders/{made.body['link']['order']}")
    assert work.status == 200
    assert [i["sku"] for i in work.body["items"]] == ["BANNER"]
    assert work.body["contractor"]["username"] == "carl"
    assert len(admin.api.get(f"/orders/{order['number']}").body["items"]) == 3
    missing = link(admin.api, order["number"], kind="subcontract")
    assert (missing.status, missing.body["error"]) == (422, "invalid_link")


def test_orders_linked_by_hand_show_the_link_and_reason_on_both(order, admin, customer):
    other = admin.api.post("/orders", {"items": LINES[:1], "customer": customer.customer.pk}).body["number"]
    made = link(admin.api, order["number"], kind="manual", order=other, reason="ship together")
    assert made.status == 201, made.body
    for number, peer in ((order["number"], other), (other, order["number"])):
        links = admin.api.get(f"/orders/{number}").body["links"]
        assert [(lk["kind"], lk["order"], lk["direction"], lk["reason"]) for lk in links] == [
            ("manual", peer, "linked", "ship together")
        ]
    again = link(admin.api, other, kind="manual", order=order["number"], reason="again")
    assert (again.status, again.body["error"]) == (409, "already_linked")
    removed = admin.api._send("delete", f"/orders/{other}/links/{made.body['link']['id']}")
    assert removed.status == 200
    assert removed.body["links"] == []
    assert admin.api.get(f"/orders/{order['number']}").body["links"] == []


def test_a_manual_link_needs_another_visible_order_and_a_reason(order, admin, make_person, settings):
    number = order["number"]
    assert link(admin.api, number, kind="manual", order=number, reason="x").status == 422
    assert link(admin.api, number, kind="manual", reason="x").status == 422
    assert link(admin.api, number, kind="manual", order=number + 1000, reason="x").status == 404
    settings.ORDO_MANAGER_SCOPE = "own"
    max_ = make_person("max", "manager")
    admin.api.patch(f"/orders/{number}", {"manager": max_.user.pk})
    hidden = admin.api.post("/orders", {"items": LINES[:1], "customer": order["customer"]["id"]}).body["number"]
    admin.api.patch(f"/orders/{hidden}", {"manager": admin.user.pk})  # another's order: out of max's view
    response = link(max_.api, number, kind="manual", order=hidden, reason="x")
    assert (response.status, response.body["error"]) == (404, "not_found")


def test_provenance_links_stay(order, admin):
    made = link(admin.api, order["number"], kind="duplicate").body
    response = admin.api._send("delete", f"/orders/{order['number']}/links/{made['link']['id']}")
    assert (response.status, response.body["error"]) == (422, "invalid_link")


def test_customers_do_not_link_orders(order, customer, other_customer):
    assert link(customer.api, order["number"], kind="duplicate").status == 403
    assert link(other_customer.api, order["number"], kind="duplicate").status == 404
