from __future__ import annotations

from django.db import models

from ordo.accounts.models import Customer


class Cart(models.Model):
    """What a shopper has put aside in the portal's shop, kept across visits: a signed-in
    customer's under their record, a guest's under a random ``key`` kept in their session.
    Lines keep SKUs and quantities only; names, prices and stock are read afresh when shown."""

    customer = models.OneToOneField(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="cart")
    key = models.CharField(max_length=64, unique=True)
    #: ``[{"sku": "MUG-01", "quantity": 2, "target": ""}, ...]`` in the order they were added.
    lines = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart {self.pk} ({len(self.lines)} lines)"


class FormHit(models.Model):
    """How many times a public form was sent by one address (or for one e-mail) in a window of
    time: the rate limit behind guest checkout and sign-up, shared by every web process."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="portal_formhit_key_window")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.count}"
