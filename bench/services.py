"""Orders placed and transitions fired per second through the services, each in its own
transaction, beside the raw limit: the same rows written by plain SQL on the same connection."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

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
    raw_place, raw_fire = raw_limit(count=min(orders, 2000), template=Order.objects.get(number=numbers[0]))
    print(f"  raw limit (plain SQL, same rows): {raw_place:,.0f} placements/s, {raw_fire:,.0f} transitions/s")
    indexes, with_them, bare = index_cost(count=min(orders, 2000), template=Order.objects.get(number=numbers[0]))
    print(f"  order rows: {with_them:.0f} µs each with the {indexes} indexes, {bare:.0f} µs into a bare copy")
    target_place, target_fire = (1000, 2000) if vendor == "sqlite" else (400, 550)
    return [
        Row(f"orders placed/s, services, {vendor}", placed_per_s, "/s", target_place),
        Row(f"  the same rows by plain SQL (raw limit), {vendor}", raw_place, "/s"),
        Row("  placements as a share of the raw limit (aim ≥ 10 %)", 100 * placed_per_s / raw_place, "%"),
        Row(f"transitions/s, services, {vendor}", fired_per_s, "/s", target_fire),
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

    from ordo.db import _insert_sql
    from ordo.orders.models import Order

    sql, fields = _insert_sql(Order)
    values = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    names = [f.attname for f in fields]
    number_at, token_at = names.index("number"), names.index("tracking_token")
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        indexes = len(connection.introspection.get_constraints(cursor, Order._meta.db_table))
    raw = connection.connection
    cursor = raw.cursor()
    sqlite = connection.vendor == "sqlite"
    cursor.execute(f"CREATE TABLE bench_bare_orders AS SELECT * FROM {table} WHERE 1 = 0")
    timings = []
    for target, start in ((table, 80_000_000), ("bench_bare_orders", 80_000_000)):
        statement = sql.replace(table, target, 1)
        statement = statement.replace("%s", "?") if sqlite else statement
        rows = []
        for n in range(count):
            row = list(values)
            row[number_at], row[token_at] = start + n, f"index-cost-{n}"
            rows.append(row)
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
    the services' does (placing: the number's counter, the order, 3 items, a history row, an
    outbox row; a transition: the locked order read, its status, a history row, a stay, an outbox
    row), with values adapted once beforehand. What the database and the driver cost, and nothing
    of Python around them: the ceiling the services are measured against."""
    from django.db import connection

    from ordo.db import _insert_sql
    from ordo.notifications.models import Message
    from ordo.orders.models import Counter, Order, OrderItem, StatusChange, Stay

    def prepared(model: type, row: Any) -> tuple[str, list[Any]]:
        sql, fields = _insert_sql(model)
        return sql, [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]

    quote = connection.ops.quote_name
    order_sql, order_values = prepared(Order, template)
    number_at = [f.attname for f in _insert_sql(Order)[1]].index("number")
    token_at = [f.attname for f in _insert_sql(Order)[1]].index("tracking_token")
    item = OrderItem.objects.filter(order=template).first()
    item_sql, item_values = prepared(OrderItem, item)
    item_fields = [f.attname for f in _insert_sql(OrderItem)[1]]
    order_id_at, position_at = item_fields.index("order_id"), item_fields.index("position")
    history = StatusChange.objects.filter(order=template).first()
    history_sql, history_values = prepared(StatusChange, history)
    history_order_at = [f.attname for f in _insert_sql(StatusChange)[1]].index("order_id")
    message = Message.objects.filter(order=template).first() or Message(
        event="status_changed", order=template, recipient="customer", channel="email", context={}, dedupe_key="x"
    )
    message_sql, message_values = prepared(Message, message)
    message_fields = [f.attname for f in _insert_sql(Message)[1]]
    message_order_at, dedupe_at = message_fields.index("order_id"), message_fields.index("dedupe_key")
    stay_sql, stay_values = prepared(
        Stay,
        Stay(
            order=template,
            workflow_id=template.workflow_id,
            status="new",
            entered_at=template.placed_at,
            left_at=template.placed_at,
            seconds=1,
            left_by="cancel",
        ),
    )
    stay_order_at = [f.attname for f in _insert_sql(Stay)[1]].index("order_id")
    table = quote(Counter._meta.db_table)
    counter = (
        f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
        f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value"
    )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT id, status, status_seq FROM {quote(Order._meta.db_table)} WHERE number = %s{lock}"
    update = f"UPDATE {quote(Order._meta.db_table)} SET status = %s, status_since = %s, status_seq = %s WHERE id = %s"
    start = 90_000_000
    ids: list[int] = []
    # The driver's own connection and cursor: no Django wrapper, no transaction.atomic().
    raw = connection.connection
    cursor = raw.cursor()
    sqlite = connection.vendor == "sqlite"
    begin = "BEGIN IMMEDIATE" if sqlite else "BEGIN"

    def sql(text: str) -> str:
        return text.replace("%s", "?") if sqlite else text

    order_sql, item_sql, history_sql, message_sql, stay_sql = map(
        sql, (order_sql, item_sql, history_sql, message_sql, stay_sql)
    )
    counter, select, update = map(sql, (counter, select, update))

    began = time.perf_counter()
    for n in range(count):
        cursor.execute(begin)
        cursor.execute(counter, ["order", 1])
        cursor.fetchone()
        values = list(order_values)
        values[number_at], values[token_at] = start + n, f"raw-{n}"
        cursor.execute(f"{order_sql} RETURNING id", values)
        order_id = cursor.fetchone()[0]
        ids.append(order_id)
        rows = []
        for position in (1, 2, 3):
            row = list(item_values)
            row[order_id_at], row[position_at] = order_id, position
            rows.append(row)
        cursor.executemany(item_sql, rows)
        row = list(history_values)
        row[history_order_at] = order_id
        cursor.execute(history_sql, row)
        row = list(message_values)
        row[message_order_at], row[dedupe_at] = order_id, f"raw-place-{n}"
        cursor.execute(message_sql, row)
        cursor.execute("COMMIT")
    placed = count / (time.perf_counter() - began)

    since = history_values[[f.attname for f in _insert_sql(StatusChange)[1]].index("at")]
    began = time.perf_counter()
    for n, order_id in enumerate(ids):
        cursor.execute(begin)
        cursor.execute(select, [start + n])
        _id, _status, seq = cursor.fetchone()
        cursor.execute(update, ["cancelled", since, seq + 1, order_id])
        row = list(history_values)
        row[history_order_at] = order_id
        cursor.execute(history_sql, row)
        row = list(stay_values)
        row[stay_order_at] = order_id
        cursor.execute(stay_sql, row)
        row = list(message_values)
        row[message_order_at], row[dedupe_at] = order_id, f"raw-fire-{n}"
        cursor.execute(message_sql, row)
        cursor.execute("COMMIT")
    fired = count / (time.perf_counter() - began)
    return placed, fired
