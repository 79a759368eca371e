"""Stock and paperwork: invoice PDFs issued through the services (render + number + store), and an
arrival releasing furniture orders waiting for materials (the materials_arrived job)."""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from bench.report import Row


def run(*, documents: int = 40, waiting: int = 300) -> list[Row]:
    from ordo.accounts.roles import actor_for
    from ordo.accounts.services import user_create
    from ordo.catalog.materials import MaterialLine, materials_attach
    from ordo.catalog.services import catalog_import, stock_receive
    from ordo.documents.services import document_issue
    from ordo.jobs.runner import run_due
    from ordo.orders.models import Order
    from ordo.orders.selectors import orders_visible_to
    from ordo.orders.services import ItemInput, order_place
    from ordo.orders.workflows import preset_load_named
    from ordo.payments.services import payment_record

    preset_load_named("furniture")
    admin, _ = user_create(username="bench-docs", role="admin")
    buyer, _ = user_create(username="bench-docs-buyer", role="customer")
    actor, visible = actor_for(admin), orders_visible_to(admin)
    items = [ItemInput(f"PART-{n}", f"Cabinet part {n}", 2, Decimal("1250.00")) for n in range(12)]

    numbers = [order_place(actor=actor, customer=buyer.customer, items=items).number for _ in range(documents)]
    took = []
    for number in numbers:
        started = time.perf_counter()
        document_issue(number=number, kind="invoice", actor=actor, visible=visible)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    p50, p99 = statistics.median(took), took[min(len(took) - 1, round(len(took) * 0.99))]
    print(f"documents: {documents} invoices (12 lines): p50 {p50:.0f} ms, p99 {p99:.0f} ms")

    # Orders paid while the board is out of stock, then one arrival for all of them.
    catalog_import("sku,name,price,location,on_hand\nBOARD,Oak board,10.00,main,0\n")
    part = [ItemInput("WR", "Wardrobe", 1, Decimal("100.00"))]
    waiting_numbers = []
    for _ in range(waiting):
        order = order_place(
            actor=actor,
            customer=buyer.customer,
            items=part,
            payment_channel="cash",
            then=lambda order: materials_attach(order.items.get(), [MaterialLine("BOARD", 2)]),
        )
        # Set up straight in awaiting_payment (the review steps are not what is measured).
        Order.objects.filter(pk=order.pk).update(status="awaiting_payment")
        payment_record(number=order.number, amount=Decimal("100.00"), actor=actor)
        waiting_numbers.append(order.number)
    started = time.perf_counter()
    stock_receive(sku="BOARD", location="main", quantity=2 * waiting)
    while run_due(worker="bench", limit=10):
        pass
    seconds = time.perf_counter() - started
    moved = Order.objects.filter(number__in=waiting_numbers, status="in_production").count()
    assert moved == waiting, moved
    print(
        f"materials: {waiting} waiting orders released by one arrival in {seconds:.2f} s ({waiting / seconds:,.0f}/s)"
    )
    return [
        Row("invoice PDF issued, p50", p50, "ms"),
        Row("invoice PDF issued, p99", p99, "ms"),
        Row("orders released by a materials arrival/s", waiting / seconds, "/s"),
    ]
