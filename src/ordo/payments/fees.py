"""Processing fees: a percent and/or a fixed amount per channel, on the goods' value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def processing_fee(base: Decimal, *, percent: Decimal, fixed: Decimal) -> Decimal:
    if base <= 0 or (not percent and not fixed):
        return Decimal("0.00")
    return (base * percent / 100 + fixed).quantize(CENT, rounding=ROUND_HALF_UP)


def fee_share(order_fees: Decimal, order_goods: Decimal, goods: Decimal) -> Decimal:
    """The part of an order's fees that belongs to ``goods`` of its ``order_goods``."""
    if order_goods <= 0 or order_fees <= 0:
        return Decimal("0.00")
    return min(order_fees, (order_fees * goods / order_goods).quantize(CENT, rounding=ROUND_HALF_UP))
