"""An order's VAT as people read it: per rate net, tax and gross, and the order's net and tax.
Computed from the lines' stored rates (the rates in force when the order was placed), the order's
discounts and fees and its type's rounding rule, the same way for the API, the pages and invoices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ordo.orders.models import Order, OrderItem, OrderType
from ordo.taxes.compute import RateTotal, by_rate, order_lines, taxed
from ordo.taxes.rates import Rates


@dataclass(frozen=True)
class OrderTaxes:
    rounding: str
    rates: list[RateTotal]
    net: Decimal
    tax: Decimal


def order_taxes(order: Order, items: Sequence[OrderItem]) -> OrderTaxes | None:
    """None where the order's type keeps no VAT (no tax country)."""
    found = OrderType.objects.filter(code=order.type).values_list("tax_country", "tax_rounding").first()
    if found is None or not found[0]:
        return None
    country, rounding = found
    fee_rate = Rates(country, timezone.localdate(order.placed_at)).rate("standard") if order.fees else None
    lines = order_lines(
        [item.line_total for item in items],
        [item.tax_rate for item in items],
        discount=order.discount,
        fees=order.fees,
        fee_rate=fee_rate,
    )
    rates = by_rate(taxed(lines, rounding))
    tax = sum((r.tax for r in rates), Decimal("0.00"))
    return OrderTaxes(rounding, rates, order.total - tax, tax)


def rate_text(rate: Decimal | None, exempt: str) -> str:
    """``23 %``, ``25.5 %``; ``exempt`` for no VAT."""
    if rate is None:
        return exempt
    return f"{rate.normalize():f} %"
