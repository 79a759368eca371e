"""The desk on a big database: the order list (filters, search, counts per status) and the order
card, served through Django's full stack (middleware, session, templates) with a signed-in manager.
Prints p50/p99 server time and the SQL queries per page, measured at 10,000 orders and again at the
full size: the query count must not grow with the data."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from bench.report import Row

PAGES = {
    "list, newest": "/desk/",
    "list, status filter": "/desk/?status=in_production",
    "list, status + payment + manager": "/desk/?status=awaiting_payment&payment_status=unpaid&manager={manager}",
    "list, longest waiting": "/desk/?sort=waiting",
    "list, search by e-mail": "/desk/?q=buyer-{customer}@example.org",
    "list, search by number": "/desk/?q={number}",
    "list, placed in one week": "/desk/?placed_after={week_start}&placed_before={week_end}",
    "counts per status, all orders": "/desk/counts",
    "counts per status, one manager": "/desk/counts?manager={manager}",
    # No index serves a source filter: the counts scan the table (the list itself stops at a page).
    "counts per status, one source": "/desk/counts?source=site",
    "order card": "/desk/orders/{number}",
}
STATUSES = ["draft", "under_review", "reviewed", "awaiting_payment", "in_production", "quality_check", "issued"]


def _fill(total: int, start: int, customers: list[int], managers: list[int], workflow_id: int) -> None:
    from django.utils import timezone

    from ordo.orders.models import Order, OrderItem

    rng = random.Random(start)
    now = timezone.now()
    batch = 20_000
    for offset in range(0, total, batch):
        orders = []
        for i in range(offset, min(total, offset + batch)):
            number = start + i
            placed = now - timedelta(minutes=(total - i) * 3)
            status = rng.choice(STATUSES)
            orders.append(
                Order(
                    number=number,
                    external_number=str(number),
                    tracking_token=f"bench-desk-{number}",
                    type="regular",
                    source=rng.choice(["site", "panel", "api"]),
                    workflow_id=workflow_id,
                    status=status,
                    status_since=placed + timedelta(minutes=rng.randint(0, 600)),
                    payment_status="paid" if status in ("in_production", "quality_check", "issued") else "unpaid",
                    currency="RUB",
                    subtotal=Decimal("2500.00"),
                    total=Decimal("2500.00"),
                    customer_id=rng.choice(customers),
                    manager_id=rng.choice(managers),
                    placed_at=placed,
                )
            )
        made = Order.objects.bulk_create(orders, batch_size=5000)
        if offset == 0:
            # Items on the first batch only: the card page reads one order's items.
            OrderItem.objects.bulk_create(
                [
                    OrderItem(
                        order=o, position=p, sku=f"P-{p}", name=f"Part {p}", quantity=2, unit_price=Decimal("625")
                    )
                    for o in made[:2000]
                    for p in (1, 2)
                ],
                batch_size=5000,
            )


def _measure(client, paths: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, path in paths.items():
        client.get(path)  # warm: compiled workflows, template loading
        took, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                took.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured)
        took.sort()
        out[name] = (statistics.median(took), took[min(len(took) - 1, round(len(took) * 0.99))], queries)
    return out


def run(*, orders: int = 1_000_000, repeat: int = 30) -> list[Row]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from ordo.accounts.models import Customer
    from ordo.accounts.services import user_create
    from ordo.orders.models import Order, OrderType
    from ordo.orders.workflows import preset_load_named

    setup_test_environment()  # the test client's response.context and ALLOWED_HOSTS=testserver
    preset_load_named("furniture")
    workflow_id = OrderType.objects.get(code="regular").workflow_id
    manager, _ = user_create(username="bench-desk-manager", role="manager")
    managers = [manager.pk] + [user_create(username=f"bench-desk-m{i}", role="manager")[0].pk for i in range(9)]
    # Customer records without logins: the pages need their names and addresses, not their
    # passwords (hashing 2,000 of them took ~17 minutes).
    made = Customer.objects.bulk_create(
        Customer(name=f"Buyer {i}", email=f"buyer-{i}@example.org") for i in range(2000)
    )
    customers = [c.pk for c in made]
    client = Client()
    client.force_login(manager)
    first = Order.objects.order_by("number").values_list("number", flat=True).first() or 0
    start = max(first, 900_000)

    def paths(total: int) -> dict[str, str]:
        from django.utils import timezone

        week_end = timezone.localdate() - timedelta(days=30)
        return {
            name: path.format(
                manager=managers[1],
                customer=17,
                number=start + 7,
                week_start=(week_end - timedelta(days=7)).isoformat(),
                week_end=week_end.isoformat(),
            )
            for name, path in PAGES.items()
        }

    small = 10_000
    began = time.perf_counter()
    _fill(small, start, customers, managers, workflow_id)
    at_small = _measure(client, paths(small), repeat=5)
    _fill(orders - small, start + small, customers, managers, workflow_id)
    print(f"desk: {orders:,} orders written in {time.perf_counter() - began:.0f} s")
    # As each web process does when it starts (ordo.wsgi): what lives as long as the process is
    # kept out of the garbage collector's full collections.
    from ordo.wsgi import settle

    settle()
    at_full = _measure(client, paths(orders), repeat=repeat)
    rows = []
    print(f"{'desk page':<36} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'at 10k':>8}")
    for name, (p50, p99, queries) in at_full.items():
        print(f"{name:<36} {p50:>8.1f} {p99:>8.1f} {queries:>8} {at_small[name][2]:>8}")
        rows.append(Row(f"desk {name} p99 ({orders // 1000}k orders)", p99, "ms", target=100, lower_is_better=True))
    return rows
