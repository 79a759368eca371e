"""Writes on the catalog: products, stock counts and arrivals, CSV imports, and customers editing
the items of an order still open for edits (auto-parts ``new``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Location, Product, Reservation, Stock
from ordo.catalog.stock import stock_freed
from ordo.errors import DomainError
from ordo.orders.discounts import reprice
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import MAX_MONEY, Order, OrderItem, OrderType
from ordo.orders.permissions import Action, require
from ordo.orders.services import ItemInput, OrderUnit, lock_order
from ordo.taxes.models import TaxRate
from ordo.taxes.present import tax_rules
from ordo.taxes.rates import Rates, product_class
from ordo.text import whole_number
from ordo.workflow.snapshot import Actor

CENT = Decimal("0.01")
MAX_QUANTITY = 1_000_000


def _longest(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField)
    assert field.max_length is not None
    return field.max_length


#: What the import takes of a row: what the columns hold, and the product endpoint's price limit.
SKU_MAX, NAME_MAX, CATEGORY_MAX = (_longest(Product, name) for name in ("sku", "name", "category"))
LOCATION_MAX = _longest(Location, "code")
PRICE_LIMIT = Decimal("1000000000")
_LOCATION = re.compile(rf"^[-a-zA-Z0-9_]{{1,{LOCATION_MAX}}}$")


def product_create(
    *, sku: str, name: str, price: Decimal, category: str = "", active: bool = True, tax_class: str = ""
) -> Product:
    sku, name = sku.strip(), name.strip()
    if not sku or not name or len(sku) > SKU_MAX:
        raise DomainError(
            CatalogErrorCode.INVALID_PRODUCT, f"A product needs a SKU (up to {SKU_MAX} characters) and a name."
        )
    if not (price.is_finite() and 0 <= price <= MAX_MONEY and price == price.quantize(CENT)):
        raise DomainError(
            CatalogErrorCode.INVALID_PRODUCT, f"A price is from 0 to {MAX_MONEY} with at most 2 decimals."
        )
    tax_class_check(tax_class)
    if Product.objects.filter(sku=sku).exists():
        raise DomainError(CatalogErrorCode.PRODUCT_EXISTS, f"A product with the SKU {sku!r} exists already.")
    return Product.objects.create(
        sku=sku, name=name, price=price, category=category, active=active, tax_class=tax_class
    )


def tax_class_check(tax_class: str) -> None:
    """Refuse a VAT class no rate is kept for ("" is fine: the category's, else standard)."""
    known = set(TaxRate.objects.values_list("tax_class", flat=True).distinct())
    if tax_class and tax_class not in known:
        raise DomainError(
            CatalogErrorCode.INVALID_PRODUCT,
            f"Unknown tax class {tax_class!r}; the classes are {', '.join(sorted(known)) or 'none'}.",
            tax_classes=sorted(known),
        )


def product_get(sku: str) -> Product:
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"No product has the SKU {sku!r}.")
    return product


def _stock_row(product: Product, location_code: str) -> Stock:
    location, _ = Location.objects.get_or_create(code=location_code, defaults={"name": location_code})
    stock, _ = Stock.objects.get_or_create(product=product, location=location)
    return stock


def stock_set(*, sku: str, location: str, on_hand: int) -> Stock:
    """Set the count of a product at a location (a stocktake). It cannot go below what is held
    for orders: release those first."""
    if not 0 <= on_hand <= MAX_QUANTITY:
        raise DomainError(CatalogErrorCode.INVALID_STOCK, f"A count is between 0 and {MAX_QUANTITY}.")
    with transaction.atomic():
        stock = _stock_row(product_get(sku), location)
        updated = Stock.objects.filter(pk=stock.pk, reserved__lte=on_hand).update(on_hand=on_hand)
        if not updated:
            stock.refresh_from_db()
            raise DomainError(
                CatalogErrorCode.INVALID_STOCK,
                f"{stock.reserved} of {sku} at {location} are held for orders; the count cannot be lower.",
            )
        if on_hand > stock.on_hand:
            stock_freed([stock.product_id])
    stock.refresh_from_db()
    return stock


def stock_receive(*, sku: str, location: str, quantity: int) -> Stock:
    """Goods arrived: add them to the location's count."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(CatalogErrorCode.INVALID_STOCK, f"An arrival is between 1 and {MAX_QUANTITY} units.")
    with transaction.atomic():
        stock = _stock_row(product_get(sku), location)
        Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity)
        stock_freed([stock.product_id])
    stock.refresh_from_db()
    return stock


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int


IMPORT_COLUMNS = ("sku", "name", "price", "category", "active", "location", "on_hand")


def catalog_import(text: str) -> Imported:
    """Products (and optionally stock counts) from CSV with a header row: ``sku,name,price`` and any
    of ``category,active,location,on_hand``. All rows or none: every bad row is reported by line,
    by the rules the product and stock endpoints keep."""
    if "\x00" in text:
        raise DomainError(CatalogErrorCode.INVALID_IMPORT, "The file holds a NUL character: it is not CSV text.")
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        lines = list(enumerate(reader, start=2))
    except csv.Error as error:
        raise DomainError(
            CatalogErrorCode.INVALID_IMPORT, f"Line {reader.line_num} is not CSV as expected: {error}."
        ) from error
    missing = [c for c in ("sku", "name", "price") if c not in header]
    unknown = [c for c in header if c not in IMPORT_COLUMNS]
    if missing or unknown:
        raise DomainError(
            CatalogErrorCode.INVALID_IMPORT,
            f"Columns: need {', '.join(missing) or '—'}; unknown {', '.join(unknown) or '—'}.",
            problems=[f"missing column {c}" for c in missing] + [f"unknown column {c}" for c in unknown],
        )
    rows, problems = [], []
    for line, row in lines:
        sku, name = (row.get("sku") or "").strip(), (row.get("name") or "").strip()
        try:
            price = Decimal((row.get("price") or "").strip())
            if price < 0 or price >= PRICE_LIMIT or price != price.quantize(CENT):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"line {line}: price {row.get('price')!r} is not an amount below {PRICE_LIMIT}")
            continue
        count = (row.get("on_hand") or "").strip()
        on_hand = whole_number(count)
        location, category = (row.get("location") or "").strip(), (row.get("category") or "").strip()
        if not sku or not name or len(sku) > SKU_MAX or len(name) > NAME_MAX:
            problems.append(f"line {line}: sku and name are required (at most {SKU_MAX} and {NAME_MAX} characters)")
        elif len(category) > CATEGORY_MAX:
            problems.append(f"line {line}: a category is at most {CATEGORY_MAX} characters")
        elif count and (on_hand is None or on_hand > MAX_QUANTITY or not _LOCATION.match(location)):
            problems.append(
                f"line {line}: on_hand needs a location (letters, digits, - and _, at most {LOCATION_MAX}) "
                f"and a whole number up to {MAX_QUANTITY}"
            )
        else:
            rows.append((sku, name, price, category, row, count, location))
    if problems:
        raise DomainError(CatalogErrorCode.INVALID_IMPORT, "; ".join(problems[:20]), problems=problems)
    created = updated = 0
    with transaction.atomic():
        for sku, name, price, category, row, count, location in rows:
            active = (row.get("active") or "1").strip().lower() not in ("0", "false", "no")
            _, made = Product.objects.update_or_create(
                sku=sku, defaults={"name": name, "price": price, "category": category, "active": active}
            )
            created, updated = created + made, updated + (not made)
            if count:
                stock_set(sku=sku, location=location, on_hand=int(count))
    return Imported(created, updated)


@dataclass(frozen=True)
class LineEdit:
    """One line of an order's new item list. ``unit_price`` None keeps the line's price (a new line
    takes the catalog's); ``name`` is for a line the catalog does not know (a free line)."""

    sku: str
    quantity: int
    unit_price: Decimal | None = None
    name: str = ""
    #: A free line's VAT class ("": ``standard``); a catalogue line takes its product's.
    tax_class: str = ""


def _lines_check(lines: Sequence[LineEdit]) -> None:
    skus = [line.sku.strip() for line in lines]
    if not lines or len(set(skus)) != len(skus) or any(not sku for sku in skus):
        raise DomainError(OrderErrorCode.INVALID_ITEMS, "List each SKU once; an order keeps one item at least.")
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise DomainError(
                OrderErrorCode.INVALID_ITEMS,
                f"{line.sku}: a quantity is a whole number from 1 to {MAX_QUANTITY:,}.",
                sku=line.sku,
            )
        price = line.unit_price
        if price is not None and (
            not price.is_finite() or not 0 <= price <= MAX_MONEY or price != price.quantize(CENT)
        ):
            raise DomainError(
                OrderErrorCode.INVALID_ITEMS,
                f"{line.sku}: a price is from 0 to {MAX_MONEY} with at most 2 decimals.",
                sku=line.sku,
            )


def order_items_edit(
    *, number: int, lines: Sequence[LineEdit], actor: Actor, visible: QuerySet[Order] | None = None
) -> Order:
    """Replace an order's items while its workflow's status is open for edits and nothing is paid:
    add, remove, change quantities, and (managers) prices. A new line takes its name and price from
    the catalog; a SKU the catalog does not know is a free line, only where the order type takes
    them. Lines kept by SKU keep their ids. Totals, discounts and the fee are recomputed, and one
    activity row says what changed."""
    _lines_check(lines)
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.EDIT_ITEMS)
        order = unit.order
        status = unit.workflow.status(order.status)
        if status is None or not status.editable:
            label = status.label() if status else order.status
            raise DomainError(
                CatalogErrorCode.ITEMS_LOCKED,
                f"Order {number} is {label}: the workflow no longer lets its items change.",
                status=order.status,
            )
        if order.payment_status != "unpaid":
            raise DomainError(
                CatalogErrorCode.ITEMS_LOCKED,
                f"Order {number} is {order.payment_status.replace('_', ' ')}: paid items no longer change.",
                payment_status=order.payment_status,
            )
        if Reservation.objects.filter(order=order, state=Reservation.State.HELD).exists():
            # Deleting a line would orphan the units held for it (the stock count keeps them).
            raise DomainError(
                CatalogErrorCode.ITEMS_LOCKED,
                f"Stock is held for order {number}: its items can no longer change.",
                status=order.status,
            )
        existing = {item.sku: item for item in unit.items}
        wanted = [replace(line, sku=line.sku.strip()) for line in lines]
        products = {p.sku: p for p in Product.objects.filter(sku__in=[line.sku for line in wanted], active=True)}
        free = OrderType.objects.filter(code=order.type, free_lines=True).exists()
        unknown = [line.sku for line in wanted if line.sku not in products and line.sku not in existing]
        if unknown and not free:
            raise DomainError(
                CatalogErrorCode.UNKNOWN_PRODUCT, f"Not in the catalog: {', '.join(unknown)}.", skus=unknown
            )
        changes = _items_apply(unit, wanted, existing, products, actor)
        if not changes:
            return order
        unit._items = None
        unit.note("items_edited", {"changes": changes})
        reprice(unit)
        unit.settle()
        unit.flush()
    return unit.order


def _items_apply(
    unit: OrderUnit,
    lines: Sequence[LineEdit],
    existing: dict[str, OrderItem],
    products: dict[str, Product],
    actor: Actor,
) -> list[list[str]]:
    """Write the new item list; return what changed, as rows a person reads: ``[sku, what, from, to]``."""
    order = unit.order
    changes: list[list[str]] = []
    kept = {line.sku for line in lines}
    for old in existing.values():
        if old.sku not in kept:
            changes.append([old.sku, "removed", str(old.quantity), ""])
    OrderItem.objects.filter(order=order).exclude(sku__in=kept).delete()
    position = max((i.position for i in existing.values()), default=0)
    for line in lines:
        item = existing.get(line.sku)
        product = products.get(line.sku)
        if item is None:
            if product is not None:
                price = line.unit_price if line.unit_price is not None else product.price
                if price != product.price:
                    require(actor, Action.SET_PRICES)
            elif line.name.strip() and line.unit_price is not None:
                price = line.unit_price
            else:
                raise DomainError(
                    OrderErrorCode.INVALID_ITEMS,
                    f"{line.sku} is not in the catalog: give the line a name and a price.",
                    sku=line.sku,
                )
            position += 1
            OrderItem.objects.create(
                order=order,
                position=position,
                sku=line.sku,
                name=product.name if product is not None else line.name.strip()[:200],
                category=product.category if product is not None else "",
                quantity=line.quantity,
                unit_price=price,
                tax_rate=_rate_at_placing(order, product, line.tax_class),
            )
            changes.append([line.sku, "added", "", f"{line.quantity} × {price}"])
            continue
        fields = []
        if item.quantity != line.quantity:
            changes.append([line.sku, "quantity", str(item.quantity), str(line.quantity)])
            item.quantity = line.quantity
            fields.append("quantity")
        if line.unit_price is not None and line.unit_price != item.unit_price:
            require(actor, Action.SET_PRICES)
            changes.append([line.sku, "price", str(item.unit_price), str(line.unit_price)])
            item.unit_price = line.unit_price
            fields.append("unit_price")
        if fields:
            item.save(update_fields=fields)
    return changes


def _rate_at_placing(order: Order, product: Product | None, tax_class: str = "") -> Decimal | None:
    """A line added later carries the rate its class had when the order was placed."""
    rules = tax_rules(order.type)
    if rules is None:
        return None
    rates = Rates(rules.country, timezone.localdate(order.placed_at))
    if product is None:
        if tax_class and tax_class not in rates.known:
            raise DomainError(
                OrderErrorCode.INVALID_ITEMS,
                f"Unknown tax class {tax_class!r}.",
                tax_class=tax_class,
                tax_classes=sorted(rates.known),
            )
        return rates.rate(tax_class)
    return rates.rate(product_class(product.tax_class, product.category))


def catalog_priced(lines: Sequence[ItemInput], *, free_lines: bool = False) -> list[ItemInput]:
    """Items as a customer may order them: a SKU in the catalog gets the catalog's name, price and
    category (a customer does not set prices); an inactive product cannot be ordered, and a SKU the
    catalog does not know only where the order type takes free lines (custom work)."""
    products = {p.sku: p for p in Product.objects.filter(sku__in=[line.sku for line in lines])}
    inactive = sorted(sku for sku, p in products.items() if not p.active)
    if inactive:
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"No longer sold: {', '.join(inactive)}.", skus=inactive)
    unknown = sorted({line.sku for line in lines} - set(products))
    if unknown and not free_lines:
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"Not in the catalog: {', '.join(unknown)}.", skus=unknown)
    return [
        replace(line, name=p.name, unit_price=p.price, category=p.category) if (p := products.get(line.sku)) else line
        for line in lines
    ]
