"""Auto-parts reservations: reserving an order starts a background stock check that holds what is
available and asks the customer to confirm, listing what is short; cancelling or letting the hold
lapse releases exactly what was held; shipping consumes it.

Stock is never oversold: a hold is one conditional UPDATE (``on_hand − reserved ≥ quantity``), so
concurrent checks on PostgreSQL cannot both take the last unit, and a CHECK constraint backs it up.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F

from ordo.catalog.models import Product, Reservation, Stock
from ordo.jobs.models import Job
from ordo.jobs.runner import handler, job_enqueue
from ordo.notifications.outbox import Event
from ordo.orders.effects import EffectCall, effect
from ordo.orders.models import Order, OrderItem
from ordo.orders.services import OrderUnit, lock_order
from ordo.workflow.snapshot import SYSTEM


@effect("check_stock")
def check_stock(call: EffectCall) -> None:
    """Start the background stock check of a new reservation (the job runs after this commits)."""
    unit = call.unit
    unit.order.stock_checked_at = None
    unit.dirty.add("stock_checked_at")
    job_enqueue("stock_check", order_id=unit.order.pk, payload={"status_seq": unit.order.status_seq})


@effect("release_stock")
def release_stock(call: EffectCall) -> None:
    """Give back every unit held for the order."""
    _settle_holds(call.unit, consume=False)


@effect("consume_stock")
def consume_stock(call: EffectCall) -> None:
    """The order left the warehouse: what was held for it is gone from stock."""
    _settle_holds(call.unit, consume=True)


def _settle_holds(unit: OrderUnit, *, consume: bool) -> None:
    holds = list(Reservation.objects.filter(order=unit.order, state=Reservation.State.HELD).order_by("id"))
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


def hold(stock_id: int, quantity: int) -> bool:
    """Hold ``quantity`` units at one stock row if they are free; one statement, race-free."""
    table = Stock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reserved = reserved + %s WHERE id = %s AND on_hand - reserved >= %s",
            [quantity, stock_id, quantity],
        )
        return cursor.rowcount == 1


def _take(item: OrderItem, product: Product, unit: OrderUnit) -> int:
    """Hold as much of the item as the product's locations have, in location order."""
    wanted = item.quantity - item.reserved
    taken = 0
    for stock in Stock.objects.filter(product=product).select_related("location").order_by("location__code"):
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


@handler("stock_check")
def stock_check(job: Job) -> None:
    """Hold what is available for each item of a reserved order, then ask the customer to confirm
    (e-mail and SMS by the workflow's ``stock_checked`` rule) with what is short listed.

    Idempotent: an order no longer in the reservation it was asked for, or already checked, is left alone.
    """
    if job.order_id is None:
        return
    with transaction.atomic(durable=True):
        order = Order.objects.filter(pk=job.order_id).values_list("number", flat=True).first()
        if order is None:
            return
        unit = OrderUnit(lock_order(order), actor=SYSTEM)
        current = unit.order
        if current.stock_checked_at is not None or current.status_seq != job.payload.get("status_seq"):
            return
        products = {p.sku: p for p in Product.objects.filter(sku__in=[i.sku for i in unit.items], active=True)}
        short = []
        for item in unit.items:
            product = products.get(item.sku)
            if product is not None:
                item.reserved += _take(item, product, unit)
            if item.reserved < item.quantity:
                short.append({"sku": item.sku, "name": item.name, "quantity": item.quantity, "reserved": item.reserved})
        OrderItem.objects.bulk_update(unit.items, ["reserved"])
        current.stock_checked_at = unit.now
        unit.dirty.add("stock_checked_at")
        unit.note("stock_checked", {"short": short})
        unit.tell(Event("stock_checked", key=f"c{current.status_seq}", facts={"short": short}))
        unit.flush()
