"""The timer sweep: due orders moved per second (status, history and outbox rows), against a loop
calling ``order_transition`` once per order — the same work done one order at a time."""

from __future__ import annotations

import time
from datetime import timedelta

from bench.report import Row


def _due_orders(count: int, start: int) -> list[int]:
    from django.utils import timezone

    from ordo.accounts.models import Customer
    from ordo.orders.models import Order, OrderType

    print_type = OrderType.objects.get(code="regular")
    # A fresh database (``--only timers``) has no customer yet.
    customer = Customer.objects.order_by("id").first() or Customer.objects.create(
        name="Bench", email="bench@example.org"
    )
    weeks_ago = timezone.now() - timedelta(weeks=3)
    Order.objects.bulk_create(
        [
            Order(
                number=start + i,
                tracking_token=f"bench-timer-{start + i}",
                type="regular",
                source="api",
                workflow_id=print_type.workflow_id,
                status="placed",
                status_since=weeks_ago,
                currency="RUB",
                customer=customer,
                placed_at=weeks_ago,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    return list(range(start, start + count))


def run(*, due: int = 100_000, loop: int = 5_000) -> list[Row]:
    from django.db import connection

    from ordo.orders.models import Order, StatusChange
    from ordo.orders.services import order_transition
    from ordo.orders.timers import sweep
    from ordo.orders.workflows import preset_load_named
    from ordo.workflow.snapshot import SYSTEM

    preset_load_named("print")  # placed → in_print after two weeks
    looped = _due_orders(loop, 10_000_000)
    started = time.perf_counter()
    for number in looped:
        order_transition(number=number, transition="start_print", actor=SYSTEM, kind=StatusChange.Kind.TIMER)
    loop_rate = loop / (time.perf_counter() - started)

    _due_orders(due, 20_000_000)
    started = time.perf_counter()
    result = sweep()
    sweep_rate = result.moved / (time.perf_counter() - started)
    assert result.moved == due, result
    assert Order.objects.filter(status="in_print").count() == due + loop
    vendor = connection.vendor
    print(f"timers on {vendor}: sweep {sweep_rate:,.0f} orders/s ({due:,}), loop {loop_rate:,.0f}/s ({loop:,})")
    return [
        Row(f"timer sweep orders/s, {vendor}", sweep_rate, "/s", 5000),
        Row(f"the same through order_transition, {vendor}", loop_rate, "/s"),
        Row(f"sweep ÷ loop, {vendor}", sweep_rate / loop_rate, "×", 20),
    ]
