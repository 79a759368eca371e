"""Writing the outbox: which messages a change causes, as rows in the change's own transaction.

Rows hold the event's facts; addresses are looked up and text is rendered when the worker sends,
so a transition pays for one bulk INSERT, not for templates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from ordo.notifications.models import Channel, WebhookSubscription
from ordo.workflow.definition import Workflow


@dataclass(frozen=True)
class Event:
    """Something that happened to an order, to tell people about.

    ``key`` makes the event unique among the order's events (the status entry number, the item…);
    it becomes part of each message's dedupe key.
    """

    name: str
    key: str
    status: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    #: Item events are matched against the item workflow's rules.
    item: bool = False


def sms_enabled() -> bool:
    return bool(settings.ORDO_SMS_PROVIDER)


_subscriptions: tuple[float, list[tuple[int, list[str]]]] = (0.0, [])


def _active_subscriptions() -> list[tuple[int, list[str]]]:
    """Active webhook subscriptions, re-read at most every ``ORDO_WEBHOOK_CACHE_SECONDS`` (5 s):
    a new subscription starts receiving within that time. Disabled ones are checked again at send."""
    global _subscriptions
    read_at, rows = _subscriptions
    if time.monotonic() - read_at > settings.ORDO_WEBHOOK_CACHE_SECONDS:
        rows = list(WebhookSubscription.objects.filter(active=True).values_list("id", "events"))
        _subscriptions = (time.monotonic(), rows)
    return rows


def forget_subscriptions() -> None:
    global _subscriptions
    _subscriptions = (0.0, [])


@dataclass(frozen=True)
class Spec:
    """One outbox row to write, before it is a model instance or a database row."""

    event: str
    recipient: str
    channel: str
    context: dict[str, Any]
    dedupe_key: str
    delay: timedelta = timedelta()
    subscription_id: int | None = None


Target = tuple[str, str, timedelta, int | None]


def targets(workflow: Workflow | None, event: str, status: str | None) -> list[Target]:
    """Who hears of one event: (recipient, channel, delay, webhook subscription or None)."""
    found: list[Target] = []
    seen: set[tuple[str, str]] = set()
    with_sms = sms_enabled()
    for rule in workflow.notifications_for(event, status) if workflow else ():
        for recipient in rule.recipients:
            for channel in rule.channels:
                if (channel == Channel.SMS and not with_sms) or (recipient, channel) in seen:
                    continue
                seen.add((recipient, channel))
                found.append((recipient, channel, rule.delay, None))
    for subscription_id, wanted in _active_subscriptions():
        if "*" in wanted or event in wanted:
            found.append(("webhook", Channel.WEBHOOK, timedelta(), subscription_id))
    return found


def dedupe_key(number: int, event: str, key: str, target: Target) -> str:
    """Unique per order, event occurrence, recipient and channel (and webhook subscription)."""
    recipient, channel, _, subscription = target
    if subscription is not None:
        return f"{number}:{event}:{key}:webhook:{subscription}"
    return f"{number}:{event}:{key}:{recipient}:{channel}"


def specs_for(
    *, number: int, events: Iterable[Event], workflow: Workflow, item_workflow: Workflow | None
) -> list[Spec]:
    """The outbox rows for ``events`` of order ``number`` under the workflows' notification rules,
    and one per webhook subscription that wants the event."""
    specs: list[Spec] = []
    for event in events:
        context = {"event": event.name, "number": number, "status": event.status, **event.facts}
        for target in targets(item_workflow if event.item else workflow, event.name, event.status):
            recipient, channel, delay, subscription = target
            key = dedupe_key(number, event.name, event.key, target)
            specs.append(Spec(event.name, recipient, channel, context, key, delay, subscription))
    return specs


#: The most item lines a message keeps of its order (the rest are counted).
SNAPSHOT_ITEMS = 50


def order_as_it_is(order: Any, items: Sequence[Any]) -> dict[str, Any]:
    """What a message says of its order, taken when its event happens (inside the transaction
    that changes the order): a message sent later by a lagging worker still tells of this moment."""
    return {
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "items": [[i.name, i.quantity, i.target] for i in items[:SNAPSHOT_ITEMS]],
        "more_items": max(len(items) - SNAPSHOT_ITEMS, 0),
        "address": order.delivery_address,
    }


def messages_for(
    *,
    order: Any,
    events: Iterable[Event],
    workflow: Workflow,
    item_workflow: Workflow | None,
    now: datetime,
    lines: Callable[[], Sequence[Any]],
) -> list[dict[str, Any]]:
    """The outbox rows for ``events`` of ``order``, as plain mappings for ``db.insert_plain``, each
    with the order as it is now. ``lines``: the order's lines (anything with a name, quantity and
    target), asked only when a message is made — a transition reads its items only then."""
    specs = specs_for(number=order.number, events=events, workflow=workflow, item_workflow=item_workflow)
    if not specs:
        return []
    state = order_as_it_is(order, lines())
    return [
        {
            "event": spec.event,
            "order_id": order.pk,
            "recipient": spec.recipient,
            "channel": spec.channel,
            "subscription_id": spec.subscription_id,
            "context": {**spec.context, "at_event": state},
            "dedupe_key": spec.dedupe_key,
            "available_at": now + spec.delay,
            "created_at": now,
        }
        for spec in specs
    ]
