"""Two sweepers at once on PostgreSQL: each of 10,000 due orders moves exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ordo.orders.models import Order, OrderType, StatusChange
from tests.peers import database_url

COUNT = 10_000


def waiting(customer, status: str, since) -> None:
    """COUNT print orders in ``status`` since ``since``."""
    print_type = OrderType.objects.get(code="regular")
    Order.objects.bulk_create(
        [
            Order(
                number=900_000 + i,
                tracking_token=f"bulk-{i}",
                type="regular",
                source="api",
                workflow_id=print_type.workflow_id,
                status=status,
                status_since=since,
                currency="RUB",
                customer=customer.customer,
                placed_at=since,
            )
            for i in range(COUNT)
        ],
        batch_size=2000,
    )


def queued(cursor, processes: list[subprocess.Popen], table: str, count: int) -> None:
    """Wait until ``count`` other sessions wait for a lock on ``table``; fail if a process ends first."""
    deadline = time.monotonic() + 120
    while True:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table])
        if cursor.fetchone()[0] >= count:
            return
        ended = [p.args for p in processes if p.poll() is not None]
        assert not ended, f"ended before queuing on {table}: {ended}"
        assert time.monotonic() < deadline, f"fewer than {count} sessions queued on {table}"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_move_each_due_order_once(load_preset, customer):
    if connection.vendor != "postgresql":
        pytest.skip("many sweepers share due orders on PostgreSQL (SKIP LOCKED)")
    load_preset("print")
    waiting(customer, "placed", timezone.now() - timedelta(weeks=3))
    env = {**os.environ, "ORDO_DATABASE_URL": database_url(), "ORDO_LOG_LEVEL": "ERROR"}
    # A start line: both sweepers queue on the locked table, and set off together when it is
    # released. Otherwise one may move every order before the other has started.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE orders_order IN ACCESS EXCLUSIVE MODE")
        sweepers = [
            subprocess.Popen(
                [sys.executable, "-m", "ordo.cli", "timers", "run"], env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        queued(cursor, sweepers, "orders_order", 2)
    outputs = [s.communicate(timeout=600)[0] for s in sweepers]
    assert all(s.returncode == 0 for s in sweepers), outputs
    moved = [int(out.split("Moved ")[1].split(",")[0]) for out in outputs]
    assert sum(moved) == COUNT
    assert all(m > 0 for m in moved), moved  # both took a share
    assert Order.objects.filter(status="in_print").count() == COUNT
    assert StatusChange.objects.filter(kind="timer").count() == COUNT
    assert StatusChange.objects.filter(kind="timer").values("order").distinct().count() == COUNT


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_warn_each_order_once_and_neither_fails(load_preset, customer):
    """Finding: a sweep read warning marks from a stale snapshot, tried to write a message another
    sweep had written, and crashed on the dedupe key, skipping the rest of its sweep."""
    if connection.vendor != "postgresql":
        pytest.skip("many sweepers share due orders on PostgreSQL (SKIP LOCKED)")
    from ordo.notifications.models import Message
    from ordo.orders.models import TimerMark

    load_preset("print")
    # Shipped 22 days ago: the warning is due (day 21), the move not yet (day 28).
    waiting(customer, "shipped", timezone.now() - timedelta(days=22))
    env = {**os.environ, "ORDO_DATABASE_URL": database_url(), "ORDO_LOG_LEVEL": "ERROR"}
    for _round in range(3):
        sweepers = [
            subprocess.Popen(
                [sys.executable, "-m", "ordo.cli", "timers", "run"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [s.communicate(timeout=600) for s in sweepers]
        assert all(s.returncode == 0 for s in sweepers), outputs
    assert TimerMark.objects.filter(kind="warned").count() == COUNT
    warnings = Message.objects.filter(event="timer_warning")
    recipients = warnings.values("recipient").distinct().count()
    assert warnings.count() == COUNT * recipients
    assert Order.objects.filter(status="shipped").count() == COUNT
