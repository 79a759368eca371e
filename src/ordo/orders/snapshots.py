"""Order rows → the plain ``Snapshot`` the workflow engine decides on."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from ordo.orders.models import OrderItem
from ordo.workflow.definition import Workflow
from ordo.workflow.snapshot import ItemFacts, Snapshot


class OrderFacts(Protocol):
    """What a snapshot reads of an order: an ``Order`` row, or the sweep's plain tuple."""

    @property
    def status(self) -> str: ...

    @property
    def currency(self) -> str: ...

    @property
    def total(self) -> Decimal: ...

    @property
    def paid(self) -> Decimal: ...

    @property
    def refunded(self) -> Decimal: ...

    @property
    def payment_status(self) -> str: ...

    @property
    def deferred_payment(self) -> bool: ...


def order_snapshot(
    order: OrderFacts,
    items: Iterable[OrderItem] = (),
    item_workflow: Workflow | None = None,
    status: str | None = None,
) -> Snapshot:
    """``status`` overrides the order's own (an item transition decides on the item's status)."""
    facts = tuple(
        ItemFacts(
            id=item.pk,
            status=item.status or None,
            final=item_workflow is not None and item_workflow.is_final(item.status),
            in_stock=item.in_stock,
        )
        for item in items
    )
    return Snapshot(
        status=status if status is not None else order.status,
        currency=order.currency,
        total=order.total,
        paid=order.paid,
        refunded=order.refunded,
        payment_status=order.payment_status,
        deferred_payment=order.deferred_payment,
        items=facts,
        # The timer sweep's plain rows do not carry it; no timer waits for a stock check.
        stock_checked=getattr(order, "stock_checked_at", None) is not None,
    )
