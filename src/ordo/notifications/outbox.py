"""Writing the outbox: which messages a change causes, as rows in the change's own transaction.

Rows hold the event's facts; addresses are looked up and text is rendered when the worker sends,
so a transition pays for one bulk INSERT, not for templates.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from ordo.notifications.models import Channel, Message, WebhookSubscription
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


def messages_for(
    *,
    order: Any,
    events: Iterable[Event],
    workflow: Workflow,
    item_workflow: Workflow | None,
    now: datetime,
) -> list[Message]:
    """The outbox rows for ``events`` of ``order`` under the workflows' notification rules."""
    rows: list[Message] = []
    with_sms = sms_enabled()
    subscriptions = _active_subscriptions()
    for event in events:
        rules_from = item_workflow if event.item else workflow
        context = {"event": event.name, "number": order.number, "status": event.status, **event.facts}
        seen: set[tuple[str, str]] = set()
        for rule in rules_from.notifications_for(event.name, event.status) if rules_from else ():
            for recipient in rule.recipients:
                for channel in rule.channels:
                    if (channel == Channel.SMS and not with_sms) or (recipient, channel) in seen:
                        continue
                    seen.add((recipient, channel))
                    rows.append(
                        Message(
                            event=event.name,
                            order=order,
                            recipient=recipient,
                            channel=channel,
                            context=context,
                            dedupe_key=f"{order.number}:{event.name}:{event.key}:{recipient}:{channel}",
                            available_at=now + rule.delay,
                            created_at=now,
                        )
                    )
        for subscription_id, wanted in subscriptions:
            if "*" in wanted or event.name in wanted:
                rows.append(
                    Message(
                        event=event.name,
                        order=order,
                        recipient="webhook",
                        channel=Channel.WEBHOOK,
                        subscription_id=subscription_id,
                        context=context,
                        dedupe_key=f"{order.number}:{event.name}:{event.key}:webhook:{subscription_id}",
                        available_at=now,
                        created_at=now,
                    )
                )
    return rows
