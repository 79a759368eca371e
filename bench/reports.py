"""The dashboard and the time-in-status report on a big database: 1,000,000 orders with 5 history
rows each (5,000,000), their stays and payments, spread over two years. Served through Django's
full stack with a signed-in manager; prints p50/p99 server time and SQL queries per page at
10,000 orders and again at the full size, in the same run: a page reads one period, so neither
may grow with the data."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from bench.desk import _measure
from bench.report import Row

PATHS = {
    "dashboard, last 30 days": "/desk/dashboard",
    "dashboard, last 7 days": "/desk/dashboard?start={week}&end={today}",
    "where orders wait, last 30 days": "/desk/waits?workflow=shop",
    "where orders wait, last 7 days": "/desk/waits?workflow=shop&start={week}&end={today}",
    "API summary, last 30 days": "/api/v1/reports/summary",
    "API waits, last 30 days": "/api/v1/reports/waits?workflow=shop",
}
#: The shop workflow's way through: each order leaves four statuses (five history rows).
PATH = [("new", "start"), ("in_progress", "ship"), ("shipped", "deliver")]


def _fill(
    total: int,
    start: int,
    *,
    span_days: float,
    ago_days: float,
    customer_id: int,
    manager_ids: list[int],
    workflow_id: int,
) -> None:
    """``total`` delivered orders placed evenly over ``span_days`` days ending ``ago_days`` ago,
    each with its history rows, its stays and one payment."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ordo.orders.models import Order, StatusChange, Stay
    from ordo.payments.models import LedgerEntry

    rng = random.Random(start)
    now = timezone.now()
    step = timedelta(days=span_days) / max(total, 1)
    batch = 20_000
    for offset in range(0, total, batch):
        rows = range(offset, min(total, offset + batch))
        orders, history, stays, ledger = [], [], [], []
        times: list[list[datetime]] = []  # each order's moments: placed, then each status left
        for i in rows:
            number = start + i
            placed = now - timedelta(days=ago_days + span_days) + step * i
            moments = [placed]
            for _ in PATH:
                moments.append(moments[-1] + timedelta(minutes=rng.randint(5, 3000)))
            times.append(moments)
            final = min(moments[-1], now)
            orders.append(
                Order(
                    number=number,
                    external_number=str(number),
                    tracking_token=f"bench-reports-{number}",
                    type="regular",
                    source=rng.choice(["site", "panel", "api"]),
                    workflow_id=workflow_id,
                    status="delivered",
                    status_since=final,
                    status_seq=len(PATH) + 1,
                    payment_status="paid",
                    payment_channel=rng.choice(["cash", "card", "transfer"]),
                    currency="PLN",
                    subtotal=Decimal("120.00"),
                    total=Decimal("120.00"),
                    paid=Decimal("120.00"),
                    customer_id=customer_id,
                    manager_id=rng.choice(manager_ids),
                    placed_at=placed,
                )
            )
        made = Order.objects.bulk_create(orders, batch_size=5000)
        for order, moments in zip(made, times, strict=True):
            history.append(
                StatusChange(
                    order_id=order.pk,
                    at=moments[0],
                    to_status="new",
                    transition="place",
                    actor_name="bench",
                    kind="manual",
                    status_seq=1,
                )
            )
            for n, (status, transition) in enumerate(PATH):
                target = PATH[n + 1][0] if n + 1 < len(PATH) else "delivered"
                history.append(
                    StatusChange(
                        order_id=order.pk,
                        at=moments[n + 1],
                        from_status=status,
                        to_status=target,
                        transition=transition,
                        actor_name="bench",
                        kind="manual",
                        status_seq=n + 2,
                    )
                )
                stays.append(
                    Stay(
                        order_id=order.pk,
                        workflow_id=workflow_id,
                        status=status,
                        entered_at=moments[n],
                        left_at=moments[n + 1],
                        seconds=int((moments[n + 1] - moments[n]).total_seconds()),
                        left_by=transition,
                    )
                )
            # The fifth history row: a note-like repeat of the last status (5 rows per order).
            history.append(
                StatusChange(
                    order_id=order.pk,
                    at=moments[-1],
                    from_status="delivered",
                    to_status="delivered",
                    transition="deliver",
                    actor_name="bench",
                    kind="event",
                    status_seq=len(PATH) + 2,
                )
            )
            ledger.append(
                LedgerEntry(
                    order_id=order.pk,
                    kind=LedgerEntry.Kind.PAYMENT,
                    amount=Decimal("120.00"),
                    currency="PLN",
                    channel=order.payment_channel,
                    recorded_at=moments[1],
                )
            )
        with transaction.atomic():
            StatusChange.objects.bulk_create(history, batch_size=5000)
            Stay.objects.bulk_create(stays, batch_size=5000)
            LedgerEntry.objects.bulk_create(ledger, batch_size=5000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(*, orders: int = 1_000_000, repeat: int = 20) -> list[Row]:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from ordo.accounts.models import Customer
    from ordo.accounts.services import token_create, user_create
    from ordo.orders.models import Order, OrderType
    from ordo.orders.workflows import preset_load_named

    setup_test_environment()
    preset_load_named("shop")
    workflow_id = OrderType.objects.get(code="regular").workflow_id
    manager, _ = user_create(username="bench-reports-manager", role="manager")
    managers = [manager.pk] + [user_create(username=f"bench-reports-m{i}", role="manager")[0].pk for i in range(4)]
    customer = Customer.objects.create(name="Bench buyer", email="bench-reports@example.org")
    client = Client()
    client.force_login(manager)
    token = token_create(user=manager, name="bench")
    first = Order.objects.order_by("-number").values_list("number", flat=True).first() or 0
    start = max(first + 1, 3_000_000)
    today = timezone.localdate()
    paths = {
        name: path.format(week=(today - timedelta(days=6)).isoformat(), today=today.isoformat())
        for name, path in PATHS.items()
    }

    def measure() -> dict[str, tuple[float, float, int]]:
        pages = {k: v for k, v in paths.items() if not v.startswith("/api/")}
        api = {k: v for k, v in paths.items() if v.startswith("/api/")}
        found = _measure(client, pages, repeat=repeat)
        found.update(_measure(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), api, repeat=repeat))
        return found

    # Two years of orders at one density. The newest 10,000 are written first and measured; the
    # other 990,000 are older: the last 7 days hold the same orders at both sizes.
    small = min(10_000, orders)
    span = 730.0
    recent = span * small / orders
    began = time.perf_counter()
    people = {"customer_id": customer.pk, "manager_ids": managers, "workflow_id": workflow_id}
    _fill(small, start + orders - small, span_days=recent, ago_days=0, **people)
    at_small = measure()
    _fill(orders - small, start, span_days=span - recent, ago_days=recent, **people)
    took = time.perf_counter() - began
    print(f"reports: {orders:,} orders with {orders * 5:,} history rows written in {took:.0f} s")
    at_full = measure()
    rows = []
    print(f"{'report page':<42} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'at 10k':>8} {'p50 10k':>8}")
    for name, (p50, p99, queries) in at_full.items():
        print(f"{name:<42} {p50:>8.1f} {p99:>8.1f} {queries:>8} {at_small[name][2]:>8} {at_small[name][0]:>8.1f}")
        rows.append(Row(f"reports {name} p99 ({orders // 1000}k orders)", p99, "ms", target=300, lower_is_better=True))
    return rows
