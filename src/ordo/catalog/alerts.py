"""Back-in-stock alerts: a customer, or a guest with an e-mail address, asks to hear when a product
is back. When its free stock goes from none to some, each open alert gets one e-mail through the
outbox (so it is never lost and never sent twice) and ends; every e-mail carries an unsubscribe link.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ordo.accounts.models import Customer
from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Product, StockAlert
from ordo.catalog.stock import free_units
from ordo.db import insert_rows
from ordo.errors import DomainError
from ordo.jobs.models import Job
from ordo.jobs.runner import handler
from ordo.notifications.models import Channel, Message

EVENT = "back_in_stock"
OPENED = "alert_opened"


def unsubscribe_url(alert: StockAlert) -> str:
    return f"{settings.ORDO_PUBLIC_URL}/stock-alerts/{alert.token}"


def alert_subscribe(
    *, product: Product, email: str, customer: Customer | None = None, language: str = ""
) -> StockAlert:
    """Open an alert for ``email`` (asking again while one is open returns that one). Refused for a
    product that is in stock now or no longer sold."""
    if not product.active:
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"No product has the SKU {product.sku!r}.")
    email = email.strip().lower()
    if not email:
        raise DomainError(CatalogErrorCode.INVALID_ALERT, "An e-mail address is needed to tell you.")
    available = free_units(product.pk)
    if available > 0:
        raise DomainError(
            CatalogErrorCode.IN_STOCK, f"{product.name} is in stock now ({available} available).", available=available
        )
    existing = StockAlert.objects.filter(product=product, email=email, ended_at=None).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            alert = StockAlert.objects.create(
                product=product,
                email=email,
                customer=customer,
                language=(language or (customer.language if customer else "") or settings.LANGUAGE_CODE)[:8],
                token=secrets.token_urlsafe(32),
                created_at=now,
            )
            # The address's owner learns of the alert at once, with the link that ends it.
            insert_rows([_message(alert, OPENED, now)])
            return alert
    except IntegrityError:
        # The same address asked twice at once: the first request's alert stands.
        return StockAlert.objects.get(product=product, email=email, ended_at=None)


def alert_get(token: str) -> StockAlert:
    alert = StockAlert.objects.select_related("product").filter(token=token).first() if token else None
    if alert is None:
        raise DomainError(CatalogErrorCode.UNKNOWN_ALERT, "This alert does not exist.")
    return alert


def alert_unsubscribe(token: str) -> StockAlert:
    """End an alert by its link's token; ending an ended one changes nothing."""
    alert = alert_get(token)
    if alert.ended_at is None:
        StockAlert.objects.filter(pk=alert.pk, ended_at=None).update(
            ended_at=timezone.now(), ended=StockAlert.Ended.UNSUBSCRIBED
        )
        alert.refresh_from_db()
    return alert


def _message(alert: StockAlert, event: str, now: datetime) -> Message:
    """An e-mail to the alert's address, once per alert and event (the outbox key says so)."""
    return Message(
        event=event,
        recipient="subscriber",
        channel=Channel.EMAIL,
        context={
            "address": alert.email,
            "language": alert.language,
            "product": alert.product.name,
            "sku": alert.product.sku,
            "unsubscribe": unsubscribe_url(alert),
        },
        dedupe_key=f"{event}:{alert.pk}",
        available_at=now,
        created_at=now,
    )


@handler(EVENT)
def back_in_stock(job: Job) -> None:
    """The product's stock went up: if units are free, every open alert gets its one e-mail (queued
    in the outbox with a key of its own) and ends, in one transaction."""
    product = Product.objects.filter(pk=int(job.payload["product"]), active=True).first()
    if product is None or free_units(product.pk) <= 0:
        return
    now = timezone.now()
    with transaction.atomic():
        alerts = list(StockAlert.objects.select_for_update().filter(product=product, ended_at=None).order_by("id"))
        insert_rows([_message(alert, EVENT, now) for alert in alerts])
        StockAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(ended_at=now, ended=StockAlert.Ended.SENT)
