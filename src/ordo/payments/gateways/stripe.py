"""The card gateway: Stripe Checkout for paying, Stripe refunds, and Stripe's signed webhooks.

Configured by ``ORDO_PAYMENT_STRIPE_SECRET_KEY`` and ``ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET``;
``ORDO_PAYMENT_STRIPE_API_BASE`` points the client elsewhere than api.stripe.com (a local stub in
tests). Amounts cross the wire in minor units (cents): currencies with two decimals only.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from ordo.errors import DomainError
from ordo.orders.models import Order
from ordo.payments.errors import PaymentErrorCode

HUNDRED = Decimal(100)


def configured() -> bool:
    return bool(settings.ORDO_PAYMENT_STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    if not configured():
        raise DomainError(PaymentErrorCode.GATEWAY_NOT_CONFIGURED, "The card gateway is not configured.")
    base = settings.ORDO_PAYMENT_STRIPE_API_BASE
    return stripe.StripeClient(
        settings.ORDO_PAYMENT_STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def to_minor(amount: Decimal) -> int:
    return int((amount * HUNDRED).to_integral_value())


def from_minor(value: Any) -> Decimal:
    return (Decimal(int(value)) / HUNDRED).quantize(Decimal("0.01"))


def checkout(order: Order, amount: Decimal, *, return_url: str) -> tuple[str, str]:
    """Open a Checkout Session for ``amount`` of ``order``; returns its id and the URL to send the
    customer to. The order number rides in the metadata, so webhooks find the order."""
    metadata = {"order": str(order.number)}
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "client_reference_id": str(order.number),
                "success_url": return_url,
                "cancel_url": return_url,
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": order.currency.lower(),
                            "unit_amount": to_minor(amount),
                            "product_data": {"name": f"Order {order.number}"},
                        },
                    }
                ],
            },
            options={"idempotency_key": f"checkout-{order.number}-{to_minor(amount)}-{order.paid}"},
        )
    except stripe.StripeError as error:
        raise DomainError(
            PaymentErrorCode.GATEWAY_ERROR, f"The card gateway refused: {error.user_message or error}"
        ) from error
    return str(session.id), str(session.url)


def refund(*, payment_intent: str, amount: Decimal, order_number: int, ledger_id: int) -> tuple[str, str]:
    """Ask Stripe to refund; returns the refund's id and status (usually "pending" or "succeeded")."""
    try:
        created = _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": to_minor(amount),
                "metadata": {"order": str(order_number), "ordo_refund": str(ledger_id)},
            },
            options={"idempotency_key": f"refund-{ledger_id}"},
        )
    except stripe.StripeError as error:
        raise DomainError(
            PaymentErrorCode.GATEWAY_ERROR, f"The card gateway refused: {error.user_message or error}"
        ) from error
    return str(created.id), str(created.status)


def verified_event(payload: bytes, signature: str) -> dict[str, Any]:
    """The event, if Stripe signed it with our webhook secret within the last 5 minutes."""
    secret = settings.ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET
    if not secret:
        raise DomainError(PaymentErrorCode.GATEWAY_NOT_CONFIGURED, "The card gateway's webhook secret is not set.")
    try:
        stripe.WebhookSignature.verify_header(payload.decode(), signature, secret, tolerance=300)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise DomainError(PaymentErrorCode.BAD_SIGNATURE, "The webhook signature does not verify.") from error
    if not isinstance(event, dict) or "id" not in event or "type" not in event:
        raise DomainError(PaymentErrorCode.BAD_SIGNATURE, "The webhook body is not a Stripe event.")
    return event
