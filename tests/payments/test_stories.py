"""The money stories of the seeds, end to end through the API, a local Stripe and signed webhooks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.payments.models import LedgerEntry, WalletEntry
from ordo.payments.refunds import submit_pending_refunds
from tests.conftest import sell
from tests.payments.conftest import paid_session, send_hmac

pytestmark = pytest.mark.django_db

SMM_ITEMS = [
    {"sku": "F1K", "name": "1000 followers", "quantity": 1, "unit_price": "10.00", "target": "https://x.test/@a"},
    {"sku": "L500", "name": "500 likes", "quantity": 1, "unit_price": "20.00", "target": "https://x.test/p/1"},
    {"sku": "V1K", "name": "1000 views", "quantity": 1, "unit_price": "5.00", "target": "https://x.test/v/9"},
]


def item_ids(order):
    return [i["id"] for i in order["items"]]


def test_smm_cancelled_item_goes_to_the_wallet_without_fees_and_the_wallet_pays_the_next_order(
    load_preset, customer, manager, stripe_api, stripe_webhook
):
    load_preset("smm")
    sell(SMM_ITEMS)
    order = customer.api.post("/orders", {"items": SMM_ITEMS, "payment_channel": "card"}).body
    number = order["number"]
    assert number == 50001
    # Card: 2.9 % + 0.25 on 35.00 → 1.27 processing fee.
    assert order["totals"] == {
        "subtotal": "35.00",
        "discount": "0.00",
        "fees": "1.27",
        "total": "36.27",
        "paid": "0.00",
        "refunded": "0.00",
        "fees_kept": "0.00",
    }

    pay = customer.api.post(f"/orders/{number}/pay", {})
    assert pay.status == 200, pay.body
    assert pay.body["redirect_url"].startswith("https://checkout.stripe.test/")
    (session,) = stripe_api.forms("/v1/checkout/sessions")
    assert session["line_items[0][price_data][unit_amount]"] == "3627"
    assert session["line_items[0][price_data][currency]"] == "eur"
    assert session["metadata[order]"] == str(number)

    status, body = stripe_webhook("checkout.session.completed", paid_session(number, 3627, "EUR", "pi_1"), "evt_1")
    assert status == 200, body
    paid = manager.api.get(f"/orders/{number}").body
    assert (paid["payment_status"], paid["status"]["code"]) == ("paid", "processing")

    first, second, third = item_ids(paid)
    # Cancelling the item refunds it by itself: a registered customer's wallet, without fees.
    cancelled = manager.api.post(f"/orders/{number}/items/{third}/transitions", {"transition": "cancel"}).body
    assert cancelled["payment_status"] == "partially_refunded"
    (refund,) = [row for row in manager.api.get(f"/orders/{number}/payments").body if row["kind"] == "refund"]
    assert (refund["amount"], refund["fee"], refund["state"], refund["items"]) == ("5.00", "0.00", "confirmed", [third])
    assert customer.api.get("/wallet").body["balances"] == {"EUR": "5.00"}
    again = manager.api.post(f"/orders/{number}/refunds", {"destination": "wallet", "items": [third]})
    assert (again.status, again.body["error"]) == (409, "item_already_refunded")

    for item in (first, second):
        manager.api.post(f"/orders/{number}/items/{item}/transitions", {"transition": "complete"})
    assert manager.api.get(f"/orders/{number}").body["status"]["code"] == "completed"

    # The wallet pays the next order at once, and no processing fee is charged.
    small = {"sku": "L100", "name": "100 likes", "quantity": 1, "unit_price": "4.50", "target": "https://x.test/p/1"}
    sell(small)
    next_order = customer.api.post("/orders", {"items": [small], "payment_channel": "card"})
    assert next_order.body["totals"]["fees"] == "0.38"
    paid_from_wallet = customer.api.post(f"/orders/{next_order.body['number']}/pay", {"channel": "wallet"})
    assert paid_from_wallet.status == 200, paid_from_wallet.body
    after = paid_from_wallet.body["order"]
    assert (after["payment_channel"], after["totals"]["fees"], after["totals"]["total"]) == ("wallet", "0.00", "4.50")
    assert (after["payment_status"], after["status"]["code"]) == ("paid", "processing")
    assert paid_from_wallet.body["wallet_balance"] == "0.50"
    assert customer.api.get("/wallet").body["balances"] == {"EUR": "0.50"}


def test_a_guests_cancelled_item_goes_back_to_the_card_pending_until_stripe_confirms(
    load_preset, manager, stripe_api, stripe_webhook
):
    load_preset("smm")
    sell(SMM_ITEMS)
    guest = {"name": "Guest", "email": "guest@example.org"}
    order = manager.api.post("/orders", {"items": SMM_ITEMS[:2], "payment_channel": "card", "customer": guest}).body
    number = order["number"]
    assert order["totals"]["total"] == "31.12"  # 30.00 + 2.9 % + 0.25
    stripe_webhook("checkout.session.completed", paid_session(number, 3112, "eur", "pi_guest"), "evt_g1")
    second = item_ids(order)[1]
    manager.api.post(f"/orders/{number}/items/{second}/transitions", {"transition": "cancel"})

    # A guest has no wallet: the cancelled item goes back to the card, through Stripe.
    (pending,) = [row for row in manager.api.get(f"/orders/{number}/payments").body if row["kind"] == "refund"]
    # Card refunds return the item's share of the processing fee: 20.00 + 1.12 * 20/30.
    assert (pending["amount"], pending["fee"], pending["state"], pending["reference"]) == (
        "20.75",
        "0.75",
        "pending",
        "",
    )
    assert submit_pending_refunds() == 1  # the worker asks Stripe after the commit
    (asked,) = stripe_api.forms("/v1/refunds")
    assert (asked["payment_intent"], asked["amount"]) == ("pi_guest", "2075")
    entry = manager.api.get(f"/orders/{number}/payments").body[-1]
    assert entry["reference"].startswith("re_test_")
    assert manager.api.get(f"/orders/{number}").body["payment_status"] == "paid"  # not until Stripe confirms

    confirmation = {
        "id": entry["reference"],
        "object": "refund",
        "amount": 2075,
        "status": "succeeded",
        "payment_intent": "pi_guest",
        "metadata": {"order": str(number), "ordo_refund": str(entry["id"])},
    }
    for _ in range(3):
        status, _ = stripe_webhook("refund.updated", confirmation, "evt_r1")
        assert status == 200
    final = manager.api.get(f"/orders/{number}").body
    assert (final["payment_status"], final["totals"]["refunded"]) == ("partially_refunded", "20.75")
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    again = manager.api.post(f"/orders/{number}/refunds", {"destination": "processor", "items": [second]})
    assert (again.status, again.body["error"]) == (409, "item_already_refunded")
    no_wallet = manager.api.post(f"/orders/{number}/refunds", {"destination": "wallet", "amount": "1.00"})
    assert (no_wallet.status, no_wallet.body["error"]) == (422, "wallet_needs_account")


def test_furniture_paid_half_in_cash_half_by_card_starts_production_only_at_100(
    load_preset, customer, manager, stripe_api, stripe_webhook
):
    load_preset("furniture")
    parts = [{"sku": "PANEL", "name": "Panel", "quantity": 2, "unit_price": "1000.00"}]
    number = customer.api.post("/orders", {"items": parts, "payment_channel": "cash"}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    half = manager.api.pay(number, "1000.00").body["order"]
    assert (half["payment_status"], half["status"]["code"]) == ("partially_paid", "awaiting_payment")

    by_card = customer.api.post(f"/orders/{number}/pay", {"channel": "card"})
    assert by_card.status == 200, by_card.body
    assert stripe_api.forms("/v1/checkout/sessions")[0]["line_items[0][price_data][unit_amount]"] == "100000"
    stripe_webhook("checkout.session.completed", paid_session(number, 100000, "rub", "pi_f"), "evt_f1")
    done = manager.api.get(f"/orders/{number}").body
    assert (done["payment_status"], done["status"]["code"]) == ("paid", "in_production")
    channels = [row["channel"] for row in manager.api.get(f"/orders/{number}/payments").body]
    assert channels == ["cash", "card"]
    changes = [(a["kind"], a["detail"]) for a in manager.api.get(f"/orders/{number}/activity").body]
    assert [c for c in changes if c[0] != "manager_assigned"] == [
        ("payment_channel_changed", {"from": "cash", "to": "card"})
    ]


def test_a_print_top_up_credits_the_organizations_wallet(load_preset, manager, stripe_api, stripe_webhook):
    load_preset("print")
    org = {"name": "ООО Печатный двор", "email": "buh@pechat.example", "kind": "organization"}
    topup = [{"sku": "TOPUP", "name": "Пополнение счёта", "quantity": 1, "unit_price": "5000.00"}]
    order = manager.api.post(
        "/orders", {"type": "topup_org", "items": topup, "payment_channel": "card", "customer": org}
    )
    assert order.status == 201, order.body
    number, customer_id = order.body["number"], order.body["customer"]["id"]
    assert order.body["status"]["code"] == "awaiting_payment"
    stripe_webhook("checkout.session.completed", paid_session(number, 500000, "rub", "pi_t"), "evt_t1")
    assert manager.api.get(f"/orders/{number}").body["status"]["code"] == "credited"
    wallet = manager.api.get(f"/customers/{customer_id}/wallet").body
    assert wallet["balances"] == {"RUB": "5000.00"}
    assert wallet["entries"][0]["order"] == number

    person = {"name": "Иван", "email": "ivan@example.org"}
    wrong = manager.api.post("/orders", {"type": "topup_org", "items": topup, "customer": person})
    assert (wrong.status, wrong.body["error"]) == (422, "invalid_customer")


def test_paypal_refunded_in_full_ends_refunded_with_the_kept_fee_shown(
    load_preset, customer, manager, settings, client
):
    load_preset("smm")
    sell(SMM_ITEMS)
    settings.ORDO_PAYMENT_HMAC_SECRETS = {"paypal": "pp_secret"}
    order = customer.api.post("/orders", {"items": SMM_ITEMS[:1], "payment_channel": "paypal"}).body
    assert order["totals"]["total"] == "10.70"  # 10.00 + 3.49 % + 0.35
    status, _ = send_hmac(
        client,
        "paypal",
        "pp_secret",
        {
            "id": "pp1",
            "type": "payment.succeeded",
            "order": order["number"],
            "amount": "10.70",
            "currency": "EUR",
            "reference": "PAY-1",
        },
    )
    assert status == 200
    refund = manager.api.post(f"/orders/{order['number']}/refunds", {"destination": "processor"})
    assert refund.status == 201, refund.body
    assert (refund.body["entry"]["amount"], refund.body["entry"]["state"]) == ("10.00", "confirmed")
    # Seed 003: everything refundable is back; PayPal's fee is settled, not owed to the customer.
    assert refund.body["order"]["payment_status"] == "refunded"
    assert refund.body["order"]["totals"]["fees_kept"] == "0.70"
    assert refund.body["order"]["status"]["code"] == "refunded"


def test_paypal_partly_refunded_stays_partially_refunded(load_preset, customer, manager, settings, client):
    load_preset("smm")
    sell(SMM_ITEMS)
    settings.ORDO_PAYMENT_HMAC_SECRETS = {"paypal": "pp_secret"}
    order = customer.api.post("/orders", {"items": SMM_ITEMS[:1], "payment_channel": "paypal"}).body
    send_hmac(
        client,
        "paypal",
        "pp_secret",
        {"id": "pp2", "type": "payment.succeeded", "order": order["number"], "amount": "10.70", "currency": "EUR"},
    )
    part = manager.api.post(f"/orders/{order['number']}/refunds", {"destination": "processor", "amount": "9.99"})
    assert part.body["order"]["payment_status"] == "partially_refunded"
    rest = manager.api.post(f"/orders/{order['number']}/refunds", {"destination": "processor", "amount": "0.01"})
    assert rest.body["order"]["payment_status"] == "refunded"


def test_refunding_more_than_was_paid_is_refused(load_preset, customer, manager):
    load_preset("shop")
    sell(SMM_ITEMS)
    number = customer.api.post("/orders", {"items": SMM_ITEMS[:1], "payment_channel": "cash"}).body["number"]
    nothing = manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"})
    assert (nothing.status, nothing.body["error"]) == (422, "nothing_to_refund")
    manager.api.pay(number, "10.00")
    too_much = manager.api.post(f"/orders/{number}/refunds", {"destination": "processor", "amount": "10.01"})
    assert (too_much.status, too_much.body["error"]) == (422, "refund_exceeds_paid")
    whole = manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"})
    assert whole.body["entry"]["amount"] == "10.00"
    assert whole.body["order"]["payment_status"] == "refunded"
    assert manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"}).status == 422
    assert customer.api.post(f"/orders/{number}/refunds", {"destination": "wallet"}).status == 403
    assert WalletEntry.objects.count() == 0


def test_smm_order_moves_to_refunded_when_everything_is_refunded(load_preset, customer, manager):
    load_preset("smm")
    sell(SMM_ITEMS)
    number = customer.api.post("/orders", {"items": SMM_ITEMS[:1], "payment_channel": "card"}).body["number"]
    manager.api.pay(number, manager.api.total(number))
    refund = manager.api.post(f"/orders/{number}/refunds", {"destination": "wallet", "amount": "10.54"})
    assert refund.status == 201, refund.body
    assert refund.body["order"]["payment_status"] == "refunded"
    assert refund.body["order"]["status"]["code"] == "refunded"
    assert Decimal(customer.api.get("/wallet").body["balances"]["EUR"]) == Decimal("10.54")
