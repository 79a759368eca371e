from __future__ import annotations

from django.db import models


class Courier(models.Model):
    """A delivery provider from the shop's directory (SPEC §3.3, "Dostawca")."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CourierLink(models.Model):
    """One signed link handed to a courier for one order. The signature proves it came from us;
    this row says whether it is still good (not used, not replaced by a newer assignment)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="courier_links")
    courier = models.ForeignKey(Courier, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link {self.pk} for order {self.order_id}"
