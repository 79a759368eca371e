"""What an order shows to people outside the staff: the customer (portal, API) and a guest holding
its tracking link. One place decides it, so the three never drift apart.

Staff see everything (``permissions.Action.READ_INTERNAL``). Everyone else sees the statuses and
when they changed, never who on the staff moved the order or what they wrote about it; links between
orders without the staff's reasons; not the contractor who works on it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ordo.orders.models import Order
from ordo.orders.selectors import history_for, order_by_tracking_token
from ordo.orders.workflows import status_finder


def history_rows(order: Order, *, internal: bool) -> list[dict[str, Any]]:
    """The status history, oldest first. ``internal=False`` leaves out the actor and the comment."""
    return [
        {
            "at": row.at,
            "item": row.item_id,
            "item_name": row.item.name if row.item is not None else None,
            "from": row.from_status or None,
            "to": row.to_status,
            "transition": row.transition,
            "actor": row.actor_name if internal else "",
            "kind": row.kind,
            "comment": row.comment if internal else "",
        }
        for row in history_for(order)
    ]


def public_links(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An order's links as the customer sees them: which orders, not why or by whom."""
    return [{**link, "reason": "", "actor": ""} for link in links]


def for_customer(shown: dict[str, Any]) -> dict[str, Any]:
    """The API's order JSON cut to what a customer (or a partner) may read."""
    return {**shown, "contractor": None, "links": public_links(shown["links"])}


def order_tracking(token: str, language: str) -> dict[str, Any]:
    """What a tracking link shows (the API and the page alike): number, statuses with their labels,
    items with their targets, payment status, total and the timeline of statuses. Nothing personal:
    no names, addresses, phone numbers, comments or who did what."""
    order = order_by_tracking_token(token)
    find = status_finder(order)

    def label(code: str, item: bool = False) -> dict[str, str] | None:
        found = find(code, item)
        return None if found is None else {"code": found.code, "label": found.label(language)}

    items = list(order.items.all().order_by("id"))
    return {
        "number": order.number,
        "status": label(order.status),
        "payment_status": order.payment_status,
        "placed_date": timezone.localdate(order.placed_at),
        "total": order.total,
        "currency": order.currency,
        "items": [
            {"name": item.name, "quantity": item.quantity, "target": item.target, "status": label(item.status, True)}
            for item in items
        ],
        "timeline": [
            {"at": row["at"], "item": row["item_name"], "status": label(row["to"], item=row["item"] is not None)}
            for row in history_rows(order, internal=False)
        ],
    }
