"""The item queue (digital-services seed, SPEC §3.4): an item whose target already has an active
item of the same customer waits in its first status and starts when that one ends.

``start_items`` (the payment's effect) starts only items whose target is free; the worker's
``start_waiting_items`` pass starts the next waiting item once a target frees up, one order per
transaction, so no transaction ever locks two orders.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from ordo.orders.models import Order, OrderItem, StatusChange
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.workflows import compiled
from ordo.workflow.definition import Workflow
from ordo.workflow.snapshot import SYSTEM

START = "start"


def active_statuses(item_workflow: Workflow) -> list[str]:
    """Statuses in which an item occupies its target: neither waiting (the first) nor final."""
    return [s.code for s in item_workflow.statuses if not s.final and s.code != item_workflow.initial]


def target_busy(item: OrderItem, customer_id: int, item_workflow: Workflow, started: set[tuple[int, str]]) -> bool:
    if not item.target:
        return False
    if (customer_id, item.target) in started:
        return True
    return (
        OrderItem.objects.filter(
            order__customer_id=customer_id, target=item.target, status__in=active_statuses(item_workflow)
        )
        .exclude(pk=item.pk)
        .exists()
    )


def start_waiting_items(limit: int = 200) -> int:
    """Start the oldest waiting item of each (customer, target) whose target is free; returns how many."""
    from ordo.orders.services import OrderUnit, lock_order

    started = 0
    for row in WorkflowRow.objects.filter(scope=WorkflowRow.Scope.ITEM).defer("definition"):
        item_workflow = compiled(row)
        if item_workflow.transition(START) is None:
            continue
        active = active_statuses(item_workflow)
        busy = OrderItem.objects.filter(
            order__customer_id=OuterRef("order__customer_id"), target=OuterRef("target"), status__in=active
        )
        waiting = (
            OrderItem.objects.filter(order__item_workflow=row, status=item_workflow.initial)
            .exclude(target="")
            .exclude(order__status__in=_not_running(row))
            .exclude(Exists(busy))
            .order_by("id")
            .values_list("id", "order__number", "order__customer_id", "target")[:limit]
        )
        chosen: dict[tuple[int, str], tuple[int, int]] = {}
        for item_id, number, customer_id, target in waiting:
            chosen.setdefault((customer_id, target), (item_id, number))
        for item_id, number in chosen.values():
            with transaction.atomic():
                unit = OrderUnit(lock_order(number), actor=SYSTEM)
                item = unit.item(item_id)
                if item.status != item_workflow.initial or target_busy(
                    item, unit.order.customer_id, item_workflow, set()
                ):
                    continue
                unit.fire_item(item, START, kind=StatusChange.Kind.EVENT)
                unit.settle()
                unit.flush()
                started += 1
    return started


def _not_running(item_row: WorkflowRow) -> list[str]:
    """Order statuses in which items must not start: the first one (not paid yet) and final ones."""
    statuses: set[str] = set()
    for order_workflow in {
        o for o in Order.objects.filter(item_workflow=item_row).values_list("workflow_id", flat=True).distinct()
    }:
        flow = compiled(WorkflowRow.objects.defer("definition").get(pk=order_workflow))
        statuses.add(flow.initial)
        statuses.update(s.code for s in flow.statuses if s.final)
    return sorted(statuses)
