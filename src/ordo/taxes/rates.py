"""Which VAT rate an order line carries: its tax class's rate in the order type's country, in
force on the day the order was placed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ordo.kept import Kept, forgetter
from ordo.taxes.models import CategoryClass, TaxRate

DEFAULT_CLASS = "standard"


#: How long a process trusts the rates it read (an admin's change reaches other processes within it;
#: the process that saves a rate forgets at once). Rates change seldom, and from a day set ahead.
KEEP_FOR = 60.0
RATES: Kept[tuple[str, date], dict[str, Decimal | None]] = Kept("tax rates", KEEP_FOR, group="tax rates")
CATEGORY_CLASSES: Kept[str, dict[str, str]] = Kept("category tax classes", KEEP_FOR, group="tax rates")
#: Read the rates and category classes afresh next time (one was saved or deleted here).
forget_rates = forgetter("tax rates")


def _rates_read(country: str, day: date) -> dict[str, Decimal | None]:
    known: dict[str, Decimal | None] = {}
    rows = TaxRate.objects.filter(country=country, valid_from__lte=day).order_by("tax_class", "-valid_from")
    for tax_class, rate in rows.values_list("tax_class", "rate"):
        known.setdefault(tax_class, rate)  # the latest row on or before the day
    return known


class Rates:
    """A country's rates as they stood on ``day``: ``rate(tax_class)`` (None: exempt or unknown).
    Placing an order asks for them: read once a minute per process, not once per order."""

    def __init__(self, country: str, day: date):
        self.known = RATES.get((country, day), lambda: _rates_read(country, day))

    def rate(self, tax_class: str) -> Decimal | None:
        return self.known.get(tax_class or DEFAULT_CLASS, self.known.get(DEFAULT_CLASS))


def category_classes() -> dict[str, str]:
    """Each catalogue category's VAT class, read once a minute per process like the rates."""
    return CATEGORY_CLASSES.get("all", lambda: dict(CategoryClass.objects.values_list("category", "tax_class")))


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
