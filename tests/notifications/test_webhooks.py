"""Outgoing webhooks: signed, retried 10·2ⁿ s on 5xx, not retried on 3xx/4xx, disabled after failures."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from ordo.notifications.models import Message, WebhookSubscription
from ordo.notifications.relay import WEBHOOK_DISABLE_AFTER, backoff
from tests.notifications.conftest import outbox

pytestmark = pytest.mark.django_db
ITEM = [{"sku": "A", "name": "Thing", "quantity": 1, "unit_price": "1.00"}]


@pytest.fixture
def subscribed(load_preset, admin, http_peer):
    load_preset("shop")
    response = admin.api.post("/webhooks", {"url": http_peer.url + "/hook", "events": ["status_changed"]})
    assert response.status == 201, response.body
    return response.body


def verify(secret: str, request: dict) -> bool:
    header = request["headers"]["Ordo-Signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_status_change_is_posted_signed(subscribed, manager, http_peer, drain):
    number = manager.api.post("/orders", {"items": ITEM, "customer": {"name": "B"}}).body["number"]
    manager.api.fire(number, "start")
    drain()
    (request,) = http_peer.requests  # order_placed is not subscribed
    assert verify(subscribed["secret"], request)
    assert not verify("whsec_wrong", request)
    payload = json.loads(request["body"])
    assert payload["event"] == "status_changed"
    assert payload["data"]["status"] == "in_progress"
    assert payload["data"]["from"] == "new"
    assert payload["data"]["order"]["number"] == number
    assert request["headers"]["Idempotency-Key"] == payload["id"]


def test_server_errors_are_retried_on_schedule_and_4xx_is_not(subscribed, manager, http_peer, drain):
    http_peer.reply = lambda path, body: (503, {})
    number = manager.api.post("/orders", {"items": ITEM, "customer": {"name": "B"}}).body["number"]
    manager.api.fire(number, "start")
    drain()
    (message,) = outbox(channel="webhook")
    assert message.status == "pending"
    assert (message.available_at - message.attempt_log.get().at).total_seconds() == pytest.approx(10, abs=1)
    assert backoff("webhook", 3).total_seconds() == 40

    http_peer.reply = lambda path, body: (410, {})
    Message.objects.filter(pk=message.pk).update(available_at=timezone.now())
    drain()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)


def test_repeated_failures_disable_the_subscription_and_tell_admins(subscribed, manager, http_peer, smtp, drain):
    http_peer.reply = lambda path, body: (404, {})
    order = manager.api.post("/orders", {"items": ITEM, "customer": {"name": "B"}}).body
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            event="status_changed",
            order_id=Message.objects.filter(order__number=order["number"]).values_list("order_id", flat=True)[0],
            recipient="webhook",
            channel="webhook",
            subscription_id=subscribed["id"],
            context={"number": order["number"], "status": "new"},
            dedupe_key=f"failing:{i}",
            available_at=now,
            created_at=now,
        )
        for i in range(WEBHOOK_DISABLE_AFTER)
    )
    drain()
    subscription = WebhookSubscription.objects.get(pk=subscribed["id"])
    assert not subscription.active
    assert subscription.disabled_at is not None
    assert [str(m["Subject"]).strip() for m in smtp.inbox.to("alice-admin@example.org")] == [
        f"Webhook disabled: {http_peer.url}/hook"
    ]


def test_manual_redelivery_sends_a_fresh_copy(subscribed, admin, manager, http_peer, drain):
    number = manager.api.post("/orders", {"items": ITEM, "customer": {"name": "B"}}).body["number"]
    manager.api.fire(number, "start")
    drain()
    (message,) = outbox(channel="webhook")
    response = admin.api.post(f"/notifications/{message.pk}/resend")
    assert response.status == 201
    drain()
    assert len(http_peer.requests) == 2
    assert http_peer.requests[1]["headers"]["Idempotency-Key"].endswith(":resend1")


def test_only_admins_manage_webhooks(load_preset, manager):
    load_preset("shop")
    assert manager.api.get("/webhooks").status == 403
    assert manager.api.post("/webhooks", {"url": "http://127.0.0.1:1/x", "events": ["*"]}).status == 403


def test_unknown_events_are_refused(load_preset, admin):
    load_preset("shop")
    response = admin.api.post("/webhooks", {"url": "http://127.0.0.1:1/x", "events": ["order_exploded"]})
    assert response.status == 422


def test_a_subscription_deleted_elsewhere_does_not_break_transitions(subscribed, admin, manager, http_peer, drain):
    from ordo.notifications.outbox import _active_subscriptions

    number = manager.api.post("/orders", {"items": ITEM, "customer": {"name": "B"}}).body["number"]
    assert _active_subscriptions()  # this process still lists it…
    WebhookSubscription.objects.filter(pk=subscribed["id"]).delete()  # …when another process deletes it
    assert manager.api.fire(number, "start").status == 200
    drain()
    (message,) = outbox(channel="webhook")
    assert (message.status, message.last_error) == ("skipped", "the webhook subscription was deleted")
    assert http_peer.requests == []
