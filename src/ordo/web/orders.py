"""What the desk and the portal show of one order beside its fields: the buttons the user may press
(each with the reasons it is blocked, in the page's language) and the status names."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordo.orders.models import Order, OrderItem, OrderType
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.snapshots import order_snapshot
from ordo.orders.workflows import compiled
from ordo.payments.channels import usable
from ordo.payments.models import PaymentChannel
from ordo.web.labels import guard_message
from ordo.workflow.definition import label_for
from ordo.workflow.engine import Option, available
from ordo.workflow.snapshot import Actor


@dataclass(frozen=True)
class Button:
    code: str
    label: str
    enabled: bool
    reasons: list[str]
    comment_required: bool
    final: bool  # leads to a final status (cancel, issue): the page asks to confirm
    dangerous: bool  # the workflow marks it hard to undo: styled apart, and confirmed too


@dataclass
class ItemRow:
    item: OrderItem
    status: str
    buttons: list[Button] = field(default_factory=list)


def _buttons(options: list[Option], workflow, language: str) -> list[Button]:
    return [
        Button(
            code=option.transition.code,
            label=option.transition.label(language),
            enabled=option.enabled,
            reasons=[guard_message(g.code, g.message) for g in option.failed_guards],
            comment_required=option.transition.comment_required,
            final=workflow.is_final(option.transition.target),
            dangerous=option.transition.dangerous,
        )
        for option in options
    ]


def order_buttons(order: Order, items: list[OrderItem], actor: Actor, language: str) -> list[Button]:
    """The order's transitions the actor may fire from its status. Materials are not counted here
    (that locks stock rows): the transition itself says when they are short."""
    workflow = compiled(order.workflow)
    item_workflow = compiled(order.item_workflow) if order.item_workflow is not None else None
    options = available(workflow, order_snapshot(order, items, item_workflow), actor)
    return _buttons(options, workflow, language)


def item_rows(order: Order, items: list[OrderItem], actor: Actor, language: str) -> list[ItemRow]:
    """Each item with its status name and, where items have a workflow, its own buttons."""
    if order.item_workflow is None:
        return [ItemRow(item, "") for item in items]
    flow = compiled(order.item_workflow)
    rows = []
    for item in items:
        found = flow.status(item.status) if item.status else None
        options = available(flow, order_snapshot(order, items, flow, status=item.status), actor) if item.status else []
        rows.append(ItemRow(item, found.label(language) if found else item.status, _buttons(options, flow, language)))
    return rows


def status_label(order: Order, language: str) -> str:
    found = compiled(order.workflow).status(order.status)
    return found.label(language) if found else order.status


def items_editable(order: Order) -> bool:
    """Is the order in a status whose items the customer may still change (auto-parts ``new``)?"""
    found = compiled(order.workflow).status(order.status)
    return bool(found and found.editable)


def status_labels(language: str, scope: str = WorkflowRow.Scope.ORDER) -> dict[str, str]:
    """Every status of every workflow of ``scope``, by code, named in ``language`` (the first
    workflow's name where two name one code differently; a workflow's newest version first, so a
    status an older version still runs keeps its name)."""
    labels: dict[str, str] = {}
    for row in WorkflowRow.objects.filter(scope=scope).order_by("code", "-version"):
        for status in compiled(row).statuses:
            labels.setdefault(status.code, status.label(language))
    return labels


def type_labels(language: str) -> dict[str, str]:
    """Every order type's name in ``language``, by code (one query)."""
    return {t.code: t.label(language) for t in OrderType.objects.order_by("code")}


def channel_choices(language: str, *, paid_in_ordo: bool = False, keep: str = "") -> list[tuple[str, str]]:
    """The enabled payment channels that can be used now, as (code, name in ``language``):
    a card channel only when its gateway is configured. ``paid_in_ordo``: only those a customer
    pays through Ordo (card gateways, the wallet), not cash, bank transfers or outside gateways.
    ``keep``: a channel to list anyway (the order's own)."""
    channels = PaymentChannel.objects.filter(enabled=True)
    if paid_in_ordo:
        channels = channels.filter(gateway__in=[PaymentChannel.Gateway.STRIPE, PaymentChannel.Gateway.WALLET])
    return [(c.code, label_for(c.labels, language, c.code)) for c in channels if c.code == keep or usable(c)]
