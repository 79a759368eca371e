from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ordo.orders.models import Order, money


class PaymentChannel(models.Model):
    """A way to pay that this installation offers (``cash``, ``invoice``, ``card``…)."""

    code = models.SlugField(max_length=30, unique=True)
    labels = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class LedgerEntry(models.Model):
    """A payment, a refund or a deferral agreement. The order's payment status is derived from these."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"
        DEFERRAL = "deferral", "Deferred payment agreed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = money()
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=30, blank=True)
    #: The payer's or gateway's reference; with the channel it makes a recording idempotent.
    reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "channel", "reference"],
                condition=~Q(reference=""),
                name="ledger_reference_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"
