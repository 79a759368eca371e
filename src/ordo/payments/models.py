from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from ordo.orders.models import Order, money


class PaymentChannel(models.Model):
    """A way to pay that this installation offers (``cash``, ``invoice``, ``card``…)."""

    class Gateway(models.TextChoices):
        MANUAL = "", "Recorded by staff"
        STRIPE = "stripe", "Stripe (card)"
        HMAC = "hmac", "Signed webhook gateway"
        WALLET = "wallet", "Customer wallet"

    code = models.SlugField(max_length=30, unique=True)
    labels = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    gateway = models.CharField(max_length=10, choices=Gateway.choices, blank=True, default="")
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    fee_fixed = money(default=Decimal("0.00"))
    fees_refundable = models.BooleanField(
        default=True, help_text="A refund to the processor returns the processing fee too (card: yes; PayPal: no)."
    )
    on_delivery = models.BooleanField(
        default=False, help_text="The courier collects what is owed when handing the order over (cash on delivery)."
    )

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
        #: Paid money moved with the items of a split order: out of the old order, into the new one.
        MOVED_OUT = "moved_out", "Moved to a split order"
        MOVED_IN = "moved_in", "Moved from a split order"

    class State(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        PENDING = "pending", "Pending (the gateway has not confirmed yet)"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = money()
    #: The processing fee within ``amount``.
    fee = money(default=Decimal("0.00"))
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CONFIRMED)
    #: Refunds: where the money went ("wallet" or "processor"), and which items it covered.
    destination = models.CharField(max_length=10, blank=True)
    items = models.JSONField(default=list, blank=True)
    due_date = models.DateField(null=True, blank=True)
    #: Set when a gateway reported something Ordo did not expect (another amount): staff look at it.
    flagged = models.BooleanField(default=False)
    flag_reason = models.TextField(blank=True)
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
        # The dashboard's revenue and refunds of a period read the ledger by the time of entry.
        indexes = [models.Index(fields=["recorded_at"], name="ledger_recorded_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class GatewayEvent(models.Model):
    """Every webhook a payment gateway sent, once: a repeat of the same event id changes nothing."""

    gateway = models.CharField(max_length=30)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="gateway_events")
    payload = models.JSONField()
    outcome = models.TextField(blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.type} {self.event_id}"


class WalletEntry(models.Model):
    """A customer's wallet is the sum of these rows, per currency; there is no balance field."""

    class Kind(models.TextChoices):
        CREDIT = "credit", "Credit"
        DEBIT = "debit", "Debit"

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="wallet")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = money()
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet_entries")
    #: The balance in this currency after this entry: written under the customer's row lock, so the
    #: latest entry tells the balance without summing the whole history (which it always equals).
    balance_after = money()
    note = models.CharField(max_length=300, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "currency", "id"], name="wallet_customer")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="wallet_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"
