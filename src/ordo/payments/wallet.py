"""The customer wallet: credits (top-ups, refunds) and debits (payments), summed per currency.

Spending locks the customer's row first, so two payments from one wallet at once are serialized
and the balance can never go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from ordo.accounts.models import Customer
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import MAX_MONEY, Order
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, lock_order
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.models import PaymentChannel, WalletEntry
from ordo.payments.services import Recorded, _amount, money_in, outstanding
from ordo.workflow.snapshot import Actor

ZERO = Decimal("0.00")


def wallet_balance(customer_id: int, currency: str) -> Decimal:
    """The balance after the customer's latest entry in ``currency`` (the sum of all of them)."""
    latest = (
        WalletEntry.objects.filter(customer_id=customer_id, currency=currency)
        .order_by("-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    return latest if latest is not None else ZERO


def wallet_balances(customer_id: int) -> dict[str, Decimal]:
    currencies = WalletEntry.objects.filter(customer_id=customer_id).values_list("currency", flat=True).distinct()
    return {currency: wallet_balance(customer_id, currency) for currency in sorted(set(currencies))}


def wallet_write(
    unit: OrderUnit, *, kind: str, amount: Decimal, note: str, balance: Decimal | None = None
) -> WalletEntry:
    """The one way to write a wallet entry: under the customer's row lock (taken after the
    order's, the same order of locks everywhere), with the balance it leaves. A debit beyond the
    balance is refused here and by the database's check."""
    order = unit.order
    if balance is None:
        Customer.objects.select_for_update().filter(pk=order.customer_id).first()
        balance = wallet_balance(order.customer_id, order.currency)
    after = balance + amount if kind == WalletEntry.Kind.CREDIT else balance - amount
    if after > MAX_MONEY:
        raise DomainError(
            OrderErrorCode.AMOUNT_OUT_OF_RANGE,
            f"The wallet would hold {after} {order.currency}; a wallet holds up to {MAX_MONEY}.",
        )
    if after < 0:
        raise DomainError(
            PaymentErrorCode.INSUFFICIENT_FUNDS,
            f"The wallet holds {balance} {order.currency}; {amount} cannot be paid from it.",
            balance=str(balance),
        )
    return WalletEntry.objects.create(
        customer_id=order.customer_id,
        kind=kind,
        amount=amount,
        currency=order.currency,
        order=order,
        balance_after=after,
        note=note,
        actor_name=unit.actor.name or unit.actor.role,
        created_at=unit.now,
    )


def wallet_credit(unit: OrderUnit, *, amount: Decimal, note: str) -> WalletEntry:
    """Credit the order's customer, in the order's currency, inside the caller's transaction."""
    return wallet_write(unit, kind=WalletEntry.Kind.CREDIT, amount=amount, note=note)


def wallet_channel() -> PaymentChannel:
    channel = PaymentChannel.objects.filter(gateway=PaymentChannel.Gateway.WALLET, enabled=True).first()
    if channel is None:
        raise DomainError(PaymentErrorCode.UNKNOWN_CHANNEL, "This installation has no wallet payment channel.")
    return channel


@dataclass(frozen=True)
class WalletPaid(Recorded):
    balance: Decimal = ZERO


def wallet_pay(
    *, number: int, actor: Actor, amount: Decimal | None = None, visible: QuerySet[Order] | None = None
) -> WalletPaid:
    """Pay an order from its customer's wallet, fully (default: what is still owed, as far as the
    balance goes) or in part. No processing fee: an unpaid order switches to the wallet channel."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.PAY)
        order = unit.order
        channel = wallet_channel()
        if order.payment_status == "unpaid" and order.payment_channel != channel.code:
            unit.change_channel(channel.code)
        Customer.objects.select_for_update().filter(pk=order.customer_id).first()
        balance = wallet_balance(order.customer_id, order.currency)
        due = outstanding(order)
        if due <= 0:
            raise DomainError(PaymentErrorCode.ALREADY_PAID, f"Order {order.number} is paid already.")
        wanted = min(due, balance) if amount is None else _amount(amount)
        if wanted <= 0 or wanted > balance:
            raise DomainError(
                PaymentErrorCode.INSUFFICIENT_FUNDS,
                f"The wallet holds {balance} {order.currency}; {wanted} cannot be paid from it.",
                balance=str(balance),
            )
        if wanted > due:
            raise DomainError(PaymentErrorCode.INVALID_AMOUNT, f"Only {due} {order.currency} is owed.")
        wallet_write(
            unit, kind=WalletEntry.Kind.DEBIT, amount=wanted, note=f"payment for order {order.number}", balance=balance
        )
        entry, _ = money_in(unit, amount=wanted, channel=channel.code, note="paid from the wallet")
        unit.settle()
        unit.flush()
    return WalletPaid(unit.order, entry, created=True, balance=balance - wanted)


def wallet_entries(customer_id: int) -> QuerySet[WalletEntry]:
    return WalletEntry.objects.filter(customer_id=customer_id).select_related("order").order_by("-id")
