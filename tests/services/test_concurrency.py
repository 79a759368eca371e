"""Conflicting transitions from many threads: exactly one wins, the rest get a conflict."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from ordo.errors import DomainError
from ordo.orders.models import StatusChange
from ordo.orders.services import order_transition

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
