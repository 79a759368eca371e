"""Writes on the catalog: products, stock counts and arrivals, CSV imports, and customers editing
the items of an order still open for edits (auto-parts ``new``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, QuerySet

from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Location, Product, Stock
from ordo.catalog.stock import stock_freed
from ordo.errors import DomainError
from ordo.orders.discounts import reprice
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderItem
from ordo.orders.permissions import Action, require
from ordo.orders.services import ItemInput, OrderUnit, lock_order
from ordo.text import whole_number
from ordo.workflow.snapshot import Actor

CENT = Decimal("0.01")
MAX_QUANTITY = 1_000_000


def product_create(*, sku: str, name: str, price: Decimal, category: str = "", active: bool = True) -> Product:
    if Product.objects.filter(sku=sku).exists():
        raise DomainError(CatalogErrorCode.PRODUCT_EXISTS, f"A product with the SKU {sku!r} exists already.")
    return Product.objects.create(sku=sku, name=name, price=price, category=category, active=active)


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
    of ``category,active,location,on_hand``. All rows or none: every bad row is reported by line."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("sku", "name", "price") if c not in header]
    unknown = [c for c in header if c not in IMPORT_COLUMNS]
    if missing or unknown:
        raise DomainError(
            CatalogErrorCode.INVALID_IMPORT,
            f"Columns: need {', '.join(missing) or '—'}; unknown {', '.join(unknown) or '—'}.",
            problems=[f"missing column {c}" for c in missing] + [f"unknown column {c}" for c in unknown],
        )
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        sku, name = (row.get("sku") or "").strip(), (row.get("name") or "").strip()
        try:
            price = Decimal((row.get("price") or "").strip())
            if price < 0 or price != price.quantize(CENT):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"line {line}: price {row.get('price')!r} is not an amount")
            continue
        count = (row.get("on_hand") or "").strip()
        on_hand = whole_number(count)
        if not sku or not name or len(sku) > 64:
            problems.append(f"line {line}: sku and name are required (sku at most 64 characters)")
        elif count and (on_hand is None or on_hand > MAX_QUANTITY or not (row.get("location") or "").strip()):
            problems.append(f"line {line}: on_hand needs a location and a whole number up to {MAX_QUANTITY}")
        else:
            rows.append((sku, name, price, row, count))
    if problems:
        raise DomainError(CatalogErrorCode.INVALID_IMPORT, "; ".join(problems[:20]), problems=problems)
    created = updated = 0
    with transaction.atomic():
        for sku, name, price, row, count in rows:
            active = (row.get("active") or "1").strip().lower() not in ("0", "false", "no")
            _, made = Product.objects.update_or_create(
                sku=sku,
                defaults={
                    "name": name,
                    "price": price,
                    "category": (row.get("category") or "").strip(),
                    "active": active,
                },
            )
            created, updated = created + made, updated + (not made)
            if count:
                stock_set(sku=sku, location=row["location"].strip(), on_hand=int(count))
    return Imported(created, updated)


@dataclass(frozen=True)
class LineEdit:
    sku: str
    quantity: int


def order_items_edit(
    *, number: int, lines: Sequence[LineEdit], actor: Actor, visible: QuerySet[Order] | None = None
) -> Order:
    """Replace an order's items while its status is open for edits (auto-parts ``new``): add,
    remove, change quantities. Names and prices come from the catalog; lines kept by SKU keep their
    ids. Totals, discounts and the fee are recomputed."""
    skus = [line.sku for line in lines]
    if not lines or len(set(skus)) != len(skus) or any(not 1 <= line.quantity <= MAX_QUANTITY for line in lines):
        raise DomainError(
            OrderErrorCode.INVALID_ITEMS,
            "List each SKU once, with a quantity of at least 1; an order keeps one item.",
        )
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.EDIT_ITEMS)
        order = unit.order
        status = unit.workflow.status(order.status)
        if status is None or not status.editable or order.payment_status != "unpaid":
            raise DomainError(
                CatalogErrorCode.ITEMS_LOCKED, f"Order {number} is {order.status}: its items can no longer change."
            )
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus, active=True)}
        unknown = [sku for sku in skus if sku not in products]
        if unknown:
            raise DomainError(
                CatalogErrorCode.UNKNOWN_PRODUCT, f"Not in the catalog: {', '.join(unknown)}.", skus=unknown
            )
        existing = {item.sku: item for item in unit.items}
        before = [(i.sku, i.quantity) for i in unit.items]
        OrderItem.objects.filter(order=order).exclude(sku__in=skus).delete()
        position = max((i.position for i in unit.items), default=0)
        for line in lines:
            product = products[line.sku]
            item = existing.get(line.sku)
            if item is None:
                position += 1
                OrderItem.objects.create(
                    order=order,
                    position=position,
                    sku=product.sku,
                    name=product.name,
                    category=product.category,
                    quantity=line.quantity,
                    unit_price=product.price,
                )
            elif item.quantity != line.quantity:
                item.quantity = line.quantity
                item.save(update_fields=["quantity"])
        unit._items = None
        unit.note("items_edited", {"before": before, "after": [(line.sku, line.quantity) for line in lines]})
        reprice(unit)
        unit.flush()
    return unit.order


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
