"""Auto-parts reservations: reserving an order starts a background stock check that holds what is
available and asks the customer to confirm, listing what is short; cancelling or letting the hold
lapse releases exactly what was held; shipping consumes it.

Stock is never oversold: a hold is one conditional UPDATE (``on_hand − reserved ≥ quantity``), so
concurrent checks on PostgreSQL cannot both take the last unit, and a CHECK constraint backs it up.
"""

from __future__ import annotations

from django.db import transaction

from ordo.catalog.models import Product
from ordo.catalog.stock import settle_holds, take
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
    settle_holds(call.unit, consume=False)


@effect("consume_stock")
def consume_stock(call: EffectCall) -> None:
    """The order left the warehouse: what was held for it is gone from stock."""
    settle_holds(call.unit, consume=True)


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
                item.reserved += take(unit, item, product.pk, item.quantity - item.reserved)
            if item.reserved < item.quantity:
                short.append({"sku": item.sku, "name": item.name, "quantity": item.quantity, "reserved": item.reserved})
        OrderItem.objects.bulk_update(unit.items, ["reserved"])
        current.stock_checked_at = unit.now
        unit.dirty.add("stock_checked_at")
        unit.note("stock_checked", {"short": short})
        unit.tell(Event("stock_checked", key=f"c{current.status_seq}", facts={"short": short}))
        unit.flush()
