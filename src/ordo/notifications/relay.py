"""Delivering the outbox: claim due rows under a lease, send, record each attempt, retry or stop.

At least once: a worker killed after sending but before recording leaves its rows leased; when
the lease runs out another worker sends them again with the same Message-ID / Idempotency-Key,
so receivers can drop the repeat. A live worker renews its leases as it goes (before each send, and
the rest of its batch every third of a lease), and never sends a row it no longer holds: a slow or
hanging mail server cannot make two live workers send the same message. Rows are claimed with
``SKIP LOCKED`` on PostgreSQL, so many workers never hold the same row; on SQLite the IMMEDIATE
transaction serializes claimers.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ordo.db import lease_claim, lease_renew
from ordo.notifications.channels import DeliveryError
from ordo.notifications.channels import email as email_channel
from ordo.notifications.channels import sms as sms_channel
from ordo.notifications.channels import webhook as webhook_channel
from ordo.notifications.models import Attempt, Channel, Message, WebhookSubscription
from ordo.notifications.render import render, webhook_payload

log = logging.getLogger(__name__)

MAX_ATTEMPTS: dict[str, int] = {Channel.EMAIL: 10, Channel.SMS: 10, Channel.WEBHOOK: 8}
#: A subscription whose deliveries fail this many times in a row is switched off.
WEBHOOK_DISABLE_AFTER = 15


def backoff(channel: str, attempts: int) -> timedelta:
    """Webhooks: 10·2ⁿ s as promised to integrators. E-mail and SMS: the same, capped at an hour,
    with ±25 % jitter so a recovered mail server is not hit by every retry at once."""
    seconds = 10 * 2 ** max(attempts - 1, 0)
    if channel == Channel.WEBHOOK:
        return timedelta(seconds=seconds)
    return timedelta(seconds=min(seconds, 3600) * random.uniform(0.75, 1.25))


def claim(*, worker: str, limit: int = 50, now: datetime | None = None) -> list[Message]:
    ids = lease_claim(
        Message,
        waiting=Message.Status.PENDING,
        leased=Message.Status.SENDING,
        worker=worker,
        limit=limit,
        now=now or timezone.now(),
    )
    return list(Message.objects.filter(id__in=ids, lease_owner=worker).order_by("id"))


def hold(*, worker: str, ids: list[int]) -> int:
    """Renew the worker's lease on these claimed rows; returns how many it still holds."""
    return lease_renew(Message, leased=Message.Status.SENDING, worker=worker, ids=ids, now=timezone.now())


def release(*, worker: str, ids: list[int]) -> None:
    """Give back rows claimed but not tried (a worker stopping cleanly)."""
    Message.objects.filter(id__in=ids, lease_owner=worker, status=Message.Status.SENDING).update(
        status=Message.Status.PENDING, leased_until=None, lease_owner=""
    )


def deliver(message: Message, *, worker: str, mail: email_channel.Session | None = None) -> str:
    """Try a claimed message once; returns its new status. ``mail`` shares an SMTP connection."""
    started = time.monotonic()
    error: DeliveryError | None = None
    skipped = ""
    try:
        webhook = message.channel == Channel.WEBHOOK
        skipped = _send_webhook(message) if webhook else _send_to_people(message, mail)
    except DeliveryError as failure:
        error = failure
    except Exception as failure:  # a bug or bad template: log it, keep the row, retry later
        log.exception("delivering message %s failed", message.pk)
        error = DeliveryError(f"{type(failure).__name__}: {failure}", permanent=False)
    return _finish(message, worker=worker, error=error, skipped=skipped, took=time.monotonic() - started)


def _send_to_people(message: Message, mail: email_channel.Session | None) -> str:
    rendered = render(message)
    message.address = ", ".join(rendered.addresses)
    message.language, message.subject = rendered.language, rendered.subject
    message.body_text, message.body_html = rendered.text, rendered.html
    if not rendered.addresses:
        return f"no {'phone number' if message.channel == Channel.SMS else 'e-mail address'} for {message.recipient}"
    if message.channel == Channel.EMAIL:
        (mail.send if mail else email_channel.send)(
            to=rendered.addresses,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            dedupe_key=message.dedupe_key,
            headers=rendered.headers,
        )
    else:
        for number in rendered.addresses:
            sms_channel.send(to=number, text=rendered.text, reference=message.dedupe_key)
    return ""


def _send_webhook(message: Message) -> str:
    subscription = (
        WebhookSubscription.objects.filter(pk=message.subscription_id).first() if message.subscription_id else None
    )
    if subscription is None:
        return "the webhook subscription was deleted"
    if not subscription.active:
        return "the webhook subscription is switched off"
    message.address = subscription.url
    webhook_channel.send(
        url=subscription.url,
        secret=subscription.secret,
        payload=webhook_payload(message),
        event=message.event,
        idempotency_key=message.dedupe_key,
    )
    return ""


def _finish(message: Message, *, worker: str, error: DeliveryError | None, skipped: str, took: float) -> str:
    now = timezone.now()
    attempts = message.attempts + 1
    if skipped:
        status, available_at = Message.Status.SKIPPED, message.available_at
    elif error is None:
        status, available_at = Message.Status.SENT, message.available_at
    elif error.permanent:
        status, available_at = Message.Status.FAILED, message.available_at
    elif attempts >= MAX_ATTEMPTS[message.channel]:
        status, available_at = Message.Status.DEAD, message.available_at
    else:
        status, available_at = Message.Status.PENDING, now + backoff(message.channel, attempts)
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, lease_owner=worker, status=Message.Status.SENDING).update(
            status=status,
            attempts=attempts,
            available_at=available_at,
            leased_until=None,
            lease_owner="",
            sent_at=now if status == Message.Status.SENT else None,
            last_error=skipped or (str(error) if error else ""),
            address=message.address,
            language=message.language,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
        )
        if not updated:
            # The lease ran out and another worker took the row over; its record wins.
            return message.status
        Attempt.objects.create(
            message=message,
            at=now,
            ok=error is None,
            permanent=bool(error and error.permanent),
            error=skipped or (str(error) if error else ""),
            duration_ms=int(took * 1000),
            worker=worker,
        )
        if message.channel == Channel.WEBHOOK and message.subscription_id and not skipped:
            _track_subscription(message.subscription_id, ok=error is None, now=now)
    return status


def _track_subscription(subscription_id: int, *, ok: bool, now: datetime) -> None:
    subscriptions = WebhookSubscription.objects.filter(pk=subscription_id)
    if ok:
        subscriptions.update(consecutive_failures=0)
        return
    subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
    subscription = subscriptions.select_for_update().first()
    if subscription and subscription.active and subscription.consecutive_failures >= WEBHOOK_DISABLE_AFTER:
        subscription.active, subscription.disabled_at = False, now
        subscription.save(update_fields=["active", "disabled_at"])
        Message.objects.create(
            event="webhook_disabled",
            recipient="admins",
            channel=Channel.EMAIL,
            context={"target": subscription.url, "subscription": subscription.pk},
            dedupe_key=f"webhook_disabled:{subscription.pk}:{now.isoformat()}",
            available_at=now,
            created_at=now,
        )


def message_resend(*, message_id: int) -> Message:
    """Queue a fresh copy of a message (staff's "send again"): a new row with its own dedupe key,
    so the receiver does not drop it as a repeat."""
    with transaction.atomic():
        original = Message.objects.select_for_update().get(pk=message_id)
        copies = Message.objects.filter(dedupe_key__startswith=f"{original.dedupe_key}:resend").count()
        now = timezone.now()
        return Message.objects.create(
            event=original.event,
            order_id=original.order_id,
            recipient=original.recipient,
            channel=original.channel,
            subscription_id=original.subscription_id,
            context=original.context,
            dedupe_key=f"{original.dedupe_key}:resend{copies + 1}",
            available_at=now,
            created_at=now,
        )
