"""The desk's list as a file: CSV streamed row by row, XLSX written with constant memory to a
temporary file and then sent. Orders as rows or items as rows; headers and statuses in the page's
language, numbers as numbers, dates in the site's time zone. Memory stays flat however many orders
match: rows come from the database in chunks and leave as soon as they are written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ordo.orders.models import Order, OrderItem, Workflow
from ordo.web.labels import PAYMENT_STATUS, SOURCE
from ordo.web.orders import status_labels, type_labels

Shape = Literal["orders", "items"]
CHUNK = 2000


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def table(orders: QuerySet[Order], shape: Shape, language: str) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows (plain values: text, numbers, naive local datetimes)."""
    statuses = status_labels(language)
    types = type_labels(language)
    if shape == "items":
        item_statuses = status_labels(language, Workflow.Scope.ITEM)
        header = [
            _("Order"),
            _("Placed"),
            _("Status"),
            _("Customer"),
            _("SKU"),
            _("Name"),
            _("Quantity"),
            _("Price"),
            _("Sum"),
            _("Currency"),
            _("Item status"),
        ]
        items = (
            OrderItem.objects.filter(order__in=orders.values("id"))
            .order_by("-order_id", "position")
            .values_list(
                "order__number",
                "order__placed_at",
                "order__status",
                "order__customer__name",
                "sku",
                "name",
                "quantity",
                "unit_price",
                "order__currency",
                "status",
            )
            .iterator(chunk_size=CHUNK)
        )

        def item_rows() -> Iterator[list[Any]]:
            for number, placed, status, customer, sku, name, qty, price, currency, item_status in items:
                yield [
                    number,
                    _local(placed),
                    statuses.get(status, status),
                    customer,
                    sku,
                    name,
                    qty,
                    price,
                    price * qty,
                    currency,
                    item_statuses.get(item_status, item_status),
                ]

        return header, item_rows()
    header = [
        _("Order"),
        _("External number"),
        _("Placed"),
        _("Status"),
        _("Payment"),
        _("Type"),
        _("Source"),
        _("Customer"),
        _("E-mail"),
        _("Phone"),
        _("Manager"),
        _("Delivery address"),
        _("Goods"),
        _("Discount"),
        _("Fees"),
        _("Total"),
        _("Paid"),
        _("Refunded"),
        _("Currency"),
    ]
    rows = (
        orders.order_by("-id")
        .values_list(
            "number",
            "external_number",
            "placed_at",
            "status",
            "payment_status",
            "type",
            "source",
            "customer__name",
            "customer__email",
            "customer__phone",
            "manager__username",
            "delivery_address",
            "subtotal",
            "discount",
            "fees",
            "total",
            "paid",
            "refunded",
            "currency",
        )
        .iterator(chunk_size=CHUNK)
    )

    def order_rows() -> Iterator[list[Any]]:
        for row in rows:
            number, external, placed, status, payment, kind, source, *rest = row
            yield [
                number,
                external,
                _local(placed),
                statuses.get(status, status),
                str(PAYMENT_STATUS.get(payment, payment)),
                types.get(kind, kind),
                str(SOURCE.get(source, source)),
                *(value if value is not None else "" for value in rest),
            ]

    return header, order_rows()
