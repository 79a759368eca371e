"""The desk on a big database: the order list (filters, search, counts per status) and the order
card, served through Django's full stack (middleware, session, templates) with a signed-in manager.
Prints p50/p99 server time and the SQL queries per page, measured at 10,000 orders and again at the
full size: the query count must not grow with the data."""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from bench.report import Row

PAGES = {
    "list, newest": "/desk/",
    "list, status filter": "/desk/?status=in_production",
    "list, status + payment + manager": "/desk/?status=awaiting_payment&payment_status=unpaid&manager={manager}",
    "list, longest waiting": "/desk/?sort=waiting",
    "list, search by e-mail": "/desk/?q=buyer-{customer}@example.org",
    "list, search by name, lower case": "/desk/?q=иван+петров+{customer}",
    "list, search by phone typed with spaces": "/desk/?q=600+100+{phone}",
    "list, search by SKU": "/desk/?q=P-2",
    # A letter word and a number: the address column is scanned (a plain LIKE on the folded copy).
    "list, search by address": "/desk/?q=DŁUGA+17,",
    "customer directory, search by name": "/desk/people?q=wiśniewska+{customer}",
    "list, search by number": "/desk/?q={number}",
    "list, placed in one week": "/desk/?placed_after={week_start}&placed_before={week_end}",
    "counts per status, all orders": "/desk/counts",
    "counts per status, one manager": "/desk/counts?manager={manager}",
    # The (source, status) index serves these counts (orders 0021): a search, not a table scan.
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
                    delivery_address=(address := f"ul. Długa {i % 997}, Gdańsk" if i % 7 == 0 else ""),
                    address_folded=address.casefold(),
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
    # Names and phones in three alphabets and formats, as the desk's search meets them.
    made = Customer.objects.bulk_create(
        Customer(
            name=(f"Buyer {i}", f"ИВАН ПЕТРОВ {i}", f"Anna WIŚNIEWSKA {i}")[i % 3],
            email=f"buyer-{i}@example.org",
            phone=f"+48 600-100-{i:03d}" if i < 1000 else "",
        )
        for i in range(2000)
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
                phone="017",
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
    print(f"{'desk page':<42} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'at 10k':>8}")
    for name, (p50, p99, queries) in at_full.items():
        print(f"{name:<42} {p50:>8.1f} {p99:>8.1f} {queries:>8} {at_small[name][2]:>8}")
        rows.append(Row(f"desk {name} p99 ({orders // 1000}k orders)", p99, "ms", target=100, lower_is_better=True))
    rows += _work(client, managers[0], start, orders)
    return rows


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _export(client, query: str, rows_expected: int) -> tuple[float, float, int]:
    """Stream one export through the full stack; rows/s and the most resident memory seen while
    it streamed (sampled every 20,000 rows)."""
    import gc

    gc.collect()
    before = _rss_mib()
    peak = before
    started = time.perf_counter()
    response = client.get(f"/desk/export?{query}")
    rows = -1  # the header
    for chunk in response.streaming_content:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        count = text.count("\n")
        if (rows + count) // 20_000 != rows // 20_000:
            peak = max(peak, _rss_mib())
        rows += count
    response.close()
    took = time.perf_counter() - started
    assert abs(rows - rows_expected) <= 1, (rows, rows_expected)
    return rows / took, peak - before, rows


def _work(client, manager_id: int, start: int, orders: int) -> list[Row]:
    """A day's bulk work on the big database: one transition on 1,000 orders, and exports of
    100,000 and of every order (CSV streamed; XLSX written with constant memory)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from ordo.accounts.roles import actor_for
    from ordo.orders.bulk import bulk_transition
    from ordo.orders.models import Order

    rows: list[Row] = []
    chosen = list(Order.objects.filter(status="under_review").order_by("-id").values_list("number", flat=True)[:1000])
    began = time.perf_counter()
    outcome = bulk_transition(chosen, transition="approve", actor=actor_for(User.objects.get(pk=manager_id)))
    took = time.perf_counter() - began
    print(
        f"bulk transition: {len(outcome.done):,} of {len(chosen):,} orders approved in {took:.2f} s "
        f"({len(outcome.done) / took:,.0f} orders/s), {len(outcome.refused)} refused"
    )
    rows.append(Row("desk bulk transition of 1,000 orders", took, "s", target=10, lower_is_better=True))

    # About the newest 100,000 orders: those placed from the day of the 100,000th newest one.
    day = timezone.localtime(Order.objects.order_by("-id").values_list("placed_at", flat=True)[99_999]).date()
    recent = f"placed_after={day.isoformat()}"
    small_count = Order.objects.filter(placed_at__gte=timezone.make_aware(datetime.combine(day, dtime.min))).count()
    for label, query, expected in (
        (f"{small_count // 1000}k", f"format=csv&{recent}", small_count),
        (f"{orders // 1000}k", "format=csv", Order.objects.count()),
    ):
        speed, grew, count = _export(client, query, expected)
        print(
            f"export CSV of {count:,} orders: {speed:,.0f} rows/s, resident memory grew {grew:.1f} MiB "
            f"(process now {_rss_mib():.0f} MiB)"
        )
        rows.append(Row(f"desk export CSV {label} orders", speed, "rows/s"))
        rows.append(Row(f"desk export CSV {label} orders, memory growth", grew, "MiB"))
    gc_before = _rss_mib()
    began = time.perf_counter()
    response = client.get(f"/desk/export?format=xlsx&{recent}")
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    took = time.perf_counter() - began
    print(
        f"export XLSX of {small_count:,} orders: {small_count / took:,.0f} rows/s, {size / 1e6:.1f} MB, "
        f"resident memory grew {_rss_mib() - gc_before:.1f} MiB"
    )
    rows.append(Row(f"desk export XLSX {small_count // 1000}k orders", small_count / took, "rows/s"))
    return rows
