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
