"""Orders → the API's JSON shape, in the caller's language, with what the caller may do next."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from ordo.db import related_rows
from ordo.kept import Kept
from ordo.orders.links import links_of
from ordo.orders.models import ZERO, Order, OrderType
from ordo.orders.permissions import Action, may
from ordo.orders.presenters import for_customer
from ordo.orders.selectors import tracking_url
from ordo.orders.snapshots import order_snapshot
from ordo.orders.workflows import compiled
from ordo.payments.services import fees_kept
from ordo.taxes.present import order_taxes
from ordo.workflow.engine import available
from ordo.workflow.snapshot import Actor


def user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.get_username()}


#: How long each order type usually takes, kept per process (``ordo.kept``; see ``orders.apps``).
EXECUTION_TIMES: Kept[str, dict[str, Any]] = Kept("order types' execution times", seconds=5.0, group="order types")


def execution_times() -> dict[str, Any]:
    return EXECUTION_TIMES.get(
        "all", lambda: dict(OrderType.objects.exclude(execution_time=None).values_list("code", "execution_time"))
    )


def order_json(order: Order, actor: Actor, language: str, durations: dict[str, Any] | None = None) -> dict[str, Any]:
    """``durations`` (execution time per order type) may be read once for a whole list."""
    durations = execution_times() if durations is None else durations
    expected = None
    if order.issued_at is None and order.type in durations:
        expected = order.placed_at + durations[order.type]
    workflow = compiled(order.workflow)
    item_workflow = compiled(order.item_workflow) if order.item_workflow is not None else None
    items = related_rows(order, "items")
    status = workflow.status(order.status)
    options = available(workflow, order_snapshot(order, items, item_workflow), actor)

    def item_status(code: str) -> dict[str, str] | None:
        found = item_workflow.status(code) if item_workflow and code else None
        return None if found is None else {"code": found.code, "label": found.label(language)}

    customer = order.customer
    placed = timezone.localtime(order.placed_at)
    shown = {
        "number": order.number,
        "type": order.type,
        "source": order.source,
        "workflow": workflow.code,
        "status": {"code": order.status, "label": status.label(language) if status else order.status},
        "payment_status": order.payment_status,
        "payment_channel": order.payment_channel,
        "currency": order.currency,
        "totals": {
            "subtotal": order.subtotal,
            "discount": order.discount,
            "fees": order.fees,
            "total": order.total,
            "paid": order.paid,
            "refunded": order.refunded,
            "fees_kept": fees_kept(order.pk) if order.refunded else ZERO,
        },
        "customer": {
            "id": customer.pk,
            "kind": customer.kind,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
        },
        "manager": user_ref(order.manager),
        "contractor": user_ref(order.contractor),
        "courier": None
        if order.courier is None
        else {
            "id": order.courier.pk,
            "name": order.courier.name,
            "email": order.courier.email,
            "phone": order.courier.phone,
            "active": order.courier.active,
        },
        "delivery_address": order.delivery_address,
        "partner": None
        if order.partner is None
        else {"id": order.partner.pk, "code": order.partner.code, "name": order.partner.name},
        "external_number": order.external_number,
        "notes": order.notes,
        "items": [
            {
                "id": item.pk,
                "sku": item.sku,
                "name": item.name,
                "quantity": item.quantity,
                "unit_price": item.unit_price,
                "status": item_status(item.status),
                "target": item.target,
                "in_stock": item.in_stock,
                "category": item.category,
                "reserved": item.reserved,
                "materials": [
                    {"sku": m.product.sku, "name": m.product.name, "quantity": m.quantity}
                    for m in related_rows(item, "materials")
                ],
                "tax_rate": item.tax_rate,
            }
            for item in items
        ],
        "discounts": [
            {
                "id": d.pk,
                "name": d.name,
                "kind": d.kind,
                "value": d.value,
                "amount": d.amount,
                "reason": d.reason,
                "automatic": d.automatic,
            }
            for d in related_rows(order, "discounts")
        ],
        "links": links_of(order),
        # Shown in the site's time zone (ORDO_TIME_ZONE); the same instant as UTC.
        "placed_at": placed,
        "placed_date": placed.date(),
        "status_since": order.status_since,
        "issued_at": order.issued_at,
        "stock_checked_at": order.stock_checked_at,
        "expected_issue_at": expected,
        "tracking_url": tracking_url(order),
        "available_transitions": [
            {
                "code": option.transition.code,
                "label": option.transition.label(language),
                "to": option.transition.target,
                "enabled": option.enabled,
                "failed_guards": [{"code": g.code, "message": g.message} for g in option.failed_guards],
            }
            for option in options
        ],
        "taxes": _taxes(order, items),
    }
    return shown if may(actor.role, Action.READ_INTERNAL) else for_customer(shown)


def _taxes(order: Order, items: list[Any]) -> dict[str, Any] | None:
    found = order_taxes(order, items)
    if found is None:
        return None
    return {
        "rounding": found.rounding,
        "net": found.net,
        "tax": found.tax,
        "rates": [{"rate": r.rate, "net": r.net, "tax": r.tax, "gross": r.gross} for r in found.rates],
    }
