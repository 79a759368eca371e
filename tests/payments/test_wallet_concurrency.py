"""Many payments from one wallet at once: never more than it holds."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from ordo.errors import DomainError
from ordo.orders.services import ItemInput, order_place
from ordo.payments.models import WalletEntry
from ordo.payments.wallet import wallet_balance, wallet_pay

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_wallet_payments_never_overdraw(load_preset, customer):
    load_preset("smm")
    WalletEntry.objects.create(
        customer=customer.customer,
        kind="credit",
        amount=Decimal("100.00"),
        balance_after=Decimal("100.00"),
        currency="EUR",
        created_at=timezone.now(),
    )
    numbers = [
        order_place(
            actor=customer.actor,
            customer=customer.customer,
            items=[ItemInput("S", "Service", 1, Decimal("10.00"), target="https://x.test/a")],
            payment_channel="wallet",
        ).number
        for _ in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)

    def spend(number: int) -> str:
        try:
            barrier.wait()
            wallet_pay(number=number, actor=customer.actor)
            return "paid"
        except DomainError as error:
            return str(error.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(spend, numbers))

    assert results.count("paid") == 10, results
    assert set(results) - {"paid"} == {"insufficient_funds"}
    assert wallet_balance(customer.customer.pk, "EUR") == Decimal("0.00")
    assert WalletEntry.objects.filter(kind="debit").count() == 10
    # The running balance agrees with the sum of the ledger.
    entries = WalletEntry.objects.order_by("id")
    assert [e.balance_after for e in entries] == [Decimal(100 - 10 * i) for i in range(11)]
