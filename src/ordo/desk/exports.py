"""The desk's list as a file: CSV streamed row by row, XLSX written with constant memory to a
temporary file and then sent. Orders as rows or items as rows; headers and statuses in the page's
language, numbers as numbers, dates in the site's time zone. Memory stays flat however many orders
match: rows come from the database in chunks and leave as soon as they are written."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
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


class _Line:
    """A file-like object whose ``write`` hands back what it was given (csv.writer's output)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: list[str], rows: Iterable[list[Any]], *, batch: int = 500) -> Iterator[str]:
    """CSV text in chunks of ``batch`` rows; a byte-order mark first so spreadsheet programs read
    the file as UTF-8 (Cyrillic and Polish names intact)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_value(v) for v in row]))
        if len(buffer) >= batch:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


def xlsx_file(header: list[str], rows: Iterable[list[Any]], *, sheet: str) -> Any:
    """The rows as an XLSX workbook in a temporary file (rewound, deleted when closed). XlsxWriter's
    constant-memory mode writes each row to disk as it comes."""
    import xlsxwriter  # imported here: only exports need it

    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes (and so deletes) it
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    page = book.add_worksheet(sheet[:31])
    page.freeze_panes(1, 0)
    page.write_row(0, 0, header, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, Decimal):
                page.write_number(count, column, float(value), amount)
            elif isinstance(value, datetime):
                page.write_datetime(count, column, value, moment)
            elif isinstance(value, int):
                page.write_number(count, column, value)
            else:
                page.write_string(count, column, str(value))
    page.autofilter(0, 0, max(count, 1), len(header) - 1)
    page.set_column(0, len(header) - 1, 16)
    book.close()
    out.seek(0)
    return out
