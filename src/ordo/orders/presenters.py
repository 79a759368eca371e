"""What an order shows to people outside the staff: the customer (portal, API) and a guest holding
its tracking link. One place decides it, so the three never drift apart.

Staff see everything (``permissions.Action.READ_INTERNAL``). Everyone else sees the statuses and
when they changed, never who on the staff moved the order or what they wrote about it; links between
orders without the staff's reasons; not the contractor who works on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from ordo.orders.models import Order, OrderType
from ordo.orders.selectors import history_for, order_by_tracking_token
from ordo.orders.workflows import status_finder
from ordo.workflow.definition import label_for


def history_rows(order: Order, *, internal: bool) -> list[dict[str, Any]]:
    """The status history, oldest first. ``internal=False`` leaves out the actor and the comment,
    and an order's move to another workflow version that left its status as it was."""
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
        if internal or not (row.kind == "version" and row.from_status == row.to_status)
    ]


def public_links(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An order's links as the customer sees them: which orders, not why or by whom."""
    return [{**link, "reason": "", "actor": ""} for link in links]


def for_customer(shown: dict[str, Any]) -> dict[str, Any]:
    """The API's order JSON cut to what a customer (or a partner) may read."""
    return {**shown, "contractor": None, "links": public_links(shown["links"])}


def checkout_choices(order: Order, language: str) -> dict[str, Any]:
    """What the customer chose at checkout, named in ``language`` by the order type's settings:
    ``shipping`` and ``place`` as ``{code, label}`` (None when not chosen), ``planned_date``."""
    chosen = order.checkout or {}
    planned = chosen.get("planned_date")
    found: dict[str, Any] = {
        "shipping": None,
        "place": None,
        "planned_date": date.fromisoformat(planned) if planned else None,
    }
    if not chosen.get("shipping"):
        return found
    settings = OrderType.objects.filter(code=order.type).values_list("checkout", flat=True).first() or {}
    option = next((o for o in settings.get("shipping", []) if o["code"] == chosen["shipping"]), None)
    labels = option["labels"] if option else {}
    found["shipping"] = {"code": chosen["shipping"], "label": label_for(labels, language, chosen["shipping"])}
    if chosen.get("place"):
        place = next((p for p in (option or {}).get("places", []) if p["code"] == chosen["place"]), None)
        found["place"] = {
            "code": chosen["place"],
            "label": label_for(place["labels"] if place else {}, language, chosen["place"]),
        }
    return found


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
        "checkout": checkout_choices(order, language),
        "items": [
            {"name": item.name, "quantity": item.quantity, "target": item.target, "status": label(item.status, True)}
            for item in items
        ],
        "timeline": [
            {"at": row["at"], "item": row["item_name"], "status": label(row["to"], item=row["item"] is not None)}
            for row in history_rows(order, internal=False)
        ],
    }
