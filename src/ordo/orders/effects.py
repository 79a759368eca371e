"""Named effects: what a transition does besides changing the status, inside its transaction.

Presets name effects; ``validate()`` refuses a name that is not registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordo.workflow.snapshot import SYSTEM

if TYPE_CHECKING:
    from ordo.orders.services import OrderUnit


@dataclass(frozen=True)
class EffectCall:
    unit: OrderUnit
    params: Mapping[str, Any]


EffectFn = Callable[[EffectCall], None]
EFFECTS: dict[str, EffectFn] = {}
#: Effects the timer sweep can apply to a whole batch at once: (order ids, now) → None.
BULK_EFFECTS: dict[str, Callable[[list[int], Any], None]] = {}


def effect(name: str) -> Callable[[EffectFn], EffectFn]:
    def register(fn: EffectFn) -> EffectFn:
        EFFECTS[name] = fn
        return fn

    return register


@effect("set_issue_date")
def set_issue_date(call: EffectCall) -> None:
    """The order was handed over now, unless staff already set the issue date by hand."""
    order = call.unit.order
    if order.issued_at is None:
        order.issued_at = call.unit.now
        call.unit.dirty.add("issued_at")


def _set_issue_dates(order_ids: list[int], now: Any) -> None:
    from ordo.orders.models import Order

    Order.objects.filter(id__in=order_ids, issued_at__isnull=True).update(issued_at=now)


BULK_EFFECTS["set_issue_date"] = _set_issue_dates


@effect("credit_wallet")
def credit_wallet(call: EffectCall) -> None:
    """A paid top-up order: its goods' value (not the processing fee) goes into the customer's wallet."""
    from ordo.payments.wallet import wallet_credit

    order = call.unit.order
    wallet_credit(call.unit, amount=order.subtotal - order.discount, note=f"top-up order {order.number}")


@effect("start_items")
def start_items(call: EffectCall) -> None:
    """Fire the item workflow's start transition (param ``transition``, default ``start``) on every
    item still in the item workflow's first status."""
    unit = call.unit
    if unit.item_workflow is None:
        return
    code = str(call.params.get("transition", "start"))
    for item in unit.items:
        if item.status == unit.item_workflow.initial:
            # The system starts them, whoever's payment set the rule off.
            unit.fire_item(item, code, actor=SYSTEM, kind="event")
