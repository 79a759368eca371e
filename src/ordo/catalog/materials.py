"""Furniture materials: items name what they are made of; full payment starts production only when
every material is in stock (else the order waits for materials), starting production takes them
from stock, finishing consumes them, and an arrival moves the waiting orders on, the one that has
waited longest first, as far as the stock goes.

The guards ``materials_in_stock`` / ``materials_short`` read the items' ``in_stock`` facts, which
``shortages`` fills in from the stock rows it locks: what it saw still holds when the transition's
``take_materials`` effect holds the units, so two orders paid at once cannot both take the last board.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Material, Product, Reservation, Stock
from ordo.catalog.stock import free_units, take
from ordo.errors import DomainError
from ordo.jobs.models import Job
from ordo.jobs.runner import handler
from ordo.orders.effects import EffectCall, effect
from ordo.orders.models import Order, OrderItem
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, lock_order
from ordo.orders.snapshots import SHORTAGES
from ordo.orders.workflows import compiled
from ordo.workflow.snapshot import SYSTEM, Actor

MAX_MATERIALS = 50
STOCK_ARRIVED = "stock.arrived"


@dataclass(frozen=True)
class MaterialLine:
    sku: str
    quantity: int


def materials_products(lines: Sequence[MaterialLine]) -> dict[str, Product]:
    """The products the lines name, checked: known SKUs, each once, sensible quantities."""
    skus = [line.sku for line in lines]
    if len(lines) > MAX_MATERIALS:
        raise DomainError(CatalogErrorCode.INVALID_STOCK, f"An item names at most {MAX_MATERIALS} materials.")
    if len(set(skus)) != len(skus):
        raise DomainError(CatalogErrorCode.INVALID_STOCK, "Name each material once per item.")
    if any(not 1 <= line.quantity <= 1_000_000 for line in lines):
        raise DomainError(CatalogErrorCode.INVALID_STOCK, "A material's quantity is between 1 and 1000000.")
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    unknown = [sku for sku in skus if sku not in products]
    if unknown:
        raise DomainError(
            CatalogErrorCode.UNKNOWN_PRODUCT, f"No product has the SKU {', '.join(unknown)}.", skus=unknown
        )
    return products


def materials_attach(item: OrderItem, lines: Sequence[MaterialLine]) -> None:
    """Record what a new item is made of (in the transaction that makes the item)."""
    products = materials_products(lines)
    Material.objects.bulk_create(
        Material(item=item, product=products[line.sku], quantity=line.quantity) for line in lines
    )


def materials_set(
    *, number: int, item_id: int, lines: Sequence[MaterialLine], actor: Actor, visible: QuerySet[Order]
) -> Order:
    """Replace an item's materials (staff, while production has not taken them)."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.EDIT)
        item = unit.item(item_id)
        if Reservation.objects.filter(item=item).exclude(state=Reservation.State.RELEASED).exists():
            raise DomainError(
                CatalogErrorCode.MATERIALS_TAKEN,
                f"The materials of item {item_id} were taken from stock already; they cannot change.",
            )
        Material.objects.filter(item=item).delete()
        materials_attach(item, lines)  # a refused line rolls the deletion back
        unit.note("materials_changed", {"item": item.pk, "materials": [[line.sku, line.quantity] for line in lines]})
        unit.flush()
    return unit.order


def _needs(items: Sequence[OrderItem]) -> list[tuple[int, int, int]]:
    """(item, product, units still to take) for each material of the items: held or consumed
    units were taken already."""
    rows = list(
        Material.objects.filter(item__in=[i.pk for i in items])
        .order_by("item_id", "product_id")
        .values_list("item_id", "product_id", "quantity")
    )
    if not rows:
        return []
    held_units: dict[tuple[int, int], int] = defaultdict(int)
    for item_id, product_id, units in (
        Reservation.objects.filter(item__in=[i.pk for i in items])
        .exclude(state=Reservation.State.RELEASED)
        .values_list("item_id", "stock__product_id", "quantity")
    ):
        held_units[(item_id, product_id)] += units
    return [(item, product, qty - held_units[(item, product)]) for item, product, qty in rows]


def shortages(items: Sequence[OrderItem], *, lock: bool = True) -> set[int]:
    """The items whose materials are not all free in stock, the order's items sharing what is free.
    With ``lock`` (inside a transition) the stock rows stay locked until the transaction ends."""
    needs = [need for need in _needs(items) if need[2] > 0]
    if not needs:
        return set()
    rows = Stock.objects.filter(product_id__in={product for _, product, _ in needs}).order_by("id")
    if lock and connection.features.has_select_for_update:
        # In id order: two orders locking overlapping rows cannot deadlock.
        rows = rows.select_for_update()
    free: dict[int, int] = defaultdict(int)
    for product_id, on_hand, reserved in rows.values_list("product_id", "on_hand", "reserved"):
        free[product_id] += on_hand - reserved
    short = set()
    for item_id, product_id, units in needs:
        if units > free[product_id]:
            short.add(item_id)
        else:
            free[product_id] -= units
    return short


SHORTAGES.append(shortages)


@effect("take_materials")
def take_materials(call: EffectCall) -> None:
    """Production starts: hold every material of the order's items (the guard saw them free
    under lock, so they are all there)."""
    unit = call.unit
    items = {item.pk: item for item in unit.items}
    for item_id, product_id, units in _needs(unit.items):
        if units > 0 and take(unit, items[item_id], product_id, units) < units:
            raise DomainError(
                CatalogErrorCode.INVALID_STOCK,
                f"Materials of order {unit.order.number} were taken by another order meanwhile; try again.",
            )
    # Production has what it needs: items marked out of stock by hand are not any more.
    marked = [item for item in unit.items if not item.in_stock]
    for item in marked:
        item.in_stock = True
    OrderItem.objects.bulk_update(marked, ["in_stock"])


def _waiting(product_id: int) -> list[int]:
    """Numbers of orders in a status an arrival may move them out of, needing the product,
    the one that has waited longest first."""
    numbers: list[int] = []
    statuses_by_workflow: dict[int, set[str]] = {}
    for row in WorkflowRow.objects.all():
        workflow = compiled(row)
        sources = {
            source
            for rule in workflow.rules_for(STOCK_ARRIVED)
            for code in rule.transitions
            if (t := workflow.transition(code)) is not None
            for source in t.sources
        }
        if sources:
            statuses_by_workflow[row.pk] = sources
    for workflow_id, statuses in statuses_by_workflow.items():
        numbers += (
            Order.objects.filter(workflow_id=workflow_id, status__in=statuses, items__materials__product_id=product_id)
            .distinct()
            .values_list("number", flat=True)
        )
    order_by_wait = dict(Order.objects.filter(number__in=numbers).values_list("number", "status_since"))
    return sorted(numbers, key=lambda n: (order_by_wait[n], n))


@handler("materials_arrived")
def materials_arrived(job: Job) -> None:
    """Stock of a product became free: fire ``stock.arrived`` for the orders waiting on it, the
    longest-waiting first, each in its own transaction, until the free units run out."""
    product_id = int(job.payload["product"])
    for number in _waiting(product_id):
        if free_units(product_id) <= 0:
            return
        with transaction.atomic(durable=True):
            unit = OrderUnit(lock_order(number), actor=SYSTEM)
            if unit.fire_event(STOCK_ARRIVED) is not None:
                unit.flush()
