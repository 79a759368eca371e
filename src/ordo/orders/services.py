"""Writes on orders: placing, transitions of orders and items, edits.

Every change follows lock → snapshot → decide → apply inside one durable transaction: the status,
the history row and the effects land together or not at all.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ordo.accounts.models import Customer, Partner
from ordo.db import (
    batched,
    fetch_all,
    fetch_one,
    insert_created,
    insert_plain,
    insert_returning,
    insert_rows,
    joined,
    one_connection,
    read_shape,
    read_together,
    update_fields,
    vendor,
)
from ordo.errors import DomainError
from ordo.jobs.runner import job_enqueue
from ordo.kept import Kept
from ordo.notifications.models import Message
from ordo.notifications.outbox import Event, messages_for
from ordo.orders.assignment import auto_contractor, auto_manager, contractor_check, may_manage
from ordo.orders.effects import EFFECTS, EffectCall
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import (
    MAX_MONEY,
    ORDER_SUMS,
    ZERO,
    Activity,
    Counter,
    IdempotencyKey,
    Order,
    OrderDiscount,
    OrderItem,
    OrderType,
    Source,
    StatusChange,
    Stay,
)
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.pricing import percent_of, tier_reached
from ordo.orders.selectors import items_statement
from ordo.orders.snapshots import items_short, order_snapshot
from ordo.orders.workflows import compiled_by_digest
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.fees import processing_fee
from ordo.payments.models import PaymentChannel
from ordo.search import fold
from ordo.taxes.present import TaxRules, rate_totals, vat_on_top
from ordo.text import target_problem
from ordo.workflow.definition import Transition, Workflow
from ordo.workflow.engine import Decision, Refusal, decide, first_for_event
from ordo.workflow.guards import ITEM_GUARDS, STOCK_GUARDS
from ordo.workflow.snapshot import SYSTEM, Actor, Snapshot

MAX_ITEMS = 500
MAX_QUANTITY = 1_000_000
MAX_PRICE = Decimal("999999999.99")
#: Event rules may fire transitions that enable further rules; this bounds a badly drawn cycle.
MAX_CASCADE = 20


@dataclass(frozen=True)
class ItemInput:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    target: str = ""
    in_stock: bool = True
    category: str = ""
    #: The line's VAT class where it is not the product's (free lines); "" takes the product's.
    tax_class: str = ""


class OrderUnit:
    """One order under its row lock for the length of one transaction.

    Changes are collected and written by ``flush()``: one UPDATE for the order, one bulk UPDATE
    for changed items, one bulk INSERT for the history rows of the whole cascade.
    """

    def __init__(self, order: Order, *, actor: Actor, now: datetime | None = None):
        self.order = order
        self.actor = actor
        self.now = now or timezone.now()
        # lock_order() read the digests with the row: a cached workflow costs no query.
        self.workflow: Workflow = compiled_by_digest(order.workflow_id, order.workflow_digest)
        self.item_workflow: Workflow | None = (
            compiled_by_digest(order.item_workflow_id, order.item_workflow_digest or "")
            if order.item_workflow_id is not None
            else None
        )
        self._items: list[OrderItem] | None = order.items_locked
        #: Rows to write at ``flush``, as plain mappings (``db.insert_plain``).
        self.history: list[dict[str, Any]] = []
        self.stays: list[dict[str, Any]] = []
        self.dirty: set[str] = set()
        self.dirty_items: dict[int, OrderItem] = {}
        self.events: list[Event] = []
        self.activity: list[Activity] = []
        #: Whether an effect ran: an effect may write the order's row by a path of its own
        #: (payments, stock), after which this instance no longer holds the row as written.
        self.effects_ran = False

    @property
    def items(self) -> list[OrderItem]:
        if self._items is None:
            self._items = items_read(self.order)
        return self._items

    def snapshot(self, *, status: str | None = None, with_items: bool = True, with_stock: bool = False) -> Snapshot:
        items = self.items if with_items or with_stock else []
        short = items_short(items) if with_stock and items else frozenset()
        return order_snapshot(self.order, items, self.item_workflow, status, short)

    def _snapshot_for(self, transitions: Iterable[Transition]) -> Snapshot:
        """Read only what the transitions' guards need: items, and stock only for stock guards."""
        names = {g.name for t in transitions for g in t.guards}
        return self.snapshot(with_items=bool(names & ITEM_GUARDS), with_stock=bool(names & STOCK_GUARDS))

    # -- order transitions -------------------------------------------------------------------

    def fire(
        self,
        code: str,
        *,
        actor: Actor | None = None,
        kind: str = StatusChange.Kind.MANUAL,
        expected_status: str | None = None,
        comment: str = "",
    ) -> Decision:
        actor = actor or self.actor
        transition = self.workflow.transition(code)
        snapshot = self._snapshot_for([transition] if transition is not None else [])
        decision = decide(self.workflow, snapshot, code, actor, expected_status, comment)
        if isinstance(decision, Refusal):
            raise _refused(decision, self.order.status)
        self._apply(decision, actor=actor, kind=kind, comment=comment)
        return decision

    def _apply(self, decision: Decision, *, actor: Actor, kind: str, comment: str = "") -> None:
        order = self.order
        self.stays.append(
            {
                "order_id": order.pk,
                "workflow_id": order.workflow_id,
                "status": order.status,
                "entered_at": order.status_since,
                "left_at": self.now,
                "seconds": max(int((self.now - order.status_since).total_seconds()), 0),
                "left_by": decision.transition.code,
            }
        )
        order.status = decision.target
        order.status_since = self.now
        order.status_seq += 1
        self.dirty.update(("status", "status_since", "status_seq"))
        self.history.append(self._history_row(decision, actor, kind, comment, seq=order.status_seq))
        self.tell(
            Event(
                "status_changed",
                key=f"s{order.status_seq}",
                status=decision.target,
                facts={"from": decision.source, "transition": decision.transition.code, "comment": comment},
            )
        )
        for ref in decision.effects:
            self.effects_ran = True
            EFFECTS[ref.name](EffectCall(self, ref.params))

    def settle(self) -> None:
        """Fire event rules whose condition holds now.

        Rules are level-triggered: "the order is paid" is checked after every change, so an order
        paid before it reached ``awaiting_payment`` still moves on once it gets there.
        """
        for _ in range(MAX_CASCADE):
            decision = self._next_event_decision()
            if decision is None:
                return
            self._apply(decision, actor=SYSTEM, kind=StatusChange.Kind.EVENT)
        raise RuntimeError(f"event rules of {self.workflow.code!r} cascade more than {MAX_CASCADE} times")

    def _next_event_decision(self) -> Decision | None:
        for event in (f"payment.{self.order.payment_status}", "items.all_final"):
            decision = self._event_decision(event)
            if decision is not None:
                return decision
        return None

    def _event_decision(self, event: str) -> Decision | None:
        candidates = [
            t
            for rule in self.workflow.rules_for(event)
            for code in rule.transitions
            if (t := self.workflow.transition(code)) is not None and self.order.status in t.sources
        ]
        if not candidates:
            return None
        return first_for_event(self.workflow, self._snapshot_for(candidates), event, SYSTEM)

    def fire_event(self, event: str) -> Decision | None:
        """Something happened outside the order (``stock.arrived``): fire the first transition of
        the workflow's rules for it that may fire now, then settle. None: nothing fits yet."""
        decision = self._event_decision(event)
        if decision is not None:
            self._apply(decision, actor=SYSTEM, kind=StatusChange.Kind.EVENT)
            self.settle()
        return decision

    # -- item transitions --------------------------------------------------------------------

    def item(self, item_id: int) -> OrderItem:
        for item in self.items:
            if item.pk == item_id:
                return item
        raise DomainError(OrderErrorCode.UNKNOWN_ITEM, f"Order {self.order.number} has no item {item_id}.")

    def fire_item(
        self,
        item: OrderItem,
        code: str,
        *,
        actor: Actor | None = None,
        kind: str = StatusChange.Kind.MANUAL,
        expected_status: str | None = None,
        comment: str = "",
    ) -> Decision:
        if self.item_workflow is None:
            raise DomainError(
                OrderErrorCode.NO_ITEM_WORKFLOW,
                f"Items of order {self.order.number} have no statuses of their own.",
            )
        actor = actor or self.actor
        snapshot = self.snapshot(status=item.status)
        decision = decide(self.item_workflow, snapshot, code, actor, expected_status, comment)
        if isinstance(decision, Refusal):
            raise _refused(decision, item.status)
        item.status = decision.target
        item.status_since = self.now
        self.dirty_items[item.pk] = item
        self.history.append(self._history_row(decision, actor, kind, comment, item=item))
        self.tell(
            Event(
                "item_status_changed",
                key=f"i{item.pk}:{decision.target}",
                status=decision.target,
                facts={"item": item.pk, "from": decision.source, "transition": decision.transition.code},
                item=True,
            )
        )
        for ref in decision.effects:
            self.effects_ran = True
            # Item effects learn which item moved.
            EFFECTS[ref.name](EffectCall(self, {**ref.params, "item": item.pk}))
        return decision

    # -- edits ------------------------------------------------------------------------------

    def change_channel(self, code: str) -> None:
        """Switch the payment channel while the order is not fully paid; an unpaid order's
        processing fee follows the new channel (once money came in, the fee stays as charged)."""
        order = self.order
        if order.payment_status not in ("unpaid", "partially_paid"):
            raise DomainError(
                PaymentErrorCode.CHANNEL_LOCKED,
                f"The payment channel cannot change once the order is {order.payment_status}.",
            )
        channel = channel_check(code)
        self.note("payment_channel_changed", {"from": order.payment_channel, "to": code})
        order.payment_channel = code
        self.dirty.add("payment_channel")
        if order.payment_status == "unpaid":
            fees_for(order, channel)
            retotal(order, self.items)
            self.dirty.update(("fees", "vat_added", "total"))

    def note(self, kind: str, detail: dict) -> None:
        """An activity row (channel changed, courier assigned…), written by ``flush()``."""
        self.activity.append(
            Activity(
                order=self.order,
                at=self.now,
                actor_id=None if self.actor.is_system else self.actor.id,
                actor_name=self.actor.name or self.actor.role,
                kind=kind,
                detail=detail,
            )
        )

    # -- writing ----------------------------------------------------------------------------

    def tell(self, event: Event) -> None:
        """Queue an event; its outbox rows are written by ``flush()`` in this transaction."""
        self.events.append(event)

    def _history_row(
        self,
        decision: Decision,
        actor: Actor,
        kind: str,
        comment: str,
        *,
        seq: int = 0,
        item: OrderItem | None = None,
    ) -> dict[str, Any]:
        return {
            "order_id": self.order.pk,
            "item_id": None if item is None else item.pk,
            "at": self.now,
            "from_status": decision.source,
            "to_status": decision.target,
            "transition": decision.transition.code,
            "actor_id": None if actor.is_system else actor.id,
            "actor_name": actor.name or actor.role,
            "kind": kind,
            "comment": comment,
            "status_seq": seq,
        }

    def flush(self) -> None:
        if self.dirty:
            sums_check(self.order)
        if self.dirty_items:
            OrderItem.objects.bulk_update(list(self.dirty_items.values()), ["status", "status_since"])
            self.dirty_items.clear()
        messages = []
        if self.events:
            messages = messages_for(
                order=self.order,
                events=self.events,
                workflow=self.workflow,
                item_workflow=self.item_workflow,
                now=self.now,
                lines=lambda: self.items,
            )
        with batched():  # nothing below is read back: one round trip on PostgreSQL
            if self.dirty:
                update_fields(self.order, sorted(self.dirty))
            insert_plain(StatusChange, self.history)
            insert_plain(Stay, self.stays)
            insert_rows(self.activity)
            insert_plain(Message, messages)
        for done in (self.dirty, self.history, self.stays, self.activity, self.events):
            done.clear()


def sums_check(order: Order) -> None:
    """Refuse sums the money columns cannot hold (the transaction then writes nothing)."""
    for name in ORDER_SUMS:
        value = getattr(order, name)
        if not -MAX_MONEY <= value <= MAX_MONEY:
            raise DomainError(
                OrderErrorCode.AMOUNT_OUT_OF_RANGE,
                f"The order's {name} would be {value}; amounts go up to {MAX_MONEY}.",
                field=name,
            )


def _refused(refusal: Refusal, status: str) -> DomainError:
    details: dict = {"status": status}
    if refusal.failed_guards:
        details["failed_guards"] = [{"code": g.code, "message": g.message} for g in refusal.failed_guards]
    return DomainError(OrderErrorCode(refusal.code.value), refusal.message, **details)


@functools.cache
def _lock_sql(vendor: str) -> str:
    order, workflow = Order._meta.db_table, WorkflowRow._meta.db_table
    # SQLite has no FOR UPDATE: its IMMEDIATE transaction already holds the database's write lock.
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {read_shape(Order, 'o').columns}, w.digest, iw.digest FROM {order} o "
        f"JOIN {workflow} w ON w.id = o.workflow_id LEFT JOIN {workflow} iw ON iw.id = o.item_workflow_id "
        f"WHERE o.number = %s{lock}"
    )


def lock_order(number: int, visible: QuerySet[Order] | None = None, *, with_items: bool = False) -> Order:
    """Fetch and lock an order row with its workflows' digests, in one query.

    Raw SQL because this is the hottest query of every write: the ORM spends four times longer
    compiling the join than SQLite spends running it (measured: 116 µs against 577 µs); the row
    becomes an ``Order`` through a shape worked out once (``db.read_shape``), not RawQuerySet's
    mapping of columns to fields on every call.
    ``visible`` (a visibility selector's queryset) makes an order the caller may not see "not found";
    one that filters nothing (whoever sees every order) costs no query.
    ``with_items``: its items too, read once the row is locked (``Order.items_locked``) — on
    PostgreSQL in the lock's round trip (``db.read_together``) rather than one of their own.
    """
    row = None
    if visible is None or not visible.query.has_filters() or visible.filter(number=number).exists():
        if with_items:
            rows, item_rows = read_together(
                [(_lock_sql(vendor()), [number]), (items_statement(vendor(), by_number=True), [number])]
            )
            row = rows[0] if rows else None
        else:
            row = fetch_one(_lock_sql(vendor()), [number])
    if row is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {number} not found.")
    shape = read_shape(Order, "o")
    order = shape.build(row)
    order.workflow_digest, order.item_workflow_digest = row[shape.width], row[shape.width + 1]
    if with_items:
        order.items_locked = _items_built(order, item_rows)
    return order


def order_transition(
    *,
    number: int,
    transition: str,
    actor: Actor,
    expected_status: str | None = None,
    comment: str = "",
    kind: str = StatusChange.Kind.MANUAL,
    visible: QuerySet[Order] | None = None,
) -> Order:
    """Fire ``transition`` on order ``number`` as ``actor``, then any event rules that now hold.

    Refusals raise ``DomainError``: ``status_changed``/``wrong_status`` (the order is not where the
    caller thought), ``forbidden`` (the role may not), ``guards_failed`` (naming every guard).
    ``visible`` narrows the orders the caller may touch (a selector's queryset).
    """
    with transaction.atomic(durable=True), one_connection():
        # With its items: its guards and messages may ask for them, and the caller shows them.
        unit = OrderUnit(lock_order(number, visible, with_items=True), actor=actor)
        unit.fire(transition, kind=kind, expected_status=expected_status, comment=comment)
        unit.settle()
        unit.flush()
    return _written(unit)


def item_transition(
    *,
    number: int,
    item_id: int,
    transition: str,
    actor: Actor,
    expected_status: str | None = None,
    comment: str = "",
    visible: QuerySet[Order] | None = None,
) -> Order:
    """Fire an item-workflow transition on one item; the order's event rules then settle
    (the last item to finish completes the order)."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible, with_items=True), actor=actor)
        unit.fire_item(unit.item(item_id), transition, expected_status=expected_status, comment=comment)
        unit.settle()
        unit.flush()
    return _written(unit)


def _written(unit: OrderUnit) -> Order:
    """The order a transition's unit wrote, marked ``as_written`` when the instance holds its row
    as committed: the unit changed the row only through itself — status, fields it flushed — and
    no effect ran that may have written it by another path (a payment, a stock hold). Its items
    go with it when the unit read them (``Order.items_as_written``): they too changed only
    through the unit."""
    unit.order.as_written = not unit.effects_ran
    unit.order.items_as_written = unit._items if unit.order.as_written else None
    return unit.order


def items_read(order: Order) -> list[OrderItem]:
    """``list(order.items.all())`` by a plain statement through the item's shape (``db.read_shape``):
    a transition reads its items for its guards or its messages, and the ORM took longer to
    compile the query than to run it. Each item knows its order, as the related manager's do."""
    return _items_built(order, fetch_all(items_statement(vendor()), [order.pk]))


def _items_built(order: Order, rows: list[tuple[Any, ...]]) -> list[OrderItem]:
    shape = read_shape(OrderItem, "r")
    items = [shape.build(row) for row in rows]
    for item in items:
        joined(item, "order", order)
    return items


def _next_number() -> int:
    # One statement that works on SQLite (3.35+) and PostgreSQL, serialized by the row it touches.
    table = Counter._meta.db_table
    row = fetch_one(
        f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
        f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
        ["order", settings.ORDO_ORDER_NUMBER_START],
    )
    assert row is not None
    return int(row[0])


def _validate_items(items: Sequence[ItemInput]) -> None:
    problems = []
    if len(items) > MAX_ITEMS:
        problems.append(f"at most {MAX_ITEMS} items per order")
    for index, item in enumerate(items):
        if not item.sku.strip() or not item.name.strip():
            problems.append(f"item {index}: sku and name are required")
        if not 1 <= item.quantity <= MAX_QUANTITY:
            problems.append(f"item {index}: quantity must be between 1 and {MAX_QUANTITY}")
        if not Decimal(0) <= item.unit_price <= MAX_PRICE or item.unit_price != item.unit_price.quantize(
            Decimal("0.01")
        ):
            problems.append(f"item {index}: unit_price must be between 0 and {MAX_PRICE} with at most 2 decimals")
        elif 1 <= item.quantity <= MAX_QUANTITY and item.unit_price * item.quantity > MAX_MONEY:
            problems.append(f"item {index}: quantity × unit_price goes over {MAX_MONEY}")
        if item.target and (problem := target_problem(item.target)):
            problems.append(f"item {index}: {problem}")
    if not problems and sum(i.unit_price * i.quantity for i in items) > MAX_MONEY:
        problems.append(f"the items add up to more than {MAX_MONEY}")
    if problems:
        raise DomainError(OrderErrorCode.INVALID_ITEMS, "; ".join(problems), problems=problems)


def channel_check(code: str) -> PaymentChannel:
    """The enabled channel with this code; refuses unknown and switched-off channels."""
    channel = PaymentChannel.objects.filter(code=code).first()
    if channel is None:
        raise DomainError(PaymentErrorCode.UNKNOWN_CHANNEL, f"Unknown payment channel {code!r}.")
    if not channel.enabled:
        raise DomainError(PaymentErrorCode.CHANNEL_DISABLED, f"Payment channel {code!r} is switched off.")
    return channel


def retotal(order: Order, items: Sequence[OrderItem]) -> None:
    """The total anew: goods − discount + fees, plus the VAT a net-priced type adds on top."""
    order.vat_added = vat_on_top(order, items)
    order.total = order.subtotal - order.discount + order.fees + order.vat_added


def fees_for(order: Order, channel: PaymentChannel | None) -> None:
    """Set the order's processing fee for ``channel`` (on goods − discount); ``retotal`` then
    makes the total of it."""
    goods = order.subtotal - order.discount
    order.fees = processing_fee(goods, percent=channel.fee_percent, fixed=channel.fee_fixed) if channel else ZERO


@dataclass(frozen=True)
class TypeSpec:
    """What an order type decides for a new order: its workflows, currency, language and rules."""

    code: str
    workflow_id: int
    digest: str
    item_workflow_id: int | None
    item_digest: str | None
    currency: str
    language: str
    customer_kind: str
    delivery: bool
    free_lines: bool
    personal_manager: bool
    tax_country: str = ""
    tax_rounding: str = "per_line"
    prices_include_tax: bool = True


def line_rates(country: str, items: Sequence[ItemInput], day: date) -> list[Decimal | None]:
    """The VAT rate of each line on ``day``: its own class, else its product's, else ``standard``."""
    from ordo.taxes.rates import Rates, classes_of

    rates = Rates(country, day)
    unknown = sorted({i.tax_class for i in items if i.tax_class and i.tax_class not in rates.known})
    if unknown:
        raise DomainError(
            OrderErrorCode.INVALID_ITEMS,
            f"Unknown tax class {unknown[0]!r}; the classes are {', '.join(sorted(rates.known))}.",
            tax_classes=sorted(rates.known),
        )
    classes = classes_of(i.sku for i in items if not i.tax_class)
    return [rates.rate(i.tax_class or classes.get(i.sku, "")) for i in items]


#: Order types as new orders need them, kept per process (``ordo.kept``): a type or workflow saved
#: here is forgotten at once (``orders.apps``), a publish elsewhere reaches this process within it.
TYPE_SPECS: Kept[str, TypeSpec | None] = Kept("order types", seconds=5.0, group="order types")


def order_type_spec(code: str) -> TypeSpec:
    """What order type ``code`` decides for a new order (``unknown_type`` for no such type)."""
    found = TYPE_SPECS.get(code, lambda: _type_spec_read(code))
    if found is None:
        raise DomainError(OrderErrorCode.UNKNOWN_TYPE, f"Unknown order type {code!r}.")
    return found


def _type_spec_read(code: str) -> TypeSpec | None:
    # A slice, not first(): code is unique, and first()'s ORDER BY costs a third of this query.
    found = next(
        iter(
            OrderType.objects.filter(code=code).values_list(
                "workflow_id",
                "workflow__digest",
                "item_workflow_id",
                "item_workflow__digest",
                "currency",
                "language",
                "customer_kind",
                "delivery",
                "free_lines",
                "personal_manager",
                "tax_country",
                "tax_rounding",
                "prices_include_tax",
            )[:1]
        ),
        None,
    )
    return None if found is None else TypeSpec(code, *found)


def partner_for_code(code: str) -> Partner:
    partner = Partner.objects.filter(code=code.strip().lower(), active=True).first()
    if partner is None:
        raise DomainError(OrderErrorCode.UNKNOWN_PARTNER, f"No active partner has the code {code!r}.")
    return partner


def order_place(
    *,
    actor: Actor,
    customer: Customer,
    items: Sequence[ItemInput],
    type: str = "regular",
    source: str = Source.API,
    payment_channel: str = "",
    notes: str = "",
    external_number: str = "",
    partner_code: str = "",
    delivery_address: str = "",
    checkout: dict[str, str] | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    then: Callable[[Order], None] | None = None,
) -> Order:
    """Place an order in the first status of its type's workflow, with a history row.

    The order records the partner whose code came with it; it gets the customer's discount tier,
    the manager who registered the customer and the one contractor who fits (each when its
    setting is on). With ``idempotency_key`` a retry by the same user returns the order the first
    call made; the same key with a different request is refused. ``then`` adds what other parts
    keep of a new order (materials, print files) in the same transaction; it leaves the order's
    own row alone, so the order returned holds its row as written (``Order.as_written``).
    """
    if idempotency_key and actor.id is None:
        raise ValueError("an Idempotency-Key belongs to a user; the system has none")
    if idempotency_key:
        replay = _idempotent_replay(actor, idempotency_key, request_hash)
        if replay is not None:
            return replay
    spec = order_type_spec(type)
    if spec.customer_kind and customer.kind != spec.customer_kind:
        raise DomainError(
            OrderErrorCode.INVALID_CUSTOMER,
            f"Orders of type {type!r} are for customers of kind {spec.customer_kind!r}.",
        )
    if delivery_address and not spec.delivery:
        raise DomainError(OrderErrorCode.NO_DELIVERY, f"Orders of type {type!r} are not delivered.")
    _validate_items(items)
    channel = channel_check(payment_channel) if payment_channel else None
    partner = partner_for_code(partner_code) if partner_code else None
    try:
        with transaction.atomic(durable=True), one_connection():
            order = order_create(
                actor=actor,
                spec=spec,
                customer=customer,
                items=items,
                source=source,
                channel=channel,
                notes=notes,
                external_number=external_number,
                partner=partner,
                delivery_address=delivery_address,
                checkout=checkout,
            )
            if then is not None:
                then(order)
            if idempotency_key:
                IdempotencyKey.objects.create(
                    user_id=int(actor.id or 0), key=idempotency_key, request_hash=request_hash, order=order
                )
    except IntegrityError:
        # Two requests with one key raced; the loser returns what the winner made.
        replay = _idempotent_replay(actor, idempotency_key, request_hash) if idempotency_key else None
        if replay is None:
            raise
        return replay
    order.as_written = True
    return order


def order_create(
    *,
    actor: Actor,
    spec: TypeSpec,
    customer: Customer,
    items: Sequence[ItemInput],
    source: str,
    channel: PaymentChannel | None = None,
    notes: str = "",
    external_number: str = "",
    partner: Partner | None = None,
    delivery_address: str = "",
    checkout: dict[str, str] | None = None,
    contractor_id: int | None = None,
    manager_id: int | None = None,
    discounts: bool = True,
    assign: bool = True,
    tell: bool = True,
    made_by: str = "place",
    comment: str = "",
    status: str | None = None,
    status_since: datetime | None = None,
) -> Order:
    """Write a new order, its items, history, activity and outbox rows, inside the caller's
    transaction. Placing, duplicating and subcontracting all make orders through here.

    ``discounts``: apply the customer's discount tier; ``assign``: assign a manager and a
    contractor by the settings; ``tell``: write the "order placed" notifications. ``made_by`` names
    the history row's transition (``place``, ``duplicate``, ``split``, ``subcontract``).
    ``status``/``status_since``: where the order starts, when not the workflow's first status now
    (a split order stays where its original was).
    """
    workflow = compiled_by_digest(spec.workflow_id, spec.digest)
    item_workflow = compiled_by_digest(spec.item_workflow_id, spec.item_digest or "") if spec.item_workflow_id else None
    now = timezone.now()
    who = {"actor_id": None if actor.is_system else actor.id, "actor_name": actor.name or actor.role}
    subtotal = sum((i.unit_price * i.quantity for i in items), Decimal("0.00"))
    tier = tier_reached(customer.pk, spec.currency) if discounts else None
    discount = percent_of(subtotal, tier.percent) if tier is not None else ZERO
    fees = ZERO
    if channel is not None:
        fees = processing_fee(subtotal - discount, percent=channel.fee_percent, fixed=channel.fee_fixed)
    assigned: list[tuple[str, int]] = []
    if assign and manager_id is None and (manager_id := auto_manager(customer, spec.personal_manager)) is not None:
        assigned.append(("manager_assigned", manager_id))
    if assign and contractor_id is None and (contractor_id := auto_contractor(items)) is not None:
        assigned.append(("contractor_assigned", contractor_id))
    today = timezone.localdate(now) if spec.tax_country else None
    taxes = line_rates(spec.tax_country, items, today) if today is not None else [None] * len(items)
    vat = ZERO
    if today is not None and not spec.prices_include_tax:
        rules = TaxRules(spec.tax_country, spec.tax_rounding, included=False)
        on_top = rate_totals(
            rules,
            placed=lambda: today,
            line_totals=[i.unit_price * i.quantity for i in items],
            rates=taxes,
            discount=discount,
            fees=fees,
        )
        vat = sum((r.tax for r in on_top), ZERO)
    total = subtotal - discount + fees + vat
    if total > MAX_MONEY:
        raise DomainError(
            OrderErrorCode.AMOUNT_OUT_OF_RANGE, f"The order would total {total}; amounts go up to {MAX_MONEY}."
        )
    number = _next_number()
    order = insert_created(
        Order,
        {
            "number": number,
            "tracking_token": secrets.token_urlsafe(24),
            "type": spec.code,
            "source": source,
            "workflow_id": spec.workflow_id,
            "item_workflow_id": spec.item_workflow_id,
            "status": status or workflow.initial,
            "status_since": status_since or now,
            "currency": spec.currency,
            "language": spec.language,
            "delivery_address": delivery_address,
            "address_folded": fold(delivery_address),
            "subtotal": subtotal,
            "discount": discount,
            "fees": fees,
            "vat_added": vat,
            "total": total,
            "payment_channel": channel.code if channel else "",
            "customer_id": customer.pk,
            "manager_id": manager_id,
            "contractor_id": contractor_id,
            "partner_id": None if partner is None else partner.pk,
            "external_number": external_number or str(number),
            "placed_at": now,
            "notes": notes,
            "checkout": checkout or {},
            "created_by_id": None if actor.is_system else actor.id,
        },
        related={"customer": customer, "partner": partner},
    )
    order.workflow_digest, order.item_workflow_digest = spec.digest, spec.item_digest
    if tier is not None:
        OrderDiscount.objects.create(
            order=order,
            name=tier.name,
            kind=OrderDiscount.Kind.PERCENT,
            value=tier.percent,
            amount=discount,
            reason="discount tier",
            automatic=True,
            tier=tier,
            at=now,
            actor_name="system",
        )
    if tell and workflow.notifications_for("archive_ready"):
        # Staff hear of the order when its print files are zipped (the job tells archive_ready).
        job_enqueue("print_archive", order_id=order.pk)
    messages = []
    if tell:
        placed = Event("order_placed", key="placed", status=order.status)
        messages = messages_for(
            order=order, events=[placed], workflow=workflow, item_workflow=item_workflow, now=now, lines=lambda: items
        )
    item_status = item_workflow.initial if item_workflow else ""
    history = {"from_status": "", "to_status": order.status, "transition": made_by, "comment": comment}
    with batched():  # one round trip on PostgreSQL; the items' ids are read after it
        written_items = insert_returning(
            OrderItem,
            [
                {
                    "order_id": order.pk,
                    "position": position,
                    "sku": i.sku,
                    "name": i.name,
                    "quantity": i.quantity,
                    "unit_price": i.unit_price,
                    "target": i.target,
                    "category": i.category,
                    "in_stock": i.in_stock,
                    "status": item_status,
                    "status_since": now if item_status else None,
                    "tax_rate": rate,
                }
                for position, (i, rate) in enumerate(zip(items, taxes, strict=True), start=1)
            ],
            key="position",
        )
        insert_plain(
            StatusChange,
            [{"order_id": order.pk, "at": now, "kind": StatusChange.Kind.MANUAL, "status_seq": 1, **history, **who}],
        )
        # Automatic assignments are the system's doing, whoever placed the order.
        insert_plain(
            Activity,
            [
                {
                    "order_id": order.pk,
                    "at": now,
                    "actor_name": "system",
                    "kind": kind,
                    "detail": {"from": None, "to": to},
                }
                for kind, to in assigned
            ],
        )
        insert_plain(Message, messages)
    order.items_as_written = written_items()
    return order


def _idempotent_replay(actor: Actor, key: str, request_hash: str) -> Order | None:
    found = IdempotencyKey.objects.select_related("order").filter(user_id=int(actor.id or 0), key=key).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise DomainError(
            OrderErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for a different request.",
            number=found.order.number,
        )
    return found.order


_UNSET = object()


def order_update(
    *,
    number: int,
    actor: Actor,
    visible: QuerySet[Order] | None = None,
    payment_channel: str | None = None,
    manager_id: int | object | None = _UNSET,
    external_number: str | None = None,
    notes: str | None = None,
    delivery_address: str | None = None,
    courier_id: int | object | None = _UNSET,
    contractor_id: int | object | None = _UNSET,
    issued_at: datetime | None = None,
) -> Order:
    """Edit an order's channel, manager, courier, delivery address, external number or notes,
    all in one transaction.

    The payment channel can change only while the order is not fully paid; the manager must be
    an active admin or manager; a courier assignment tells the courier and the customer.
    """
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        order = unit.order
        _require_for_update(
            actor,
            channel=payment_channel is not None,
            assign=any(v is not _UNSET for v in (manager_id, contractor_id, courier_id)),
            edit=any(v is not None for v in (external_number, notes, delivery_address, issued_at)),
        )
        fields = []
        if payment_channel is not None and payment_channel != order.payment_channel:
            unit.change_channel(payment_channel)
        if manager_id is not _UNSET and manager_id != order.manager_id:
            if manager_id is not None and not may_manage(int(manager_id)):  # type: ignore[call-overload]
                raise DomainError(
                    OrderErrorCode.INVALID_ASSIGNEE, f"User {manager_id} is not an active manager or admin."
                )
            unit.note("manager_assigned", {"from": order.manager_id, "to": manager_id})
            order.manager_id = manager_id  # type: ignore[assignment]
            fields.append("manager")
        edited: dict[str, dict[str, str]] = {}
        if external_number is not None:
            # Blank brings back the default: the order's own number.
            edited["external_number"] = _edit(order, "external_number", external_number.strip() or str(order.number))
        if notes is not None:
            edited["notes"] = _edit(order, "notes", notes)
        if delivery_address is not None:
            if delivery_address and delivery_address != order.delivery_address:
                delivery_check(order)
            edited["delivery_address"] = _edit(order, "delivery_address", delivery_address)
            if edited["delivery_address"]:
                order.address_folded = fold(delivery_address)
                fields.append("address_folded")
        edited = {name: change for name, change in edited.items() if change}
        if edited:
            unit.note("details_edited", edited)
            fields.extend(edited)
        if contractor_id is not _UNSET and contractor_id != order.contractor_id:
            if contractor_id is not None:
                contractor_check(int(contractor_id), unit.items)  # type: ignore[call-overload]
            unit.note("contractor_assigned", {"from": order.contractor_id, "to": contractor_id})
            order.contractor_id = contractor_id  # type: ignore[assignment]
            fields.append("contractor")
        if issued_at is not None:
            before = order.issued_at.isoformat() if order.issued_at else None
            unit.note("issue_date_set", {"from": before, "to": issued_at.isoformat()})
            order.issued_at = issued_at
            fields.append("issued_at")
        unit.dirty.update(fields)
        if courier_id is not _UNSET:
            # Late import: delivery builds on this module.
            from ordo.delivery.services import assign_courier

            assign_courier(unit, courier_id)  # type: ignore[arg-type]
        unit.flush()
    return order


def _edit(order: Order, name: str, value: str) -> dict[str, str]:
    """Set a text field; what it was and is now when that changed it (for the activity row)."""
    before = getattr(order, name)
    if before == value:
        return {}
    setattr(order, name, value)
    return {"from": before[:500], "to": value[:500]}


def _require_for_update(actor: Actor, *, channel: bool, assign: bool, edit: bool) -> None:
    """Each part of an edit is its own action: a customer may switch the channel, not the manager."""
    if channel:
        require(actor, Action.CHANGE_CHANNEL)
    if assign:
        require(actor, Action.ASSIGN)
    if edit:
        require(actor, Action.EDIT)


def order_note_add(*, number: int, actor: Actor, text: str, visible: QuerySet[Order] | None = None) -> None:
    """A staff note on the order's timeline (who wrote it and when); notes are never edited."""
    text = text.strip()
    if not text:
        raise DomainError(OrderErrorCode.INVALID_NOTE, "Write something in the note.")
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.NOTE)
        unit.note("note", {"text": text[:5000]})
        unit.flush()


def delivery_check(order: Order) -> None:
    """Refuse delivery details (an address, a courier) on an order whose type is not delivered."""
    if not OrderType.objects.filter(code=order.type, delivery=False).exists():
        return
    raise DomainError(OrderErrorCode.NO_DELIVERY, f"Order {order.number} is {order.type}: nothing is delivered.")
