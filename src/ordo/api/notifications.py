"""The delivery log of an order, "send again", and integrators' webhook subscriptions."""

from __future__ import annotations

import secrets

from django.http import HttpRequest
from ninja import Router, Status

from ordo.accounts.models import Role
from ordo.accounts.roles import actor_for, role_of
from ordo.api import schemas as s
from ordo.api.types import Id
from ordo.errors import DomainError
from ordo.notifications.models import Message, WebhookSubscription
from ordo.notifications.outbox import forget_subscriptions
from ordo.notifications.relay import message_resend
from ordo.orders import selectors
from ordo.orders.errors import OrderErrorCode
from ordo.orders.permissions import Action, require
from ordo.workflow.definition import NOTIFICATION_EVENTS

router = Router(tags=["notifications"])
ERRORS = s.ERRORS


def _require(request: HttpRequest, *roles: str) -> None:
    if role_of(request.user) not in roles:
        raise DomainError(OrderErrorCode.FORBIDDEN, "You may not do this.")


@router.get("/orders/{number}/notifications", response={200: list[s.MessageOut], **ERRORS}, summary="Delivery log")
def order_notifications(request: HttpRequest, number: Id):
    """Every message about the order with each delivery attempt and its error (staff only)."""
    order = selectors.order_get(request.user, number)
    require(actor_for(request.user), Action.READ_NOTIFICATIONS)
    return list(order.messages.prefetch_related("attempt_log").order_by("id"))


@router.post(
    "/notifications/{message_id}/resend",
    response={201: s.MessageOut, **ERRORS},
    summary="Send a message again",
)
def resend(request: HttpRequest, message_id: Id):
    require(actor_for(request.user), Action.READ_NOTIFICATIONS)
    original = Message.objects.filter(pk=message_id).first()
    visible = original is not None and (
        original.order_id is None or selectors.orders_visible_to(request.user).filter(pk=original.order_id).exists()
    )
    if not visible:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Message {message_id} not found.")
    return Status(201, message_resend(message_id=message_id))


@router.get("/webhooks", response={200: list[s.WebhookOut], **ERRORS}, summary="Webhook subscriptions")
def list_webhooks(request: HttpRequest):
    _require(request, Role.ADMIN)
    return list(WebhookSubscription.objects.order_by("id"))


@router.post("/webhooks", response={201: s.WebhookOut, **ERRORS}, summary="Subscribe a URL to events")
def create_webhook(request: HttpRequest, payload: s.WebhookIn):
    """Events: ``*`` or any of the notification events. The signing secret is shown only here."""
    _require(request, Role.ADMIN)
    unknown = sorted(set(payload.events) - NOTIFICATION_EVENTS - {"*"})
    if unknown:
        raise DomainError(OrderErrorCode.INVALID_ITEMS, f"Unknown events: {', '.join(unknown)}.", unknown=unknown)
    subscription = WebhookSubscription.objects.create(
        url=payload.url,
        events=payload.events,
        description=payload.description,
        secret="whsec_" + secrets.token_urlsafe(32),
    )
    forget_subscriptions()
    return Status(201, {**s.WebhookOut.from_orm(subscription).model_dump(), "secret": subscription.secret})


@router.post("/webhooks/{webhook_id}/enable", response={200: s.WebhookOut, **ERRORS}, summary="Enable again")
def enable_webhook(request: HttpRequest, webhook_id: Id):
    _require(request, Role.ADMIN)
    updated = WebhookSubscription.objects.filter(pk=webhook_id).update(
        active=True, disabled_at=None, consecutive_failures=0
    )
    if not updated:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Webhook {webhook_id} not found.")
    forget_subscriptions()
    return WebhookSubscription.objects.get(pk=webhook_id)


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Unsubscribe")
def delete_webhook(request: HttpRequest, webhook_id: Id):
    _require(request, Role.ADMIN)
    deleted, _ = WebhookSubscription.objects.filter(pk=webhook_id).delete()
    if not deleted:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Webhook {webhook_id} not found.")
    forget_subscriptions()
    return Status(204, None)
