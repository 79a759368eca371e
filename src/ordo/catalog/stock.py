"""Moving stock: holding units for an order item (race-free), releasing and consuming holds, and
saying that stock became free so orders waiting for materials can move on."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F

from ordo.catalog.models import Material, Reservation, Stock, StockAlert
from ordo.jobs.models import Job
from ordo.jobs.runner import job_enqueue
from ordo.orders.models import OrderItem
from ordo.orders.services import OrderUnit


def settle_holds(unit: OrderUnit, *, consume: bool) -> None:
    """Release (or consume, when the goods leave) every unit held for the order."""
    held = Reservation.objects.filter(order=unit.order, state=Reservation.State.HELD)
    holds = list(held.select_related("stock").order_by("id"))
    for hold in holds:
        change = {"reserved": F("reserved") - hold.quantity}
        if consume:
            change["on_hand"] = F("on_hand") - hold.quantity
        Stock.objects.filter(pk=hold.stock_id).update(**change)
    state = Reservation.State.CONSUMED if consume else Reservation.State.RELEASED
    Reservation.objects.filter(pk__in=[h.pk for h in holds]).update(state=state)
    if not consume:
        OrderItem.objects.filter(order=unit.order, reserved__gt=0).update(reserved=0)
        unit._items = None
        stock_freed({hold.stock.product_id for hold in holds})


def hold(stock_id: int, quantity: int) -> bool:
    """Hold ``quantity`` units at one stock row if they are free; one statement, race-free."""
    table = Stock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reserved = reserved + %s WHERE id = %s AND on_hand - reserved >= %s",
            [quantity, stock_id, quantity],
        )
        return cursor.rowcount == 1


def take(unit: OrderUnit, item: OrderItem, product_id: int, wanted: int) -> int:
    """Hold up to ``wanted`` units of a product for an item, location by location in code order;
    returns how many were held."""
    taken = 0
    for stock in Stock.objects.filter(product_id=product_id).order_by("location__code"):
        while wanted - taken > 0:
            # Re-read what is free: another check may have taken some since.
            free = Stock.objects.filter(pk=stock.pk).values_list("on_hand", "reserved").first()
            available = (free[0] - free[1]) if free else 0
            amount = min(wanted - taken, available)
            if amount <= 0:
                break
            if hold(stock.pk, amount):
                Reservation.objects.create(order=unit.order, item=item, stock=stock, quantity=amount, at=unit.now)
                taken += amount
    return taken


def free_units(product_id: int) -> int:
    """Units of a product not held for any order, over all locations."""
    rows = Stock.objects.filter(product_id=product_id).values_list("on_hand", "reserved")
    return sum(on_hand - reserved for on_hand, reserved in rows)


def stock_freed(product_ids: Iterable[int]) -> None:
    """Units of these products became free (arrival, stocktake up, release): orders waiting for
    them as materials get a look first, then open back-in-stock alerts, each by a job after this
    commits (one pending job of a kind per product)."""
    for product_id in sorted(set(product_ids)):
        kinds = []
        if Material.objects.filter(product_id=product_id).exists():
            kinds.append("materials_arrived")
        if StockAlert.objects.filter(product_id=product_id, ended_at=None).exists():
            kinds.append("back_in_stock")
        for kind in kinds:
            pending = Job.objects.filter(kind=kind, status=Job.Status.PENDING)
            if not pending.filter(payload__product=product_id).exists():
                job_enqueue(kind, payload={"product": product_id})
