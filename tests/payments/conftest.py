"""A local stand-in for Stripe's API, and webhooks signed with Stripe's real scheme."""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_ordo"


class StripeStub:
    """Answers ``POST /v1/checkout/sessions`` and ``POST /v1/refunds`` like Stripe does."""

    def __init__(self, peer) -> None:
        self.peer = peer
        self.ids = itertools.count(1)
        self.refund_status = "pending"
        peer.reply = self.answer

    def answer(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        n = next(self.ids)
        if path == "/v1/checkout/sessions":
            return 200, {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "metadata": {"order": form["metadata[order]"]},
                "payment_status": "unpaid",
            }
        if path == "/v1/refunds":
            return 200, {
                "id": f"re_test_{n}",
                "object": "refund",
                "amount": int(form["amount"]),
                "payment_intent": form["payment_intent"],
                "status": self.refund_status,
                "metadata": {"order": form["metadata[order]"], "ordo_refund": form["metadata[ordo_refund]"]},
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}

    def forms(self, path: str) -> list[dict[str, str]]:
        return [
            {k: v[0] for k, v in parse_qs(r["body"].decode()).items()} for r in self.peer.requests if r["path"] == path
        ]


@pytest.fixture
def stripe_api(settings, http_peer):
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = "sk_test_ordo"
    settings.ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.ORDO_PAYMENT_STRIPE_API_BASE = http_peer.url
    return StripeStub(http_peer)


def signed_event(kind: str, obj: dict[str, Any], event_id: str, secret: str = WEBHOOK_SECRET) -> tuple[str, str]:
    payload = json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}})
    return payload, stripe.WebhookSignature.generate_signature_header(payload, secret)


@pytest.fixture
def stripe_webhook(client):
    """Send a Stripe event to Ordo, signed; returns (HTTP status, JSON body)."""

    def send(kind: str, obj: dict[str, Any], event_id: str, secret: str = WEBHOOK_SECRET, tamper: bool = False):
        payload, header = signed_event(kind, obj, event_id, secret)
        if tamper:
            payload = payload.replace('"amount', '"amount_x', 1)
        response = client.post(
            "/api/v1/payments/webhooks/stripe",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": header},
        )
        return response.status_code, response.json()

    return send


def paid_session(number: int, cents: int, currency: str, intent: str) -> dict[str, Any]:
    return {
        "id": f"cs_{intent}",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": cents,
        "currency": currency.lower(),
        "payment_intent": intent,
        "metadata": {"order": str(number)},
        "client_reference_id": str(number),
    }


def send_hmac(client, gateway: str, secret: str, event: dict[str, Any], timestamp: int | None = None):
    """Post an event to a generic gateway's webhook, signed ``t=…,v1=HMAC-SHA256("t.body")``."""
    import time

    from ordo.notifications.channels.webhook import signature

    body = json.dumps(event).encode()
    header = signature(secret, timestamp or int(time.time()), body)
    response = client.post(
        f"/api/v1/payments/webhooks/{gateway}",
        data=body,
        content_type="application/json",
        headers={"Ordo-Signature": header},
    )
    return response.status_code, response.json()
