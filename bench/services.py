"""Orders placed and transitions fired per second through the services, each in its own transaction."""

from __future__ import annotations

import time
from decimal import Decimal

from bench.report import Row, peak_rss_mib


def run(*, orders: int, transitions: int) -> list[Row]:
    from django.db import connection

    from ordo.accounts.roles import actor_for
    from ordo.accounts.services import user_create
    from ordo.orders.models import Order, StatusChange
    from ordo.orders.services import ItemInput, order_place, order_transition
    from ordo.orders.workflows import preset_load_named

    preset_load_named("shop")
    admin, _ = user_create(username="bench-admin", role="admin")
    buyer, _ = user_create(username="bench-buyer", role="customer")
    actor = actor_for(admin)
    items = [
        ItemInput("MUG-01", "Ceramic mug", 2, Decimal("39.00")),
        ItemInput("TEA-200", "Green tea 200 g", 1, Decimal("54.50")),
        ItemInput("BAG-03", "Canvas bag", 1, Decimal("79.00")),
    ]
    vendor = connection.vendor
    print(f"services on {vendor}: placing {orders} orders (3 items each), then {transitions} transitions")

    started = time.perf_counter()
    numbers = [order_place(actor=actor, customer=buyer.customer, items=items).number for _ in range(orders)]
    placed_per_s = orders / (time.perf_counter() - started)

    # Each order goes new → cancelled → new …: "cancel" and "reopen" are both the admin's.
    cycle = ("cancel", "reopen")
    started = time.perf_counter()
    for i in range(transitions):
        number = numbers[i % len(numbers)]
        order_transition(number=number, transition=cycle[(i // len(numbers)) % 2], actor=actor)
    fired_per_s = transitions / (time.perf_counter() - started)

    assert Order.objects.count() == orders
    assert StatusChange.objects.exclude(transition="place").count() == transitions
    target_place, target_fire = (1000, 2000) if vendor == "sqlite" else (400, 550)
    return [
        Row(f"orders placed/s, services, {vendor}", placed_per_s, "/s", target_place),
        Row(f"transitions/s, services, {vendor}", fired_per_s, "/s", target_fire),
        Row("peak memory of the bench process", peak_rss_mib(), "MiB"),
    ]
