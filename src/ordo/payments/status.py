"""The payment status, derived from the ledger's sums (SPEC §4); never typed in."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


def derive(*, total: Decimal, paid: Decimal, refunded: Decimal, kept: Decimal = Decimal(0)) -> PaymentStatus:
    """``kept``: processing fees the payment gateway keeps on refunds (PayPal): once everything
    else is back with the customer, the order is refunded."""
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded + kept >= paid else PaymentStatus.PARTIALLY_REFUNDED
    if paid <= 0:
        return PaymentStatus.UNPAID
    if paid < total:
        return PaymentStatus.PARTIALLY_PAID
    return PaymentStatus.PAID
