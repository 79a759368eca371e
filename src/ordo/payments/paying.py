"""A customer pays for an order: from the wallet at once, or by card through the gateway's page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from ordo.errors import DomainError
from ordo.orders.models import Order
from ordo.orders.permissions import Action, require
from ordo.orders.selectors import tracking_url
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.gateways import stripe as stripe_gateway
from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.payments.services import outstanding
from ordo.payments.wallet import wallet_pay
from ordo.workflow.snapshot import Actor


@dataclass(frozen=True)
class Paying:
    """Paid from the wallet (``entry`` and the new ``wallet_balance``), or a card payment to finish
    on the gateway's page at ``redirect_url``."""

    entry: LedgerEntry | None = None
    wallet_balance: Decimal | None = None
    redirect_url: str = ""
    session: str = ""


def order_pay(
    *,
    order: Order,
    actor: Actor,
    visible: QuerySet[Order],
    channel: str = "",
    amount: Decimal | None = None,
    return_url: str = "",
) -> Paying:
    """Pay ``order`` (one the actor sees) through ``channel`` (default: the order's own). The wallet
    pays at once without a fee; a card channel switches the order to it and opens a checkout for
    what is still due, the payment status following the gateway's webhook. Cash and bank channels
    are paid outside Ordo: refused, staff record those."""
    require(actor, Action.PAY)
    code = channel or order.payment_channel
    found = PaymentChannel.objects.filter(code=code, enabled=True).first()
    if found is None:
        raise DomainError(PaymentErrorCode.UNKNOWN_CHANNEL, f"Choose an enabled payment channel, not {code!r}.")
    if found.gateway == PaymentChannel.Gateway.WALLET:
        paid = wallet_pay(number=order.number, actor=actor, amount=amount, visible=visible)
        return Paying(entry=paid.entry, wallet_balance=paid.balance)
    if found.gateway != PaymentChannel.Gateway.STRIPE:
        raise DomainError(
            PaymentErrorCode.MANUAL_CHANNEL,
            f"{found.labels.get('en', found.code)} is paid outside Ordo; staff record the payment.",
        )
    if code != order.payment_channel:
        # Late import: the order services build on payments.
        from ordo.orders.services import order_update

        order = order_update(number=order.number, actor=actor, visible=visible, payment_channel=code)
    due = outstanding(order)
    if due <= 0:
        raise DomainError(PaymentErrorCode.ALREADY_PAID, f"Order {order.number} is paid already.")
    session, url = stripe_gateway.checkout(order, due, return_url=return_url or tracking_url(order))
    return Paying(redirect_url=url, session=session)
