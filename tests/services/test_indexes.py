"""Every write to an order's tables pays for each of their indexes, so none may repeat another:
an index whose columns begin another index's serves no lookup the longer one does not."""

from __future__ import annotations

import pytest
from django.db import connection

from ordo.notifications.models import Message
from ordo.orders.models import Activity, Order, OrderItem, StatusChange, Stay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Order, OrderItem, StatusChange, Stay, Activity, Message])
def test_no_index_on_the_written_tables_repeats_the_start_of_another(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    # PostgreSQL's "_like" twin of a text index serves LIKE by another operator class: not a repeat.
    found = {name: c for name, c in constraints.items() if not name.endswith("_like")}
    # A unique one enforces something, so only plain indexes can be the repeat.
    indexes = {name: tuple(c["columns"]) for name, c in found.items() if c["index"] and not c["unique"]}
    keys = {name: tuple(c["columns"]) for name, c in found.items() if c["index"] or c["unique"]}
    repeated = {
        name: other
        for name, columns in indexes.items()
        for other, longer in keys.items()
        if other != name and len(longer) >= len(columns) and longer[: len(columns)] == columns
    }
    assert repeated == {}


def test_no_like_index_on_an_orders_text_keys():
    """PostgreSQL's "_like" twins serve ``LIKE 'prefix%'``, which nothing asks of an order's
    tracking token or external number (orders 0023); on SQLite there are none to begin with."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Order._meta.db_table)
    assert [name for name in constraints if name.endswith("_like")] == []


#: Keys most rows leave empty, each indexed only where it is set (orders 0024, notifications 0003).
KEYS_INDEXED_WHERE_SET = [
    (Order, "manager", "order_manager"),
    (Order, "contractor", "order_contractor"),
    (Order, "item_workflow", "order_item_workflow"),
    (Order, "courier", "order_courier"),
    (Order, "partner", "order_partner"),
    (StatusChange, "item", "history_item"),
    (Message, "subscription", "message_subscription"),
]


def _index_definition(table: str, name: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND name = %s", [table, name]
            )
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s", [table, name])
        row = cursor.fetchone()
    assert row is not None, f"no index {name} on {table}"
    return row[0]


def _plan(query) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: ask if it *can* use the index
        sql, params = query.query.sql_with_params()
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        return " ".join(str(part) for row in cursor.fetchall() for part in row)


@pytest.mark.parametrize(("model", "key", "index"), KEYS_INDEXED_WHERE_SET)
def test_a_key_most_rows_leave_empty_is_indexed_only_where_it_is_set(model, key, index):
    """A row that leaves the key empty writes nothing to its index (a page of the log each, on
    SQLite, for every placement and transition)."""
    definition = _index_definition(model._meta.db_table, index)
    column = model._meta.get_field(key).column
    _, _, condition = definition.partition(" WHERE ")
    assert column in condition
    assert "IS NOT NULL" in condition.upper()
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    alone = [name for name, c in constraints.items() if c["index"] and c["columns"] == [column] and name != index]
    assert alone == []  # the key's own full index is gone


@pytest.mark.parametrize(("model", "key", "index"), KEYS_INDEXED_WHERE_SET)
def test_lookups_by_a_key_indexed_where_set_are_served_by_its_index(model, key, index):
    """A lookup by the key implies it is set: the desk's ``= x`` and the deletion collector's
    ``IN (…)`` both go through the partial index, not a scan of the table. Unordered: with its
    ``ORDER BY id`` PostgreSQL may walk the primary key instead to skip the sort, which says
    nothing about whether the key's index serves the lookup."""
    keyed = model.objects.order_by()
    assert index in _plan(keyed.filter(**{f"{key}_id": 7}))
    assert index in _plan(keyed.filter(**{f"{key}_id__in": [7, 8]}))
