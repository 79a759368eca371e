"""``db.batched`` sends writes nobody reads back together, and ``db.read_together`` reads that do
not wait for one another (one psycopg pipeline on PostgreSQL, one round trip): writes land and
reads answer as if sent one by one, and a statement that fails raises Django's own error, with
the transaction writing nothing, as the services' refusals and retries expect."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from ordo.db import batched, insert_plain, read_together
from ordo.orders.models import Counter

pytestmark = pytest.mark.django_db(transaction=True)


def test_writes_in_a_batch_land_in_order():
    with transaction.atomic(), batched():
        insert_plain(Counter, [{"name": "a", "value": 1}, {"name": "b", "value": 2}])
        Counter.objects.filter(name="a").update(value=3)
    assert dict(Counter.objects.values_list("name", "value")) == {"a": 3, "b": 2}


def test_a_write_that_fails_in_a_batch_raises_djangos_error_and_nothing_is_written():
    Counter.objects.create(name="taken", value=1)

    def clash() -> None:
        with transaction.atomic(), batched():
            insert_plain(Counter, [{"name": "fresh", "value": 1}])
            insert_plain(Counter, [{"name": "taken", "value": 2}])

    with pytest.raises(IntegrityError):
        clash()
    assert dict(Counter.objects.values_list("name", "value")) == {"taken": 1}
    with transaction.atomic(), batched():  # the connection is fit for the next transaction
        insert_plain(Counter, [{"name": "fresh", "value": 5}])
    assert Counter.objects.get(name="fresh").value == 5


def test_reads_together_answer_what_each_would_alone():
    insert_plain(Counter, [{"name": "a", "value": 1}, {"name": "b", "value": 2}])
    table = Counter._meta.db_table
    assert read_together(
        [
            (f"SELECT name, value FROM {table} WHERE name = %s", ["b"]),
            (f"SELECT name FROM {table} ORDER BY name", []),
            (f"SELECT value FROM {table} WHERE name = %s", ["none"]),
        ]
    ) == [[("b", 2)], [("a",), ("b",)], []]


def test_a_read_that_fails_among_others_raises_djangos_error():
    def broken() -> None:
        with transaction.atomic():
            read_together([("SELECT 1", []), ("SELECT no_such_column FROM orders_counter", [])])

    with pytest.raises(DatabaseError):
        broken()
    assert read_together([("SELECT 1", [])]) == [[(1,)]]
