"""The hot paths' statements go through one cursor a connection keeps (``db.execute``,
``db.fetch_all``…) rather than a cursor opened and closed for each."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordo import db
from ordo.orders.models import Counter

pytestmark = pytest.mark.django_db


def test_statements_share_the_cursor_their_connection_keeps():
    first, fresh = db._kept_cursor()
    assert not fresh
    db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["kept", 1])
    assert db.fetch_one("SELECT value FROM orders_counter WHERE name = %s", ["kept"]) == (1,)
    assert db._kept_cursor() == (first, False)


def test_every_statement_is_counted_while_queries_are_logged():
    db.fetch_one("SELECT 1")  # a cursor kept before the counting starts
    with CaptureQueriesContext(connection) as seen:
        db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["counted", 1])
        db.execute_many("UPDATE orders_counter SET value = %s WHERE name = %s", [[2, "counted"], [3, "counted"]])
        assert db.fetch_all("SELECT value FROM orders_counter WHERE name = %s", ["counted"]) == [(3,)]
    logged = [q["sql"] for q in seen.captured_queries]
    assert len(logged) == 3
    assert logged[0].startswith("INSERT")
    assert logged[1].startswith("2 times: UPDATE")  # Django logs executemany so
    assert logged[2].startswith("SELECT")


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_again_gets_a_cursor_of_its_own():
    before, _ = db._kept_cursor()
    connection.close()
    assert db.fetch_one("SELECT 1") == (1,)
    after, _ = db._kept_cursor()
    assert after is not before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="psycopg reads every row at once")
def test_a_read_leaves_no_snapshot_open_between_statements():
    """A SELECT left half-read on a kept SQLite cursor would pin the connection's snapshot: its
    next reads, through any cursor, would not see what others committed meanwhile."""
    Counter.objects.bulk_create([Counter(name="a", value=1), Counter(name="b", value=2)])
    assert db.fetch_one("SELECT value FROM orders_counter ORDER BY name") is not None  # two rows
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("INSERT INTO orders_counter (name, value) VALUES ('c', 3)")
    other.close()
    assert Counter.objects.count() == 3
