"""Order rows → the plain ``Snapshot`` the workflow engine decides on."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
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


#: Which of an order's items lack materials in stock: items → their ids. The catalog
#: registers one (orders does not import it); it locks the stock rows it reads, so what it saw
#: still holds when the transition's effects take the materials. With none registered every item
#: relies on its ``in_stock`` flag.
ShortageFn = Callable[[Sequence[OrderItem]], set[int]]
SHORTAGES: list[ShortageFn] = []


def items_short(items: Sequence[OrderItem]) -> set[int]:
    short: set[int] = set()
    for fn in SHORTAGES:
        short |= fn(items)
    return short


def order_snapshot(
    order: OrderFacts,
    items: Iterable[OrderItem] = (),
    item_workflow: Workflow | None = None,
    status: str | None = None,
    short: Collection[int] = frozenset(),
) -> Snapshot:
    """``status`` overrides the order's own (an item transition decides on the item's status);
    ``short`` names items whose materials are not in stock."""
    facts = tuple(
        ItemFacts(
            id=item.pk,
            status=item.status or None,
            final=item_workflow is not None and item_workflow.is_final(item.status),
            in_stock=item.in_stock,
            materials_short=item.pk in short,
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
