"""The hot paths' statements go through one cursor a connection keeps (``db.execute``,
``db.fetch_all``…) rather than a cursor opened and closed for each."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from ordo import db
from ordo.orders.models import Counter

pytestmark = pytest.mark.django_db


def test_statements_share_the_cursor_their_connection_keeps():
    first, fresh = db._kept_cursor(connections[DEFAULT_DB_ALIAS])
    assert not fresh
    db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["kept", 1])
    assert db.fetch_one("SELECT value FROM orders_counter WHERE name = %s", ["kept"]) == (1,)
    assert db._kept_cursor(connections[DEFAULT_DB_ALIAS]) == (first, False)


def test_a_driver_error_on_the_kept_cursor_is_raised_as_djangos():
    db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["twice", 1])
    with pytest.raises(IntegrityError), transaction.atomic():
        db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["twice", 2])
    assert db.fetch_all("SELECT value FROM orders_counter WHERE name = %s", ["twice"]) == [(1,)]


def test_no_statement_runs_in_a_transaction_an_error_has_broken():
    with transaction.atomic():
        try:
            with transaction.atomic(savepoint=False):
                db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["broken", 1])
                db.execute("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", ["broken", 2])
        except IntegrityError:
            pass
        with pytest.raises(TransactionManagementError):
            db.fetch_one("SELECT 1")


def test_statements_pass_through_the_connections_execute_wrappers():
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    db.fetch_one("SELECT 1")  # a cursor kept before the wrapper is installed
    with connection.execute_wrapper(wrapper):
        db.execute("UPDATE orders_counter SET value = value WHERE name = %s", ["none"])
        db.execute_many("UPDATE orders_counter SET value = %s WHERE name = %s", [[1, "none"]])
        assert db.fetch_one("SELECT 2") == (2,)
    assert [sql.split()[0] for sql in seen] == ["UPDATE", "UPDATE", "SELECT"]


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
    before, _ = db._kept_cursor(connections[DEFAULT_DB_ALIAS])
    connection.close()
    assert db.fetch_one("SELECT 1") == (1,)
    after, _ = db._kept_cursor(connections[DEFAULT_DB_ALIAS])
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


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cursor turns %s into ?")
def test_sqlite_cursor_takes_every_placeholder_style_django_sends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%'", ["a"])
        assert cursor.fetchone() == ("a%",)
        cursor.execute("SELECT %(x)s + %(y)s", {"x": 1, "y": 2})
        assert cursor.fetchone() == (3,)
        cursor.execute("SELECT '%'")  # no parameters: the text as it is
        assert cursor.fetchone() == ("%",)
        cursor.executemany("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", [("x", 1), ["y", 2]])
        cursor.executemany("INSERT INTO orders_counter (name, value) VALUES (%s, %s)", (r for r in [("z", 3)]))
        cursor.executemany("INSERT INTO orders_counter (name, value) VALUES (%(n)s, %(v)s)", [{"n": "w", "v": 4}])
        cursor.execute(
            "SELECT name, value FROM orders_counter WHERE name IN (%s, %s, %s, %s) ORDER BY value", ("x", "y", "z", "w")
        )
        assert cursor.fetchall() == [("x", 1), ("y", 2), ("z", 3), ("w", 4)]
