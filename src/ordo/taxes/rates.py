"""Which VAT rate an order line carries: its tax class's rate in the order type's country, in
force on the day the order was placed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ordo.taxes.models import TaxRate

DEFAULT_CLASS = "standard"


class Rates:
    """A country's rates as they stood on ``day``: ``rate(tax_class)`` (None: exempt or unknown)."""

    def __init__(self, country: str, day: date):
        self.known: dict[str, Decimal | None] = {}
        rows = TaxRate.objects.filter(country=country, valid_from__lte=day).order_by("tax_class", "-valid_from")
        for tax_class, rate in rows.values_list("tax_class", "rate"):
            self.known.setdefault(tax_class, rate)  # the latest row on or before the day

    def rate(self, tax_class: str) -> Decimal | None:
        return self.known.get(tax_class or DEFAULT_CLASS, self.known.get(DEFAULT_CLASS))


def classes_of(skus: Iterable[str]) -> dict[str, str]:
    """The tax class of each catalogue SKU among ``skus`` (one query)."""
    from ordo.catalog.models import Product

    return dict(Product.objects.filter(sku__in=set(skus)).values_list("sku", "tax_class"))
