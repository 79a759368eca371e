"""Item lines as a clerk types them, in order entry and in the card's item editor: rows of SKU,
name, quantity and price. A row with a catalog SKU alone takes the product's name and price (so the
form works without the picker's JavaScript too); a row the catalog does not know needs a name and a
price. What was typed comes back unchanged with the errors, so nothing typed is lost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _

from ordo.catalog.models import Product
from ordo.text import whole_number
from ordo.web.pages import parse_amount

FIELDS = ("line_sku", "line_name", "line_qty", "line_price", "line_tax")


@dataclass(frozen=True)
class Typed:
    """One row as typed (strings, for showing the form again)."""

    sku: str = ""
    name: str = ""
    qty: str = "1"
    price: str = ""
    tax: str = ""
    #: The VAT rate a line already in the order carries (shown, not chosen again).
    rate: str = ""

    @property
    def blank(self) -> bool:
        return not (self.sku.strip() or self.name.strip() or self.price.strip())

    def shown(self) -> dict[str, str]:
        return {
            "sku": self.sku,
            "name": self.name,
            "qty": self.qty,
            "price": self.price,
            "tax": self.tax,
            "rate": self.rate,
        }


@dataclass(frozen=True)
class Line:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None  # None: the catalog's price (or the line's own, when it exists)
    tax_class: str = ""  # a free line's VAT class ("": standard)


def typed_rows(post: QueryDict) -> list[Typed]:
    columns = [post.getlist(name) for name in FIELDS]
    count = max((len(column) for column in columns), default=0)

    def cell(column: list[str], i: int, default: str = "") -> str:
        return column[i] if i < len(column) else default

    return [Typed(*(cell(column, i) for column in columns)) for i in range(count)]


def lines_read(
    rows: list[Typed], *, zero_removes: bool = False, from_catalog: bool = False
) -> tuple[list[Line], list[str]]:
    """The lines the rows mean, and one error per row that means nothing sensible. Blank rows are
    skipped; with ``zero_removes`` a quantity of 0 drops the line (the card's editor); with
    ``from_catalog`` a catalog SKU's name and price fill what the clerk left empty (order entry)."""
    known = {p.sku: p for p in Product.objects.filter(sku__in=[r.sku.strip() for r in rows if r.sku.strip()])}
    lines: list[Line] = []
    errors: list[str] = []
    for n, row in enumerate(rows, start=1):
        if row.blank:
            continue
        sku, name = row.sku.strip(), row.name.strip()
        quantity = whole_number(row.qty)
        price = parse_amount(row.price) if row.price.strip() else None
        if zero_removes and quantity == 0:
            continue
        if quantity is None or quantity < 1:
            errors.append(_("Row %(n)s: the quantity is a whole number of at least 1.") % {"n": n})
            continue
        if row.price.strip() and (price is None or price < 0):
            errors.append(_("Row %(n)s: the price is a number like 12.50.") % {"n": n})
            continue
        product = known.get(sku)
        if product is None and (not name or price is None) and not zero_removes:
            errors.append(
                _("Row %(n)s: %(sku)s is not in the catalogue; give the line a name and a price.")
                % {"n": n, "sku": sku or "—"}
            )
            continue
        if from_catalog and product is not None:
            name = name or product.name
            price = price if price is not None else product.price
        tax_class = "" if product is not None else row.tax.strip()
        lines.append(Line(sku=sku or name[:64], name=name, quantity=quantity, unit_price=price, tax_class=tax_class))
    return lines, errors
