"""An order's VAT as people read it: per rate net, tax and gross, and the order's net and tax.
Computed from the lines' stored rates (the rates in force when the order was placed), the order's
discounts and fees and its type's rounding rule, the same way for the API, the pages and invoices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordo.kept import Kept
from ordo.orders.models import Order, OrderItem, OrderType
from ordo.taxes.compute import RateTotal, by_rate, order_lines, taxed
from ordo.taxes.rates import Rates


@dataclass(frozen=True)
class OrderTaxes:
    rounding: str
    rates: list[RateTotal]
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class TaxRules:
    """What an order type decides about VAT."""

    country: str
    rounding: str
    included: bool


#: Each order type's VAT rules, kept per process like the order types themselves (``ordo.kept``;
#: forgotten at once when a type is saved here, see ``orders.apps``).
TAX_RULES: Kept[str, TaxRules | None] = Kept("order types' VAT rules", seconds=5.0, group="order types")


def tax_rules(order_type: str) -> TaxRules | None:
    """None where the type keeps no VAT (no tax country)."""
    return TAX_RULES.get(order_type, lambda: _tax_rules_read(order_type))


def _tax_rules_read(order_type: str) -> TaxRules | None:
    found = (
        OrderType.objects.filter(code=order_type)
        .values_list("tax_country", "tax_rounding", "prices_include_tax")
        .first()
    )
    if found is None or not found[0]:
        return None
    return TaxRules(*found)


def rate_totals(
    rules: TaxRules,
    *,
    placed: Callable[[], date],
    line_totals: Sequence[Decimal],
    rates: Sequence[Decimal | None],
    discount: Decimal,
    fees: Decimal,
) -> list[RateTotal]:
    """VAT per rate of lines with their totals and rates, the discount spread over them and the
    fee at the standard rate of the day the order was placed (``placed``: asked only when there
    is a fee — the site's date of a moment took a fifth of the whole)."""
    fee_rate = Rates(rules.country, placed()).rate("standard") if fees else None
    lines = order_lines(line_totals, rates, discount=discount, fees=fees, fee_rate=fee_rate)
    return by_rate(taxed(lines, rules.rounding, included=rules.included))


def _order_rates(order: Order, items: Sequence[OrderItem], rules: TaxRules) -> list[RateTotal]:
    """The order's VAT per rate, from its items' stored rates, discount and fees."""
    return rate_totals(
        rules,
        placed=lambda: timezone.localdate(order.placed_at),
        line_totals=[item.line_total for item in items],
        rates=[item.tax_rate for item in items],
        discount=order.discount,
        fees=order.fees,
    )


def vat_on_top(order: Order, items: Sequence[OrderItem]) -> Decimal:
    """The VAT an order of a net-priced type adds to its goods and fees (0 where prices include it)."""
    rules = tax_rules(order.type)
    if rules is None or rules.included:
        return Decimal("0.00")
    return sum((r.tax for r in _order_rates(order, items, rules)), Decimal("0.00"))


def order_taxes(order: Order, items: Sequence[OrderItem]) -> OrderTaxes | None:
    """None where the order's type keeps no VAT (no tax country)."""
    rules = tax_rules(order.type)
    if rules is None:
        return None
    rates = _order_rates(order, items, rules)
    tax = sum((r.tax for r in rates), Decimal("0.00"))
    return OrderTaxes(rules.rounding, rates, order.total - tax, tax)


def rate_text(rate: Decimal | None, exempt: str, language: str = "en") -> str:
    """``23 %``, ``25,5 %`` as ``language`` writes the number; ``exempt`` for no VAT."""
    if rate is None:
        return exempt
    return f"{format_decimal(rate.normalize(), locale=language)} %"


#: The classes the presets ship, as people name them; another class shows its code.
CLASS_LABELS = {
    "standard": gettext_lazy("Standard rate"),
    "reduced": gettext_lazy("Reduced rate"),
    "super_reduced": gettext_lazy("Super-reduced rate"),
    "zero": gettext_lazy("Zero rate"),
    "exempt": gettext_lazy("Exempt from VAT"),
}


def tax_choices(order_type: str, language: str = "en") -> list[tuple[str, str]]:
    """The VAT classes a free line of ``order_type`` may take today, with their rates ("": the
    catalogue's class, else standard); empty where the type keeps no VAT."""
    rules = tax_rules(order_type) if order_type else None
    if rules is None:
        return []
    known = Rates(rules.country, timezone.localdate()).known
    return [("", _("As in the catalogue (standard)"))] + [
        (code, f"{CLASS_LABELS.get(code, code)} · {rate_text(rate, _('exempt'), language)}")
        for code, rate in sorted(known.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0)))
    ]
