"""Order rows → the plain ``Snapshot`` the workflow engine decides on."""

from __future__ import annotations

from collections.abc import Iterable

from ordo.orders.models import Order, OrderItem
from ordo.workflow.definition import Workflow
from ordo.workflow.snapshot import ItemFacts, Snapshot


def order_snapshot(
    order: Order,
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
    )
