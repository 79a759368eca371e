from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    WEBHOOK = "webhook", "Webhook"


class WebhookSubscription(models.Model):
    """An integrator's endpoint: the events it wants, and the secret its payloads are signed with."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    #: Event names (``status_changed``…) or ``["*"]`` for every event.
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


class Message(models.Model):
    """An outbox row: written in the transaction of the change it tells about, delivered by the worker.

    ``context`` holds the event's facts as they were; the subject and body are rendered when the
    message is sent, in the recipient's language, and kept for the delivery log.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (permanent)"
        DEAD = "dead", "Gave up after retries"
        SKIPPED = "skipped", "Skipped (no address)"

    event = models.CharField(max_length=40)
    # No index of its own: message_order, on (order, id), serves every lookup by order.
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    recipient = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # No database constraint: writers name subscriptions from a cache a few seconds old, and a row
    # for a subscription deleted meanwhile must not fail the order's transaction. The relay skips it.
    # Indexed only where set (message_subscription): e-mails and texts, most messages, name none.
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, db_index=False
    )
    context = models.JSONField(default=dict)
    #: Unique: the same event is never queued twice for the same recipient and channel. Also the
    #: e-mail Message-ID and the webhook idempotency key, so receivers can drop repeats.
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "available_at"], name="message_due"),
            models.Index(fields=["order", "id"], name="message_order"),
            models.Index(
                fields=["subscription"], name="message_subscription", condition=models.Q(subscription__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} by {self.channel} ({self.status})"


class Attempt(models.Model):
    """One try at delivering a message, kept for the delivery log."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    permanent = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'failed'} at {self.at:%Y-%m-%d %H:%M:%S}"


class TemplateOverride(models.Model):
    """An admin's wording for one event, recipient and channel in one language, replacing the
    default. ``subject`` and ``body`` are Django templates; see docs/notifications.md."""

    event = models.CharField(max_length=40)
    recipient = models.CharField(max_length=20, blank=True, help_text="Empty: every recipient.")
    channel = models.CharField(max_length=10, choices=[c for c in Channel.choices if c[0] != "webhook"])
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel", "language"], name="template_override_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.recipient or '*'}/{self.channel}/{self.language}"
