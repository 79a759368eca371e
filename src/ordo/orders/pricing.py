"""An order's money: goods − discounts + fees (SPEC §4), and the discount tiers customers reach.

Each discount row keeps the amount it takes off; percent rows follow the goods when they change.
The order's ``discount`` is the sum of its rows, never more than the goods.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from ordo.db import fetch_all
from ordo.kept import Kept
from ordo.orders.models import ZERO, DiscountTier, Order, OrderDiscount

CENT = Decimal("0.01")


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    return (base * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``amount`` × part / whole, rounded to the cent; what a part of the goods carries."""
    if whole <= 0 or amount == 0:
        return ZERO
    return (amount * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def discount_rows_reprice(discounts: Iterable[OrderDiscount], subtotal: Decimal) -> Decimal:
    """Recompute percent rows on ``subtotal``; returns the sum, capped at the goods."""
    total = ZERO
    for row in discounts:
        if row.kind == OrderDiscount.Kind.PERCENT:
            row.amount = percent_of(subtotal, row.value)
        total += row.amount
    return min(total, subtotal)


def cumulative_paid(customer_id: int, currency: str) -> Decimal:
    """What the customer has paid for their orders in ``currency``, less refunds."""
    sums = Order.objects.filter(customer_id=customer_id, currency=currency).aggregate(
        paid=Sum("paid"), refunded=Sum("refunded")
    )
    return (sums["paid"] or ZERO) - (sums["refunded"] or ZERO)


#: The discount tiers of each currency, highest first, kept per process (``ordo.kept``): asked on
#: every order placed. Forgotten here when tiers are saved or deleted (``orders.apps``) or written
#: in bulk (``TIERS.forget()`` after ``bulk_create``, which sends no signal).
TIERS: Kept[str, list[tuple[int, str, Any, Any]]] = Kept("discount tiers", seconds=5.0)


def _tiers(currency: str) -> list[tuple[int, str, Any, Any]]:
    return fetch_all(
        f"SELECT id, name, threshold, percent FROM {DiscountTier._meta.db_table} "
        "WHERE currency = %s ORDER BY threshold DESC",
        [currency],
    )


def tier_reached(customer_id: int, currency: str) -> DiscountTier | None:
    """The highest tier the customer's cumulative paid sum reaches, if tiers exist in ``currency``.

    Asked on every order placed: the tiers are kept for a few seconds (most installations have
    none, and then that is all it costs), read by a raw query that costs a tenth of the ORM's.
    """
    rows = TIERS.get(currency, lambda: _tiers(currency))
    if not rows:
        return None
    paid = cumulative_paid(customer_id, currency)
    for pk, name, threshold, percent in rows:
        if paid >= Decimal(threshold):
            return DiscountTier(pk=pk, name=name, currency=currency, threshold=threshold, percent=Decimal(percent))
    return None


@dataclass(frozen=True)
class Standing:
    """Where a customer stands in one currency: what they paid, their tier and the next one."""

    currency: str
    paid: Decimal
    tier: DiscountTier | None
    next_tier: DiscountTier | None


def standing(customer_id: int) -> list[Standing]:
    """The customer's cumulative paid sum and tier, per currency they ordered in or that has tiers."""
    tiers = list(DiscountTier.objects.order_by("currency", "threshold"))
    currencies = set(Order.objects.filter(customer_id=customer_id).values_list("currency", flat=True).distinct())
    currencies |= {tier.currency for tier in tiers}
    result = []
    for currency in sorted(currencies):
        paid = cumulative_paid(customer_id, currency)
        ladder = [tier for tier in tiers if tier.currency == currency]
        reached = [tier for tier in ladder if paid >= tier.threshold]
        ahead = [tier for tier in ladder if paid < tier.threshold]
        result.append(Standing(currency, paid, reached[-1] if reached else None, ahead[0] if ahead else None))
    return result
