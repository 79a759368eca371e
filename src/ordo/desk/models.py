"""What the desk keeps of its own: staff's saved views of the order list."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A named set of the order list's filters and sort, one click away. ``query`` is the list's
    query string, cleaned (known filters with valid values, no page cursor); ``shared`` shows it to
    every staff member, each of whom still sees only the orders the visibility rule lets them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_once_per_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"
