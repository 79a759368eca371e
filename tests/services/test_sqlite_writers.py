"""SQLite writers queue on a lock file beside the database (ordo/sqlite/base.py): held from the
outermost atomic block's BEGIN to its COMMIT or ROLLBACK, and by nobody else meanwhile."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ordo.orders.models import Counter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL queues writers on its own row locks"),
]


def held() -> bool:
    """Whether some connection holds the writers' lock, asked through a descriptor of our own."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_a_write_transaction_holds_the_writers_lock_until_it_commits():
    assert not held()
    with transaction.atomic():
        Counter.objects.create(name="writers", value=1)
        assert held()
        with transaction.atomic():  # a savepoint neither takes nor drops it
            Counter.objects.filter(name="writers").update(value=2)
        assert held()
    assert not held()
    assert Counter.objects.get(name="writers").value == 2


def test_a_transaction_that_fails_lets_the_next_writer_in():
    def fails() -> None:
        with transaction.atomic():
            Counter.objects.create(name="writers", value=1)
            assert held()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fails()
    assert not held()
    assert not Counter.objects.filter(name="writers").exists()
    with transaction.atomic():
        Counter.objects.create(name="writers", value=3)
    assert Counter.objects.get(name="writers").value == 3


def test_a_closed_connection_drops_the_lock_with_its_file():
    with transaction.atomic():
        assert held()
        connection.close()  # as a process that dies mid-transaction would
        assert not held()
    assert not held()


def test_a_statements_placeholders_are_translated_once_and_answer_the_same():
    from ordo.sqlite.base import _qmark

    sql = "SELECT %s, '100%%', %s || 'x' -- translated once"
    before = _qmark.cache_info()
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(sql, [1, "a"])
            assert cursor.fetchone() == (1, "100%", "ax")
    after = _qmark.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
    with connection.cursor() as cursor:  # named parameters still go Django's way
        cursor.execute("SELECT %(n)s + 1", {"n": 41})
        assert cursor.fetchone() == (42,)


@pytest.mark.parametrize("logged", [False, True])
def test_a_transaction_takes_sqlites_write_lock_at_its_begin(logged):
    """BEGIN IMMEDIATE, whether the BEGIN is logged (assertNumQueries, DEBUG) or sent on the
    driver's connection: a writer outside Ordo (a sqlite3 shell) finds the database locked before
    the transaction has written anything."""
    outsider = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    seen = CaptureQueriesContext(connection)
    try:
        with (
            seen if logged else contextlib.nullcontext(),
            transaction.atomic(),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            outsider.execute("BEGIN IMMEDIATE")
        outsider.execute("BEGIN IMMEDIATE")  # free again after the commit
        outsider.execute("ROLLBACK")
    finally:
        outsider.close()
    if logged:
        assert [q["sql"] for q in seen.captured_queries] == ["BEGIN IMMEDIATE", "COMMIT"]
