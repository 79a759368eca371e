"""Linked orders: duplicate, split, subcontract, and links made by hand (e.g. ship together).

Each action is one transaction: the new order (if any), the link, the activity rows on both orders.
A split moves the chosen items — with their ids, statuses and history — to a new order in the same
status; the goods, discounts, fees and paid money are shared out so that the two orders add up to
exactly what the one order was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from ordo.accounts.models import Customer
from ordo.db import related_rows
from ordo.errors import DomainError
from ordo.orders.assignment import contractor_check
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import ZERO, Activity, Order, OrderDiscount, OrderItem, OrderLink
from ordo.orders.permissions import Action, require
from ordo.orders.pricing import share
from ordo.orders.services import (
    ItemInput,
    OrderUnit,
    lock_order,
    order_create,
    order_type_spec,
    retotal,
)
from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.payments.services import apply_ledger_sums, payment_status_refresh
from ordo.workflow.snapshot import Actor

Kind = OrderLink.Kind


def order_link_create(
    *,
    number: int,
    kind: str,
    actor: Actor,
    source: str,
    items: Sequence[int] | None = None,
    other: int | None = None,
    reason: str = "",
    contractor_id: int | None = None,
    visible: QuerySet[Order] | None = None,
) -> OrderLink:
    """Make a linked order (``duplicate``, ``split``, ``subcontract``) or link two orders by hand
    (``manual``, with ``other`` and a ``reason``). ``source`` is where new orders count as coming
    from (the caller's channel). Returns the link."""
    if kind not in Kind.values:
        raise DomainError(OrderErrorCode.INVALID_LINK, f"A link is one of {', '.join(Kind.values)}.")
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.LINK)
        if kind == Kind.MANUAL:
            link = _manual(unit, other, reason, visible)
        elif kind == Kind.SPLIT:
            link = _split(unit, items, reason, source)
        else:
            chosen = _chosen(unit, items, allow_all=True)
            if kind == Kind.SUBCONTRACT:
                if contractor_id is None:
                    raise DomainError(OrderErrorCode.INVALID_LINK, "Name the contractor to subcontract to.")
                contractor_check(contractor_id, chosen)
            link = _copy(unit, kind, chosen, reason, source, contractor_id)
        unit.flush()
    return link


def _chosen(unit: OrderUnit, ids: Sequence[int] | None, *, allow_all: bool) -> list[OrderItem]:
    if not ids:
        if allow_all:
            return list(unit.items)
        raise DomainError(OrderErrorCode.INVALID_LINK, "Choose the items to move.")
    by_id = {item.pk: item for item in unit.items}
    unknown = sorted(set(ids) - set(by_id))
    if unknown:
        raise DomainError(
            OrderErrorCode.INVALID_LINK,
            f"Order {unit.order.number} has no items {', '.join(map(str, unknown))}.",
            items=unknown,
        )
    return [by_id[i] for i in sorted(set(ids))]


def _link(unit: OrderUnit, target: Order, kind: str, reason: str) -> OrderLink:
    actor = unit.actor
    link = OrderLink.objects.create(
        source=unit.order,
        target=target,
        kind=kind,
        reason=reason,
        at=unit.now,
        actor_id=None if actor.is_system else actor.id,
        actor_name=actor.name or actor.role,
    )
    unit.note("linked", {"kind": kind, "order": target.number, "reason": reason})
    Activity.objects.create(
        order=target,
        at=unit.now,
        actor_id=link.actor_id,
        actor_name=link.actor_name,
        kind="linked",
        detail={"kind": kind, "order": unit.order.number, "reason": reason},
    )
    return link


def _manual(unit: OrderUnit, other: int | None, reason: str, visible: QuerySet[Order] | None) -> OrderLink:
    order = unit.order
    if other is None or not reason.strip():
        raise DomainError(OrderErrorCode.INVALID_LINK, "Name the other order and the reason for the link.")
    if other == order.number:
        raise DomainError(OrderErrorCode.INVALID_LINK, "An order cannot be linked to itself.")
    target = (visible if visible is not None else Order.objects.all()).filter(number=other).first()
    if target is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {other} not found.")
    pair = Q(source=order, target=target) | Q(source=target, target=order)
    if OrderLink.objects.filter(pair).exists():
        raise DomainError(OrderErrorCode.ALREADY_LINKED, f"Orders {order.number} and {other} are linked already.")
    return _link(unit, target, Kind.MANUAL, reason.strip())


def _copy(
    unit: OrderUnit, kind: str, chosen: list[OrderItem], reason: str, source: str, contractor_id: int | None
) -> OrderLink:
    """A new order with copies of the chosen items: a duplicate (for the customer again, with
    their discount tier and notifications) or a subcontract (the contractor's work order)."""
    order = unit.order
    duplicate = kind == Kind.DUPLICATE
    channel = PaymentChannel.objects.filter(code=order.payment_channel, enabled=True).first() if duplicate else None
    new = order_create(
        actor=unit.actor,
        spec=order_type_spec(order.type),
        customer=Customer.objects.get(pk=order.customer_id),
        items=[_line(item) for item in chosen],
        source=source,
        channel=channel,
        notes=order.notes if duplicate else "",
        partner=order.partner if duplicate else None,
        delivery_address=order.delivery_address if duplicate else "",
        manager_id=order.manager_id,
        contractor_id=contractor_id if contractor_id is not None else order.contractor_id,
        discounts=duplicate,
        assign=duplicate,
        tell=duplicate,
        made_by=kind,
        comment=f"{kind} of {order.number}",
    )
    return _link(unit, new, kind, reason)


def _line(item: OrderItem) -> ItemInput:
    return ItemInput(
        sku=item.sku,
        name=item.name,
        quantity=item.quantity,
        unit_price=item.unit_price,
        target=item.target,
        in_stock=item.in_stock,
        category=item.category,
    )


def _split(unit: OrderUnit, ids: Sequence[int] | None, reason: str, source: str) -> OrderLink:
    order = unit.order
    moved = _chosen(unit, ids, allow_all=False)
    if len(moved) == len(unit.items):
        raise DomainError(OrderErrorCode.INVALID_LINK, "A split leaves at least one item in the order.")
    status = unit.workflow.status(order.status)
    if status is not None and status.final:
        raise DomainError(OrderErrorCode.SPLIT_REFUSED, f"Order {order.number} is {order.status}: it is closed.")
    if LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.REFUND).exists():
        raise DomainError(OrderErrorCode.SPLIT_REFUSED, f"Order {order.number} has refunds: it cannot be split.")

    new = order_create(
        actor=unit.actor,
        spec=order_type_spec(order.type),
        customer=Customer.objects.get(pk=order.customer_id),
        items=[],
        source=source,
        notes=order.notes,
        partner=order.partner,
        delivery_address=order.delivery_address,
        manager_id=order.manager_id,
        contractor_id=order.contractor_id,
        discounts=False,
        assign=False,
        tell=False,
        made_by="split",
        comment=f"split from {order.number}",
        status=order.status,
        status_since=order.status_since,
    )
    OrderItem.objects.filter(pk__in=[item.pk for item in moved]).update(order=new)

    # Share out the money by the goods moved; the old order keeps the remainder, so the two add up.
    goods, moved_goods = order.subtotal, sum((item.line_total for item in moved), ZERO)
    new_discounts = []
    for row in order.discounts.all():
        part = share(row.amount, moved_goods, goods)
        new_discounts.append(
            OrderDiscount(
                order=new,
                name=row.name,
                kind=row.kind,
                value=row.value,
                amount=part,
                reason=row.reason,
                automatic=row.automatic,
                tier_id=row.tier_id,
                at=row.at,
                actor_name=row.actor_name,
            )
        )
        row.amount -= part
        row.save(update_fields=["amount"])
    OrderDiscount.objects.bulk_create(new_discounts)
    old_total = order.total
    new.subtotal = moved_goods
    new.discount = sum((d.amount for d in new_discounts), ZERO)
    new.fees = share(order.fees, moved_goods, goods)
    moved_ids = {item.pk for item in moved}
    retotal(new, moved)
    order.subtotal -= new.subtotal
    order.discount -= new.discount
    order.fees -= new.fees
    retotal(order, [item for item in unit.items if item.pk not in moved_ids])
    new.payment_channel, new.deferred_payment = order.payment_channel, order.deferred_payment
    new.language = order.language
    new.save(
        update_fields=[
            "subtotal",
            "discount",
            "fees",
            "vat_added",
            "total",
            "payment_channel",
            "deferred_payment",
            "language",
        ]
    )
    unit.dirty.update(("subtotal", "discount", "fees", "vat_added", "total"))
    unit._items = None

    paid = min(share(order.paid, new.total, old_total), order.paid)
    other = OrderUnit(lock_order(new.number), actor=unit.actor, now=unit.now)
    if paid > 0:
        for target_unit, kind in ((unit, LedgerEntry.Kind.MOVED_OUT), (other, LedgerEntry.Kind.MOVED_IN)):
            peer = other.order if target_unit is unit else order
            LedgerEntry.objects.create(
                order=target_unit.order,
                kind=kind,
                amount=paid,
                currency=order.currency,
                channel=order.payment_channel,
                reference=f"split-{new.number}",
                note=f"split {'to' if kind == LedgerEntry.Kind.MOVED_OUT else 'from'} {peer.number}",
                recorded_by_id=None if unit.actor.is_system else unit.actor.id,
                recorded_at=unit.now,
            )
            apply_ledger_sums(target_unit, kind, paid)
    for each in (unit, other):
        payment_status_refresh(each, key=f"split-{new.number}")
    link = _link(unit, new, Kind.SPLIT, reason)
    unit.note("items_moved", {"order": new.number, "items": [item.pk for item in moved]})
    other.settle()
    other.flush()
    unit.settle()
    return link


def order_link_remove(*, number: int, link_id: int, actor: Actor, visible: QuerySet[Order] | None = None) -> None:
    """Undo a link made by hand; links that record where an order came from stay."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.LINK)
        order = unit.order
        link = OrderLink.objects.filter(Q(source=order) | Q(target=order), pk=link_id).first()
        if link is None:
            raise DomainError(OrderErrorCode.UNKNOWN_LINK, f"Order {number} has no link {link_id}.")
        if link.kind != Kind.MANUAL:
            raise DomainError(
                OrderErrorCode.INVALID_LINK, f"A {link.kind} link records where an order came from; it stays."
            )
        other = link.target if link.source_id == order.pk else link.source
        unit.note("unlinked", {"order": other.number, "reason": link.reason})
        Activity.objects.create(
            order=other,
            at=unit.now,
            actor_id=None if actor.is_system else actor.id,
            actor_name=actor.name or actor.role,
            kind="unlinked",
            detail={"order": order.number, "reason": link.reason},
        )
        link.delete()
        unit.flush()


def links_of(order: Order) -> list[dict[str, Any]]:
    """The order's links from both sides, oldest first: ``made`` the other order from this one,
    or ``made_from`` it (manual links read ``linked`` both ways)."""
    rows = [(link, link.target.number, "made") for link in related_rows(order, "links_out")]
    rows += [(link, link.source.number, "made_from") for link in related_rows(order, "links_in")]
    return [
        {
            "id": link.pk,
            "kind": link.kind,
            "order": number,
            "direction": "linked" if link.kind == "manual" else direction,
            "reason": link.reason,
            "at": link.at,
            "actor": link.actor_name,
        }
        for link, number, direction in sorted(rows, key=lambda row: row[0].pk)
    ]
