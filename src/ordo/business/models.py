from __future__ import annotations

from django.conf import settings
from django.db import models


class Setting(models.Model):
    """One of the business's settings an admin changed (``business.settings.FIELDS``); a setting
    without a row takes its ``ORDO_*`` environment variable's value."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class SettingChange(models.Model):
    """Who changed a setting, when, from what to what (a logo is recorded as replaced)."""

    key = models.CharField(max_length=40)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} by {self.by_name} at {self.at:%Y-%m-%d %H:%M}"
