"""Gateway webhooks: verify, record each event once, apply it to the ledger of its order.

The same event delivered twice, a hundred times or out of order leaves one ledger row per
payment or refund and the right final state: events are keyed by their id, payments by the
gateway's reference (the PaymentIntent), refunds by the refund's id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.services import OrderUnit, lock_order
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.gateways import stripe as stripe_gateway
from ordo.payments.gateways.events import (
    HmacEvent,
    StripeCharge,
    StripeFailedIntent,
    StripeIntent,
    StripeRefund,
    StripeSession,
    hmac_event,
    stripe_object,
)
from ordo.payments.models import GatewayEvent, LedgerEntry, PaymentChannel
from ordo.payments.refunds import PROCESSOR, refund_confirm, refund_fail
from ordo.payments.services import money_in, outstanding
from ordo.text import whole_number
from ordo.workflow.snapshot import Actor

TOLERANCE = 300


def receive(*, gateway: str, payload: bytes, headers: Any) -> str:
    """Verify and apply one webhook; returns what happened (kept on the GatewayEvent row). A bad
    signature, or an event not of the shape its type promises, is refused before anything is written."""
    if gateway == "stripe":
        event = stripe_gateway.verified_event(payload, headers.get("Stripe-Signature", ""))
        kind, obj, refs = stripe_object(event)
        number = refs.get("order") or refs.get("client_reference_id")
        return _apply(gateway, event, number, lambda unit: _stripe(unit, kind, obj))
    channel = PaymentChannel.objects.filter(code=gateway, gateway=PaymentChannel.Gateway.HMAC).first()
    if channel is None:
        raise DomainError(PaymentErrorCode.UNKNOWN_GATEWAY, f"No signed-webhook gateway {gateway!r}.")
    event = _hmac_verified(gateway, payload, headers.get("Ordo-Signature", ""))
    typed = hmac_event(event)
    return _apply(gateway, event, typed.order, lambda unit: _generic(unit, channel, typed))


def _hmac_verified(gateway: str, payload: bytes, header: str) -> dict[str, Any]:
    secret = settings.ORDO_PAYMENT_HMAC_SECRETS.get(gateway)
    if not secret:
        raise DomainError(PaymentErrorCode.GATEWAY_NOT_CONFIGURED, f"ORDO_PAYMENT_{gateway.upper()}_SECRET is not set.")
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
        if abs(time.time() - timestamp) > TOLERANCE or not hmac.compare_digest(expected, parts["v1"]):
            raise ValueError("signature")
        event = json.loads(payload)
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise ValueError("shape")
    except (KeyError, ValueError) as error:
        raise DomainError(PaymentErrorCode.BAD_SIGNATURE, "The webhook signature does not verify.") from error
    return event


def _apply(gateway: str, event: dict[str, Any], number: Any, handle) -> str:
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                record = GatewayEvent.objects.create(
                    gateway=gateway,
                    event_id=str(event["id"])[:255],
                    type=str(event["type"])[:100],
                    payload=event,
                    received_at=timezone.now(),
                )
        except IntegrityError:
            return "duplicate: applied before"
        try:
            found = whole_number(str(number or ""))
            if found is None:
                raise DomainError(OrderErrorCode.NOT_FOUND, f"No order {number!r}.")
            unit = OrderUnit(lock_order(found), actor=Actor(role="system", name=f"gateway: {gateway}"))
        except DomainError:
            record.outcome = f"no order {number!r}: nothing recorded"
            record.save(update_fields=["outcome"])
            return record.outcome
        record.order_id = unit.order.pk
        record.outcome = handle(unit)
        record.save(update_fields=["order", "outcome"])
        unit.flush()
    return record.outcome


# -- applying events ------------------------------------------------------------------------


def _card_channel(order: Order) -> str:
    own = PaymentChannel.objects.filter(code=order.payment_channel, gateway=PaymentChannel.Gateway.STRIPE).first()
    fallback = PaymentChannel.objects.filter(gateway=PaymentChannel.Gateway.STRIPE).order_by("position").first()
    channel = own or fallback
    return channel.code if channel else "card"


def _payment(unit: OrderUnit, *, channel: str, amount: Decimal, currency: str, reference: str) -> str:
    order = unit.order
    if currency.upper() != order.currency:
        unit.note("payment_flagged", {"reason": f"paid in {currency.upper()}, the order is in {order.currency}"})
        return f"currency {currency.upper()} is not the order's {order.currency}: not recorded, flagged"
    due = outstanding(order)
    flag = "" if amount == due else f"expected {due} {order.currency}, the gateway reported {amount}"
    _entry, created = money_in(unit, amount=amount, channel=channel, reference=reference, flag_reason=flag)
    if not created:
        return f"payment {reference} recorded before"
    unit.settle()
    return f"payment {amount} {order.currency} recorded" + (f" and flagged: {flag}" if flag else "")


def _refund(unit: OrderUnit, *, channel: str, refund_id: str, amount: Decimal, status: str, hint: Any = None) -> str:
    order = unit.order
    rows = LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.REFUND)
    entry = rows.filter(reference=refund_id).first() if refund_id else None
    if entry is None and hint:
        entry = rows.filter(pk=pk).first() if (pk := whole_number(str(hint))) is not None else None
    if entry is None:
        if status != "succeeded":
            return f"refund {refund_id} is {status}: nothing recorded"
        # A refund made at the gateway itself (its dashboard): record it as it is.
        entry = LedgerEntry.objects.create(
            order=order,
            kind=LedgerEntry.Kind.REFUND,
            amount=amount,
            currency=order.currency,
            channel=channel,
            destination=PROCESSOR,
            reference=refund_id,
            state=LedgerEntry.State.PENDING,
            note="refunded at the gateway",
            recorded_at=unit.now,
        )
    if not entry.reference and refund_id:
        entry.reference = refund_id
        entry.save(update_fields=["reference"])
    if status == "succeeded":
        return (
            f"refund {refund_id} confirmed" if refund_confirm(unit, entry) else f"refund {refund_id} confirmed before"
        )
    if status in ("failed", "canceled"):
        refund_fail(entry)
        return f"refund {refund_id} {status}"
    return f"refund {refund_id} is {status}"


def _stripe(unit: OrderUnit, kind: str, obj: Any) -> str:
    channel = _card_channel(unit.order)
    minor = stripe_gateway.from_minor
    if isinstance(obj, StripeSession):
        if obj.payment_status != "paid":
            return f"session {obj.id} is {obj.payment_status}: waiting"
        if obj.amount_total is None or obj.currency is None:
            return f"session {obj.id} names no amount: nothing recorded"
        reference = obj.payment_intent or obj.id
        return _payment(
            unit, channel=channel, amount=minor(obj.amount_total), currency=obj.currency, reference=reference
        )
    if isinstance(obj, StripeIntent):
        return _payment(
            unit, channel=channel, amount=minor(obj.amount_received), currency=obj.currency, reference=obj.id
        )
    if isinstance(obj, StripeFailedIntent):
        reason = obj.last_payment_error.message if obj.last_payment_error else "declined"
        unit.note("payment_failed", {"gateway": "stripe", "reason": reason})
        return f"payment failed: {reason}"
    if isinstance(obj, StripeCharge):
        # Refunds may arrive before the payment event: record the payment from the charge first.
        outcome = _payment(
            unit,
            channel=channel,
            amount=minor(obj.amount_captured or obj.amount),
            currency=obj.currency,
            reference=obj.payment_intent or obj.id,
        )
        results = [_stripe_refund(unit, channel, r) for r in obj.refunds.data]
        return "; ".join([outcome, *results])
    if isinstance(obj, StripeRefund):
        return _stripe_refund(unit, channel, obj)
    return f"{kind}: not used"


def _stripe_refund(unit: OrderUnit, channel: str, refund: StripeRefund) -> str:
    return _refund(
        unit,
        channel=channel,
        refund_id=refund.id,
        amount=stripe_gateway.from_minor(refund.amount),
        status=refund.status,
        hint=refund.metadata.get("ordo_refund"),
    )


def _generic(unit: OrderUnit, channel: PaymentChannel, event: HmacEvent) -> str:
    """HMAC gateways send ``{"id", "type", "order", "amount", "currency", "reference"}`` with
    types payment.succeeded, payment.failed, refund.succeeded and refund.failed."""
    reference = event.reference or event.id
    if event.type == "payment.succeeded":
        return _payment(unit, channel=channel.code, amount=event.amount, currency=event.currency, reference=reference)
    if event.type == "payment.failed":
        unit.note("payment_failed", {"gateway": channel.code, "reason": event.reason})
        return "payment failed"
    if event.type in ("refund.succeeded", "refund.failed"):
        status = "succeeded" if event.type == "refund.succeeded" else "failed"
        return _refund(unit, channel=channel.code, refund_id=reference, amount=event.amount, status=status)
    return f"{event.type}: not used"
