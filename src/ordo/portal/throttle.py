"""Rate limits for public forms, counted in the database so every web process shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from ordo.portal.models import FormHit

#: A form field no person fills in: hidden from view and from screen readers, left empty.
HONEYPOT = "website"


def hit(key: str, *, limit: int, per: timedelta = timedelta(hours=1), now: datetime | None = None) -> bool:
    """Count one more send under ``key``; True while no more than ``limit`` fell in this window."""
    seconds = max(int(per.total_seconds()), 1)
    window = int((now or timezone.now()).timestamp()) // seconds
    with transaction.atomic():
        if not FormHit.objects.filter(key=key, window=window).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    FormHit.objects.create(key=key, window=window, count=1)
            except IntegrityError:  # another process counted the first send of this window
                FormHit.objects.filter(key=key, window=window).update(count=F("count") + 1)
        FormHit.objects.filter(key=key, window__lt=window).delete()
        count = FormHit.objects.filter(key=key, window=window).values_list("count", flat=True).first() or 0
    return count <= limit


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def looks_automated(request: HttpRequest) -> bool:
    """Did a program fill the form in (the honeypot field has text)?"""
    return bool(request.POST.get(HONEYPOT, "").strip())
