"""Wallet payments per second through the services: each locks the order and the customer,
checks the balance, writes the wallet debit, the ledger row, the status change and its outbox rows."""

from __future__ import annotations

import time
from decimal import Decimal

from bench.report import Row


def run(*, payments: int = 2000) -> list[Row]:
    from django.utils import timezone

    from ordo.accounts.roles import actor_for
    from ordo.accounts.services import user_create
    from ordo.orders.services import ItemInput, order_place
    from ordo.orders.workflows import preset_load_named
    from ordo.payments.models import WalletEntry
    from ordo.payments.wallet import wallet_balance, wallet_pay

    preset_load_named("smm")  # from here on "regular" orders follow the smm workflow
    user, _ = user_create(username="bench-wallet", role="customer")
    actor, customer = actor_for(user), user.customer
    WalletEntry.objects.create(
        customer=customer,
        kind="credit",
        amount=Decimal(payments) * 5,
        balance_after=Decimal(payments) * 5,
        currency="EUR",
        created_at=timezone.now(),
    )
    item = [ItemInput("LIKES", "500 likes", 1, Decimal("4.50"), target="https://example.test/p/1")]
    numbers = [
        order_place(actor=actor, customer=customer, items=item, payment_channel="wallet").number
        for _ in range(payments)
    ]
    started = time.perf_counter()
    for number in numbers:
        wallet_pay(number=number, actor=actor)
    rate = payments / (time.perf_counter() - started)
    assert wallet_balance(customer.pk, "EUR") == Decimal(payments) * Decimal("0.50")
    print(f"wallet: {payments} payments: {rate:,.0f}/s")
    return [Row("wallet payments/s, services", rate, "/s")]
