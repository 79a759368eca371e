"""The gateways' webhook payloads as typed shapes: every event Ordo acts on is validated here before
anything reads it, so a correctly signed but malformed event is answered 400 (and not retried by
the gateway for days as a 500 would be) and changes nothing.

Only the fields Ordo uses are declared; the gateways' other fields are ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ordo.errors import DomainError
from ordo.payments.errors import PaymentErrorCode

#: Minor units (cents) up to what the money columns hold.
Minor = Annotated[int, Field(ge=0, le=99_999_999_999_999)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
Id = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StripeRefund(_Shape):
    id: Id
    amount: Minor
    status: str = ""
    metadata: dict[str, str] = {}


class StripeRefunds(_Shape):
    data: list[StripeRefund] = []


class StripeSession(_Shape):
    id: Id
    payment_status: str = ""
    payment_intent: Id | None = None
    amount_total: Minor | None = None
    currency: Currency | None = None


class StripeIntent(_Shape):
    id: Id
    amount_received: Minor = 0
    currency: Currency


class StripePaymentError(_Shape):
    message: str = "declined"


class StripeFailedIntent(_Shape):
    id: Id
    last_payment_error: StripePaymentError | None = None


class StripeCharge(_Shape):
    id: Id
    amount: Minor
    amount_captured: Minor | None = None
    currency: Currency
    payment_intent: Id | None = None
    refunds: StripeRefunds = StripeRefunds()


#: The Stripe event types Ordo acts on, and the shape of each one's ``data.object``.
STRIPE_OBJECTS: dict[str, type[_Shape]] = {
    "checkout.session.completed": StripeSession,
    "checkout.session.async_payment_succeeded": StripeSession,
    "payment_intent.succeeded": StripeIntent,
    "payment_intent.payment_failed": StripeFailedIntent,
    "charge.refunded": StripeCharge,
    "refund.created": StripeRefund,
    "refund.updated": StripeRefund,
    "refund.failed": StripeRefund,
    "charge.refund.updated": StripeRefund,
}


class HmacEvent(_Shape):
    """What the signed-webhook (HMAC) gateways send."""

    id: Id
    type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    order: int | Annotated[str, StringConstraints(max_length=30)] | None = None
    amount: Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)] = Decimal("0.00")
    currency: Annotated[str, StringConstraints(max_length=3)] = ""
    reference: Annotated[str, StringConstraints(max_length=255)] | None = None
    reason: Annotated[str, StringConstraints(max_length=500)] = "declined"


def _invalid(error: ValidationError | str) -> DomainError:
    where = (
        "; ".join(f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg']}" for e in error.errors())
        if isinstance(error, ValidationError)
        else error
    )
    return DomainError(PaymentErrorCode.INVALID_WEBHOOK, f"The webhook's event is not of the expected shape: {where}.")


def stripe_object(event: Any) -> tuple[str, _Shape | None, dict[str, Any]]:
    """The event's type, its typed object (None for types Ordo does not act on) and the object's
    metadata and client reference (where the order number rides)."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not event.get("id"):
        raise _invalid("an event has an id and a type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise _invalid("data.object is missing")
    shape = STRIPE_OBJECTS.get(event["type"])
    try:
        typed = shape.model_validate(obj) if shape is not None else None
        metadata = obj.get("metadata")
        metadata = {} if metadata is None else metadata
        if not isinstance(metadata, dict):
            raise _invalid("metadata is not an object")
    except ValidationError as error:
        raise _invalid(error) from error
    return event["type"], typed, {**metadata, "client_reference_id": obj.get("client_reference_id")}


def hmac_event(event: Any) -> HmacEvent:
    try:
        return HmacEvent.model_validate(event)
    except ValidationError as error:
        raise _invalid(error) from error
