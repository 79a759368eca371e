"""Money through the API: the ledger, staff-recorded payments, paying, refunds, the wallet, and
the gateways' webhooks."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Status

from ordo.accounts.models import Customer
from ordo.accounts.roles import AnyUser, actor_for
from ordo.api import schemas as s
from ordo.api.present import order_json
from ordo.api.types import Id, Text
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.errors import OrderErrorCode
from ordo.orders.permissions import Action, require
from ordo.orders.selectors import orders_see_all
from ordo.payments import webhooks
from ordo.payments.paying import order_pay
from ordo.payments.refunds import refund_create
from ordo.payments.services import payment_defer, payment_record
from ordo.payments.wallet import wallet_balances, wallet_entries

router = Router(tags=["payments"])
ERRORS = s.ERRORS


def _order(request: HttpRequest, number: int) -> dict:
    order = selectors.order_get(request.user, number)
    return order_json(order, actor_for(request.user), getattr(request, "LANGUAGE_CODE", "en"))


@router.get("/orders/{number}/payments", response={200: list[s.LedgerOut], **ERRORS}, summary="The payment ledger")
def ledger(request: HttpRequest, number: Id):
    """Payments, refunds (with their state: pending until the gateway confirms) and deferrals."""
    order = selectors.order_get(request.user, number)
    return list(order.ledger.order_by("id"))


@router.post(
    "/orders/{number}/payments", response={201: s.PaymentOut, 200: s.PaymentOut, **ERRORS}, summary="Record a payment"
)
def record_payment(request: HttpRequest, number: Id, payload: s.PaymentIn):
    """Staff record money received (cash, bank invoice…) or a deferred-payment agreement with its
    due date. The payment status follows from the ledger; a repeated ``reference`` is stored once."""
    visible = selectors.orders_visible_to(request.user)
    actor = actor_for(request.user)
    if payload.kind == "deferral":
        recorded = payment_defer(
            number=number, actor=actor, note=payload.note, due_date=payload.due_date, visible=visible
        )
    elif payload.amount is None:
        return Status(422, {"error": "validation_error", "detail": "amount is required for a payment"})
    else:
        recorded = payment_record(
            number=number,
            amount=payload.amount,
            actor=actor,
            channel=payload.channel,
            currency=payload.currency,
            reference=payload.reference,
            note=payload.note,
            visible=visible,
        )
    return Status(201 if recorded.created else 200, {"entry": recorded.entry, "order": _order(request, number)})


@router.post("/orders/{number}/pay", response={200: s.PayOut, **ERRORS}, summary="Pay for an order")
def pay(request: HttpRequest, number: Id, payload: s.PayIn):
    """By card: answers with ``redirect_url``, the gateway's payment page; the payment status
    changes when the gateway's webhook confirms. From the wallet: pays at once, without a fee.
    Cash and bank channels are paid outside Ordo and recorded by staff."""
    paying = order_pay(
        order=selectors.order_get(request.user, number),
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
        channel=payload.channel or "",
        amount=payload.amount,
    )
    if paying.entry is not None:
        return {"entry": paying.entry, "wallet_balance": paying.wallet_balance, "order": _order(request, number)}
    return {"redirect_url": paying.redirect_url, "session": paying.session, "order": _order(request, number)}


@router.post("/orders/{number}/refunds", response={201: s.PaymentOut, **ERRORS}, summary="Refund")
def refund(request: HttpRequest, number: Id, payload: s.RefundIn):
    """The whole order, chosen ``items`` or an ``amount``, to the customer's ``wallet`` (without
    processing fees) or the ``processor`` (card: fees included; PayPal: without). Card refunds go
    through the gateway and stay ``pending`` until it confirms."""
    recorded = refund_create(
        number=number,
        actor=actor_for(request.user),
        destination=payload.destination,
        items=list(payload.items) if payload.items else None,
        amount=payload.amount,
        reason=payload.reason,
        visible=selectors.orders_visible_to(request.user),
    )
    return Status(201, {"entry": recorded.entry, "order": _order(request, number)})


def _wallet(customer_id: int, user: AnyUser) -> dict:
    """The wallet's balances and its latest entries; an entry that names an order is listed only
    when the caller sees that order (a manager with own scope sees their orders' entries only)."""
    entries = wallet_entries(customer_id)
    if not orders_see_all(user):
        entries = entries.filter(Q(order=None) | Q(order__in=selectors.orders_visible_to(user)))
    return {
        "customer": customer_id,
        "balances": wallet_balances(customer_id),
        "entries": [
            {
                "id": e.pk,
                "kind": e.kind,
                "amount": e.amount,
                "currency": e.currency,
                "order": e.order.number if e.order else None,
                "note": e.note,
                "created_at": e.created_at,
            }
            for e in entries[:200]
        ],
    }


@router.get("/wallet", response={200: s.WalletOut, **ERRORS}, summary="My wallet")
def my_wallet(request: HttpRequest):
    customer = Customer.objects.filter(user_id=request.user.pk or 0).first()
    if customer is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, "This account has no wallet.")
    return _wallet(customer.pk, request.user)


@router.get("/customers/{customer_id}/wallet", response={200: s.WalletOut, **ERRORS}, summary="A customer's wallet")
def customer_wallet(request: HttpRequest, customer_id: Id):
    require(actor_for(request.user), Action.READ_WALLETS)
    if not Customer.objects.filter(pk=customer_id).exists():
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Customer {customer_id} not found.")
    return _wallet(customer_id, request.user)


@router.get("/orders/{number}/activity", response={200: list[s.ActivityOut], **ERRORS}, summary="Activity")
def activity(request: HttpRequest, number: Id):
    """Channel changes, assignments, notes, failed payments, refunds: what happened besides status
    changes. Staff only: it holds internal notes and who on the staff did what."""
    order = selectors.order_get(request.user, number)
    require(actor_for(request.user), Action.READ_INTERNAL)
    return [
        {"at": row.at, "actor": row.actor_name, "kind": row.kind, "detail": row.detail}
        for row in order.activity.order_by("id")
    ]


@router.post(
    "/payments/webhooks/{gateway}",
    auth=None,
    response={200: s.WebhookReceived, 400: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorOut},
    summary="A payment gateway's webhook",
)
def gateway_webhook(request: HttpRequest, gateway: Text):
    """Signed by the gateway (Stripe: ``Stripe-Signature``; others: ``Ordo-Signature: t=…,v1=…``,
    HMAC-SHA256 of ``"<t>.<body>"``). A bad signature is 400 and changes nothing; the same event
    again is answered 200 and changes nothing."""
    outcome = webhooks.receive(gateway=gateway, payload=request.body, headers=request.headers)
    return {"received": True, "outcome": outcome}
