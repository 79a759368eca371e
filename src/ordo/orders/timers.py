"""Timers: orders that move by themselves after time in a status, and the warnings before.

The sweep is set-based: one indexed query per rule (``status = S and status_since <= now − D``)
finds due orders; they are claimed in batches (``SKIP LOCKED`` on PostgreSQL, so many workers
share the work) and moved with one UPDATE, plus bulk inserts of their history and outbox rows,
in one transaction per batch. A worker that dies mid-sweep rolls its batch back whole, and the
next sweep finds those orders still due: each status entry moves once. Warnings are marked per
status entry (``TimerMark``), so each is sent once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from ordo.db import adapt, insert_many, insert_new, insert_rows, vendor
from ordo.notifications.models import Message
from ordo.notifications.outbox import dedupe_key, targets
from ordo.orders.effects import BULK_EFFECTS
from ordo.orders.models import Order, OrderItem, StatusChange, Stay, TimerMark
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.services import OrderUnit, lock_order
from ordo.orders.snapshots import items_short, order_snapshot
from ordo.orders.workflows import compiled
from ordo.workflow.definition import Timer, Transition, Workflow
from ordo.workflow.engine import Decision, decide
from ordo.workflow.guards import ITEM_GUARDS, STOCK_GUARDS
from ordo.workflow.snapshot import SYSTEM

log = logging.getLogger(__name__)

#: Orders per claimed batch. PostgreSQL gains from fewer round trips and locks only the rows;
#: SQLite holds its single write lock for the batch, so smaller batches keep web writes flowing.
BATCHES = {"sqlite": 1000}
BATCH = 5000


def batch_size() -> int:
    return BATCHES.get(vendor(), BATCH)


class Due(NamedTuple):
    """A due order as the sweep reads it: plain values, no model instance."""

    id: int
    number: int
    status: str
    status_seq: int
    # What guards and dry runs read: left out of the claim when the timer's transition has no guard.
    status_since: datetime | None = None
    currency: str = ""
    total: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    payment_status: str = ""
    deferred_payment: bool = False
    item_workflow_id: int | None = None


FIELDS = Due._fields
#: Enough to move an order whose timer transition has no guard (and to record how long it stayed).
MOVE_FIELDS = FIELDS[:5]


@dataclass(frozen=True)
class Rule:
    workflow_id: int
    workflow: Workflow
    timer: Timer

    @property
    def transition(self) -> Transition:
        found = self.workflow.transition(self.timer.transition)
        assert found is not None  # validate() guarantees it
        return found


@dataclass
class Planned:
    number: int
    status: str
    transition: str
    to: str
    at: datetime
    kind: str  # "move" or "warning"
    blocked_by: list[str] = field(default_factory=list)


@dataclass
class SweepResult:
    moved: int = 0
    warned: int = 0
    blocked: int = 0
    planned: list[Planned] = field(default_factory=list)


def rules(workflows: dict[int, Workflow] | None = None) -> list[Rule]:
    """Every timer of every stored order workflow; ``workflows`` replaces some definitions (dry runs)."""
    found = []
    for row in WorkflowRow.objects.filter(scope=WorkflowRow.Scope.ORDER).defer("definition"):
        workflow = (workflows or {}).get(row.pk) or compiled(row)
        found += [Rule(row.pk, workflow, timer) for timer in workflow.timers]
    return found


def _due(rule: Rule, cutoff: datetime, exclude: set[int]):
    orders = Order.objects.filter(workflow_id=rule.workflow_id, status=rule.timer.status, status_since__lte=cutoff)
    if exclude:
        orders = orders.exclude(id__in=exclude)
    return orders.order_by("status_since", "id")


def _claim(queryset, fields: tuple[str, ...] = FIELDS) -> list[Due]:
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return [Due(*row) for row in queryset.values_list(*fields)[: batch_size()]]


def _since(order: Due) -> datetime:
    """When the order entered its status; claimed whenever a dry run or a warning needs it."""
    assert order.status_since is not None
    return order.status_since


def _items_by_order(orders: list[Due]) -> dict[int, list[OrderItem]]:
    grouped: dict[int, list[OrderItem]] = defaultdict(list)
    for item in OrderItem.objects.filter(order_id__in=[o.id for o in orders]):
        grouped[item.order_id].append(item)
    return grouped


def _decisions(rule: Rule, orders: list[Due]) -> Iterator[tuple[Due, bool, list[str]]]:
    transition = rule.transition
    if not transition.guards:
        # The system may fire every timer transition: with no guard, nothing to check per order.
        yield from ((order, True, []) for order in orders)
        return
    needs_items = any(g.name in ITEM_GUARDS for g in transition.guards)
    needs_stock = any(g.name in STOCK_GUARDS for g in transition.guards)
    items = _items_by_order(orders) if needs_items else {}
    item_flows: dict[int, Workflow] = {}
    for order in orders:
        item_flow = None
        if needs_items and order.item_workflow_id:
            if order.item_workflow_id not in item_flows:
                item_flows[order.item_workflow_id] = compiled(WorkflowRow.objects.get(pk=order.item_workflow_id))
            item_flow = item_flows[order.item_workflow_id]
        order_items = items.get(order.id, [])
        # Stock guards lock the rows they read; the move itself decides again per order.
        short = items_short(order_items) if needs_stock and order_items else frozenset()
        snapshot = order_snapshot(order, order_items, item_flow, short=short)
        decision = decide(rule.workflow, snapshot, transition.code, SYSTEM)
        if isinstance(decision, Decision):
            yield order, True, []
        else:
            yield order, False, [g.code for g in decision.failed_guards] or [decision.code.value]


def _bulk_ok(rule: Rule) -> bool:
    """Can a batch move with one UPDATE? Not when an effect has no batch form, or when event rules
    might fire from the target status (those orders go through the services one by one)."""
    transition = rule.transition
    if any(ref.name not in BULK_EFFECTS for ref in transition.effects):
        return False
    return not any(
        transition.target in t.sources
        for event_rule in rule.workflow.events
        for code in event_rule.transitions
        if (t := rule.workflow.transition(code)) is not None
    )


def _move_batch(rule: Rule, orders: list[Due], now: datetime) -> None:
    transition = rule.transition
    if not _bulk_ok(rule):
        for order in orders:
            unit = OrderUnit(lock_order(order.number), actor=SYSTEM, now=now)
            unit.fire(transition.code, kind=StatusChange.Kind.TIMER)
            unit.settle()
            unit.flush()
        return
    ids = [o.id for o in orders]
    Order.objects.filter(id__in=ids).update(status=transition.target, status_since=now, status_seq=F("status_seq") + 1)
    insert_many(
        StatusChange,
        ["order_id", "status_seq"],
        [(o.id, o.status_seq + 1) for o in orders],
        constants={
            "at": now,
            "from_status": rule.timer.status,
            "to_status": transition.target,
            "transition": transition.code,
            "actor_name": SYSTEM.name,
            "kind": StatusChange.Kind.TIMER,
        },
    )
    insert_many(
        Stay,
        ["order_id", "entered_at", "seconds"],
        [(o.id, adapt(Stay, "entered_at", _since(o)), max(int((now - _since(o)).total_seconds()), 0)) for o in orders],
        constants={
            "workflow_id": rule.workflow_id,
            "status": rule.timer.status,
            "left_at": now,
            "left_by": transition.code,
        },
    )
    for ref in transition.effects:
        BULK_EFFECTS[ref.name](ids, now)
    # Every row of the batch tells the same event: one context for all (the number comes from the
    # order when the message is rendered), adapted once per batch rather than once per row.
    context = adapt(
        Message,
        "context",
        {
            "event": "status_changed",
            "status": transition.target,
            "from": rule.timer.status,
            "transition": transition.code,
            "kind": "timer",
        },
    )
    rows: list[tuple[object, ...]] = []
    for target in targets(rule.workflow, "status_changed", transition.target):
        recipient, channel, delay, subscription = target
        available_at = adapt(Message, "available_at", now + delay)
        rows += [
            (
                "status_changed",
                o.id,
                recipient,
                channel,
                subscription,
                context,
                dedupe_key(o.number, "status_changed", f"s{o.status_seq + 1}", target),
                available_at,
            )
            for o in orders
        ]
    insert_many(
        Message,
        ["event", "order_id", "recipient", "channel", "subscription_id", "context", "dedupe_key", "available_at"],
        rows,
        constants={"created_at": now},
    )


def _mark_blocked(rule: Rule, blocked: list[tuple[Due, list[str]]], now: datetime) -> int:
    marks = [
        TimerMark(
            order_id=o.id,
            status_seq=o.status_seq,
            transition=rule.timer.transition,
            kind=TimerMark.Kind.BLOCKED,
            detail=", ".join(reasons),
            at=now,
        )
        for o, reasons in blocked
    ]
    created = TimerMark.objects.bulk_create(marks, ignore_conflicts=True)
    for o, reasons in blocked:
        log.info("timer %s: order %s stays in %s (%s)", rule.timer.transition, o.number, o.status, ", ".join(reasons))
    return len(created)


def _moves(rule: Rule, now: datetime, result: SweepResult, dry_run: bool) -> None:
    cutoff = now - rule.timer.after
    passed_over: set[int] = set()
    while True:
        with transaction.atomic():
            fields = FIELDS if rule.transition.guards or dry_run else MOVE_FIELDS
            batch = _claim(_due(rule, cutoff, passed_over), fields)
            if not batch:
                return
            movable, blocked = [], []
            for order, allowed, reasons in _decisions(rule, batch):
                if not allowed:
                    blocked.append((order, reasons))
                    passed_over.add(order.id)
                else:
                    movable.append(order)
                if dry_run:
                    passed_over.add(order.id)
                    result.planned.append(
                        Planned(
                            order.number,
                            order.status,
                            rule.timer.transition,
                            rule.transition.target,
                            _since(order) + rule.timer.after,
                            "move",
                            reasons,
                        )
                    )
            if dry_run:
                continue
            if blocked:
                _mark_blocked(rule, blocked, now)
                result.blocked += len(blocked)
            if movable:
                _move_batch(rule, movable, now)
                result.moved += len(movable)


def _warnings(rule: Rule, now: datetime, result: SweepResult, dry_run: bool) -> None:
    timer = rule.timer
    if timer.warn_before is None or not timer.warn:
        return
    warned = TimerMark.objects.filter(
        order=OuterRef("pk"), status_seq=OuterRef("status_seq"), transition=timer.transition, kind=TimerMark.Kind.WARNED
    )
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            due = Order.objects.filter(
                workflow_id=rule.workflow_id,
                status=timer.status,
                status_since__lte=now - (timer.after - timer.warn_before),
                status_since__gt=now - timer.after,  # already due to move: the move says it all
            ).exclude(Exists(warned))
            if seen:
                due = due.exclude(id__in=seen)
            batch = _claim(due.order_by("status_since", "id"))
            if not batch:
                return
            seen.update(o.id for o in batch)
            moves_at = {o.id: _since(o) + timer.after for o in batch}
            if dry_run:
                result.planned += [
                    Planned(o.number, o.status, timer.transition, rule.transition.target, moves_at[o.id], "warning")
                    for o in batch
                ]
                continue
            # Another sweep may have warned some of these since this one read them: only the
            # orders whose mark this sweep inserted get messages.
            marked = set(
                insert_new(
                    TimerMark,
                    [
                        TimerMark(
                            order_id=o.id,
                            status_seq=o.status_seq,
                            transition=timer.transition,
                            kind=TimerMark.Kind.WARNED,
                            at=now,
                        )
                        for o in batch
                    ],
                    returning="order",
                )
            )
            batch = [o for o in batch if o.id in marked]
            insert_rows(
                [
                    Message(
                        event="timer_warning",
                        order_id=o.id,
                        recipient=recipient,
                        channel="email",
                        context={
                            "number": o.number,
                            "status": o.status,
                            "transition": timer.transition,
                            "eta": moves_at[o.id].isoformat(),
                        },
                        dedupe_key=f"{o.number}:timer_warning:s{o.status_seq}:{timer.transition}:{recipient}:email",
                        available_at=now,
                        created_at=now,
                    )
                    for o in batch
                    for recipient in timer.warn
                ]
            )
            result.warned += len(batch)


def sweep(
    *, now: datetime | None = None, dry_run: bool = False, workflows: dict[int, Workflow] | None = None
) -> SweepResult:
    """Move every due order and send every due warning as of ``now`` (default: now).

    ``dry_run`` lists what would happen and changes nothing; ``workflows`` tries changed
    definitions (by workflow id) instead of the stored ones.
    """
    now = now or timezone.now()
    result = SweepResult()
    for rule in rules(workflows):
        _warnings(rule, now, result, dry_run)
        _moves(rule, now, result, dry_run)
    return result


def forecast(
    *, days: int, now: datetime | None = None, limit: int = 5000, within: QuerySet[Order] | None = None
) -> list[Planned]:
    """What will move or be warned about in the next ``days`` days, soonest first. ``within``: only
    these orders (a visibility selector's queryset: a manager with own scope sees their own)."""
    now = now or timezone.now()
    orders = Order.objects.all() if within is None else within
    horizon = now + timedelta(days=days)
    planned: list[Planned] = []
    for rule in rules():
        timer = rule.timer
        target = rule.transition.target
        base = orders.filter(workflow_id=rule.workflow_id, status=timer.status)
        for number, status, since in base.filter(status_since__lte=horizon - timer.after).values_list(
            "number", "status", "status_since"
        )[:limit]:
            planned.append(Planned(number, status, timer.transition, target, max(since + timer.after, now), "move"))
        if timer.warn_before is not None and timer.warn:
            lead = timer.after - timer.warn_before
            warned = TimerMark.objects.filter(
                order=OuterRef("pk"),
                status_seq=OuterRef("status_seq"),
                transition=timer.transition,
                kind=TimerMark.Kind.WARNED,
            )
            upcoming = base.filter(status_since__lte=horizon - lead, status_since__gt=now - timer.after).exclude(
                Exists(warned)
            )
            for number, status, since in upcoming.values_list("number", "status", "status_since")[:limit]:
                planned.append(Planned(number, status, timer.transition, target, max(since + lead, now), "warning"))
    return sorted(planned, key=lambda p: (p.at, p.number, p.kind))[:limit]


def planned_json(planned: list[Planned]) -> list[dict[str, Any]]:
    return [
        {
            "number": p.number,
            "status": p.status,
            "transition": p.transition,
            "to": p.to,
            "at": p.at,
            "kind": p.kind,
            "blocked_by": p.blocked_by,
        }
        for p in planned
    ]
