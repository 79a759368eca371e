"""Conflicting transitions from many threads: exactly one wins, the rest get a conflict."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from ordo.errors import DomainError
from ordo.orders.models import Order, OrderItem, StatusChange
from ordo.orders.services import lock_order, order_transition

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_conflicting_transitions_one_wins_rest_conflict(load_preset, manager, customer, place):
    load_preset("shop")
    order = place(customer)
    barrier = threading.Barrier(THREADS)
    # Half try to start the order, half to cancel it: only one may move it out of "new".
    codes = ["start" if i % 2 else "cancel" for i in range(THREADS)]

    def attempt(code: str) -> str:
        try:
            barrier.wait()
            order_transition(number=order.number, transition=code, actor=manager.actor, expected_status="new")
            return "won"
        except DomainError as error:
            return str(error.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(attempt, codes))

    assert results.count("won") == 1, results
    assert set(results) - {"won"} <= {"status_changed"}
    moves = StatusChange.objects.filter(order=order).exclude(transition="place")
    assert moves.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="waits on PostgreSQL's row lock")
@pytest.mark.django_db(transaction=True)
def test_a_transition_reads_the_items_committed_while_it_waited_for_the_lock(load_preset, manager, customer, place):
    """A transition reads its items beside the row lock (one round trip on PostgreSQL), yet after
    the lock is granted: an edit committed while the transition waited is what it reads."""
    load_preset("shop")
    number = place(customer).number
    item = OrderItem.objects.filter(order__number=number).first()
    fired: dict[str, object] = {}

    def transition() -> None:
        try:
            fired["order"] = order_transition(number=number, transition="cancel", actor=manager.actor)
        except BaseException as error:
            fired["error"] = error
            raise
        finally:
            connections.close_all()

    with transaction.atomic():
        lock_order(number)
        OrderItem.objects.filter(pk=item.pk).update(name="Renamed under the lock")
        waiter = threading.Thread(target=transition)
        waiter.start()
        _until_a_backend_waits_for_a_lock(fired)
    waiter.join(timeout=30)
    written = fired["order"]
    assert isinstance(written, Order)
    assert {i.pk: i.name for i in written.items_as_written or []}[item.pk] == "Renamed under the lock"


def _until_a_backend_waits_for_a_lock(fired: dict[str, object], seconds: float = 10.0) -> None:
    """Return once another connection of this database is waiting for a lock."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and not fired:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.005)
    raise AssertionError(f"no connection waited for the row lock: {fired}")
