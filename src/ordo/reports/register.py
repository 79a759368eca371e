"""The sales register for the accountant: every invoice and correcting invoice issued in a period,
with the buyer, net, VAT per rate and gross, as issued (the figures each document keeps). An
invoice reissued with a reason counts once, with its latest version's figures, on the day it was
first issued; a correction counts on its own day, negative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal

from django.db.models import QuerySet

from ordo.documents.models import Document
from ordo.orders.models import Order
from ordo.reports.figures import Period


@dataclass(frozen=True)
class Entry:
    number: str
    kind: str
    issued: date
    corrects: str
    order: int
    buyer: str
    buyer_tax_id: str
    currency: str
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None
    #: Tax per rate ("23.00", "8.00", None for exempt): {rate: (net, tax)}.
    by_rate: dict[str | None, tuple[Decimal, Decimal]]


def sales_register(visible: QuerySet[Order], period: Period, zone: tzinfo) -> tuple[list[str | None], list[Entry]]:
    """The rates that occur (highest first, exempt last) and the register's entries, oldest first."""
    start, after = period.bounds(zone)
    kinds = [Document.Kind.INVOICE, Document.Kind.CORRECTION]
    firsts = Document.objects.filter(kind__in=kinds, version=1, issued_at__gte=start, issued_at__lt=after)
    if visible.query.has_filters():
        firsts = firsts.filter(order__in=visible)
    entries = []
    found_rates: set[str | None] = set()
    for first in firsts.select_related("order__customer").defer("pdf").order_by("issued_at", "id"):
        latest = first
        if first.kind == Document.Kind.INVOICE:
            latest = (
                Document.objects.filter(order_id=first.order_id, kind=first.kind, number=first.number)
                .defer("pdf")
                .order_by("-version")
                .first()
                or first
            )
        corrects = ""
        if first.corrects_id:
            corrects = Document.objects.filter(pk=first.corrects_id).values_list("number", flat=True).first() or ""
        by_rate = {r["rate"]: (Decimal(r["net"]), Decimal(r["tax"])) for r in latest.taxes}
        found_rates.update(by_rate)
        customer = first.order.customer
        entries.append(
            Entry(
                number=first.number,
                kind=first.kind,
                issued=first.issued_at.astimezone(zone).date(),
                corrects=corrects,
                order=first.order.number,
                buyer=customer.name,
                buyer_tax_id=customer.tax_id,
                currency=first.order.currency,
                net=latest.net,
                tax=latest.tax,
                gross=latest.gross if latest.gross is not None else first.order.total,
                by_rate=by_rate,
            )
        )
    rates = sorted(found_rates, key=lambda r: (r is None, -Decimal(r or 0)))
    return rates, entries


def register_table(rates: list[str | None], entries: list[Entry]) -> tuple[list[str], list[list[object]]]:
    """The register as a table in the active language: one row per document, net and VAT per rate."""
    from django.utils.translation import gettext as _

    def rate_name(rate: str | None) -> str:
        return _("exempt") if rate is None else f"{Decimal(rate).normalize():f} %"

    header = [_("Number"), _("Kind"), _("Issued"), _("Corrects"), _("Order"), _("Buyer"), _("Buyer's tax ID")]
    for rate in rates:
        header += [_("Net %(rate)s") % {"rate": rate_name(rate)}, _("VAT %(rate)s") % {"rate": rate_name(rate)}]
    header += [_("Net"), _("VAT"), _("Gross"), _("Currency")]
    kinds: dict[str, str] = {"invoice": _("Invoice"), "correction": _("Correcting invoice")}
    rows: list[list[object]] = []
    for e in entries:
        row: list[object] = [
            e.number,
            str(kinds.get(e.kind, e.kind)),
            e.issued.isoformat(),
            e.corrects,
            e.order,
            e.buyer,
            e.buyer_tax_id,
        ]
        for rate in rates:
            net, tax = e.by_rate.get(rate, (None, None))
            row += [net if net is not None else "", tax if tax is not None else ""]
        row += [e.net if e.net is not None else "", e.tax if e.tax is not None else "", e.gross, e.currency]
        rows.append(row)
    return header, rows
