"""Which VAT rate an order line carries: its tax class's rate in the order type's country, in
force on the day the order was placed."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ordo.kept import Kept
from ordo.taxes.models import CategoryClass, TaxRate

DEFAULT_CLASS = "standard"


#: How long a process trusts the rates it read (an admin's change reaches other processes within it;
#: the process that saves a rate forgets at once). Rates change seldom, and from a day set ahead.
KEEP_FOR = 60.0
_read: dict[tuple[str, date], tuple[float, dict[str, Decimal | None]]] = {}
_categories: list[tuple[float, dict[str, str]]] = []


class Rates:
    """A country's rates as they stood on ``day``: ``rate(tax_class)`` (None: exempt or unknown).
    Placing an order asks for them: read once a minute per process, not once per order."""

    def __init__(self, country: str, day: date):
        kept = _read.get((country, day))
        if kept is not None and time.monotonic() - kept[0] < KEEP_FOR:
            self.known = kept[1]
            return
        self.known = {}
        rows = TaxRate.objects.filter(country=country, valid_from__lte=day).order_by("tax_class", "-valid_from")
        for tax_class, rate in rows.values_list("tax_class", "rate"):
            self.known.setdefault(tax_class, rate)  # the latest row on or before the day
        _read[(country, day)] = (time.monotonic(), self.known)

    def rate(self, tax_class: str) -> Decimal | None:
        return self.known.get(tax_class or DEFAULT_CLASS, self.known.get(DEFAULT_CLASS))


def forget_rates(**_: object) -> None:
    """Read the rates and category classes afresh next time (one was saved or deleted here; tests)."""
    _read.clear()
    _categories.clear()


def category_classes() -> dict[str, str]:
    """Each catalogue category's VAT class, read once a minute per process like the rates."""
    if not _categories or time.monotonic() - _categories[0][0] >= KEEP_FOR:
        _categories[:] = [(time.monotonic(), dict(CategoryClass.objects.values_list("category", "tax_class")))]
    return _categories[0][1]


def product_class(tax_class: str, category: str) -> str:
    """A product's VAT class: its own, else its category's, else "" (``standard``)."""
    return tax_class or (category_classes().get(category, "") if category else "")


#: Each SKU's own class and category ("", "" for a SKU the catalogue lacks), kept like the rates:
#: read once a minute per process, forgotten at once when a product is saved here.
PRODUCT_CLASSES: Kept[str, tuple[str, str]] = Kept("product tax classes", seconds=KEEP_FOR)


def classes_of(skus: Iterable[str]) -> dict[str, str]:
    """The tax class of each catalogue SKU among ``skus`` (one query for those not kept)."""
    wanted = set(skus)
    missing = [sku for sku in wanted if not PRODUCT_CLASSES.has(sku)]
    if missing:
        from ordo.catalog.models import Product

        found = {
            sku: (tax_class, category)
            for sku, tax_class, category in Product.objects.filter(sku__in=missing).values_list(
                "sku", "tax_class", "category"
            )
        }
        for sku in missing:
            PRODUCT_CLASSES.put(sku, found.get(sku, ("", "")))
    classes = {sku: product_class(*PRODUCT_CLASSES.get(sku, lambda: ("", ""))) for sku in wanted}
    return {sku: tax_class for sku, tax_class in classes.items() if tax_class}
