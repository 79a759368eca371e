"""Orders placed and transitions fired per second through the services, each in its own
transaction, beside the raw limit: the same rows written by plain SQL on the same connection."""

from __future__ import annotations

import statistics
import time
from decimal import Decimal
from typing import Any

from bench.report import Row, peak_rss_mib


def run(*, orders: int, transitions: int, rounds: int = 5) -> list[Row]:
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
    print(
        f"services on {vendor}: {rounds} rounds of placing {orders} orders (3 items each), "
        f"then {transitions} transitions; the median of the rounds"
    )
    # Each order goes new → cancelled → new …: "cancel" and "reopen" are both the admin's.
    cycle = ("cancel", "reopen")
    placed, fired, raw_placed, raw_fired = [], [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        numbers = [order_place(actor=actor, customer=buyer.customer, items=items).number for _ in range(orders)]
        placed.append(orders / (time.perf_counter() - started))
        started = time.perf_counter()
        for i in range(transitions):
            number = numbers[i % len(numbers)]
            order_transition(number=number, transition=cycle[(i // len(numbers)) % 2], actor=actor)
        fired.append(transitions / (time.perf_counter() - started))
        raw_place, raw_fire = raw_limit(count=min(orders, 2000), template=Order.objects.get(number=numbers[0]))
        raw_placed.append(raw_place)
        raw_fired.append(raw_fire)
        print(
            f"  round: {placed[-1]:,.0f} placements/s (raw {raw_place:,.0f}), "
            f"{fired[-1]:,.0f} transitions/s (raw {raw_fire:,.0f})"
        )
    placed_per_s, fired_per_s = statistics.median(placed), statistics.median(fired)
    raw_place, raw_fire = statistics.median(raw_placed), statistics.median(raw_fired)
    assert Order.objects.count() == rounds * (orders + min(orders, 2000))
    assert StatusChange.objects.exclude(transition="place").count() == rounds * transitions
    print(f"  raw limit (plain SQL, same rows): {raw_place:,.0f} placements/s, {raw_fire:,.0f} transitions/s")
    indexes, with_them, bare = index_cost(count=min(orders, 2000), template=Order.objects.get(number=numbers[0]))
    print(f"  order rows: {with_them:.0f} µs each with the {indexes} indexes, {bare:.0f} µs into a bare copy")
    target_place, target_fire = (1000, 2000) if vendor == "sqlite" else (400, 550)
    return [
        Row(f"orders placed/s, services, {vendor} (median of {rounds})", placed_per_s, "/s", target_place),
        Row(f"  the same rows by plain SQL (raw limit), {vendor}", raw_place, "/s"),
        Row("  placements as a share of the raw limit (aim ≥ 10 %)", 100 * placed_per_s / raw_place, "%"),
        Row(f"transitions/s, services, {vendor} (median of {rounds})", fired_per_s, "/s", target_fire),
        Row(f"  the same rows by plain SQL (raw limit), {vendor}", raw_fire, "/s"),
        Row("  transitions as a share of the raw limit (aim ≥ 20 %)", 100 * fired_per_s / raw_fire, "%"),
        Row(f"  an order row's INSERT with its {indexes} indexes and constraints", with_them, "µs"),
        Row("  the same row into a copy of the table without them", bare, "µs"),
        Row("peak memory of the bench process", peak_rss_mib(), "MiB"),
    ]


def index_cost(*, count: int, template: Any) -> tuple[int, float, float]:
    """What the order table's index set costs a write: ``count`` order rows inserted in one
    transaction into the table, and into a copy of its columns without indexes, keys or triggers
    (µs per row each), and how many indexes the table has."""
    from django.db import connection

    from bench.rows import SameRows, tracking_token
    from ordo.orders.models import Order

    sqlite = connection.vendor == "sqlite"
    same = SameRows(template, qmark=sqlite)
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        indexes = len(connection.introspection.get_constraints(cursor, Order._meta.db_table))
    rows = [
        same.changed(same.order_values, (same.number_at, 80_000_000 + n), (same.token_at, tracking_token()))
        for n in range(count)
    ]
    cursor = connection.connection.cursor()
    cursor.execute(f"CREATE TABLE bench_bare_orders AS SELECT * FROM {table} WHERE 1 = 0")
    timings = []
    for target in (table, "bench_bare_orders"):
        statement = same.order_sql.replace(table, target, 1)
        began = time.perf_counter()
        cursor.execute("BEGIN")
        for row in rows:
            cursor.execute(statement, row)
        cursor.execute("COMMIT")
        timings.append((time.perf_counter() - began) / count * 1_000_000)
    cursor.execute("DROP TABLE bench_bare_orders")
    return indexes, timings[0], timings[1]


def raw_limit(*, count: int, template: Any) -> tuple[float, float]:
    """Placements and transitions per second written by plain SQL: each transaction writes what
    the services' does (bench/rows.py), with values adapted once beforehand, through the driver's
    own connection and cursor — no Django wrapper, no transaction.atomic(). What the database and
    the driver cost, and nothing of Python around them: the ceiling the services are measured
    against."""
    from django.db import connection

    from bench.rows import SameRows

    sqlite = connection.vendor == "sqlite"
    rows = SameRows(template, qmark=sqlite)
    cursor = connection.connection.cursor()
    begin = "BEGIN IMMEDIATE" if sqlite else "BEGIN"
    numbers = []
    began = time.perf_counter()
    for _ in range(count):
        cursor.execute(begin)
        numbers.append(rows.place(cursor, "raw"))
        cursor.execute("COMMIT")
    placed = count / (time.perf_counter() - began)
    began = time.perf_counter()
    for number in numbers:
        cursor.execute(begin)
        rows.fire(cursor, number, "raw")
        cursor.execute("COMMIT")
    fired = count / (time.perf_counter() - began)
    return placed, fired
