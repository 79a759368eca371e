"""Papers for the warehouse, made on demand and not kept: packing slips (what goes in the parcel,
without prices) and pick lists (where each unit is taken from). Many orders make one PDF, a page
per order, each in its customer's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from ordo.business.details import business
from ordo.catalog.models import Reservation, Stock
from ordo.orders.models import Order, OrderItem

Paper = Literal["packing", "pick"]


@dataclass(frozen=True)
class PickRow:
    location: str  # "" where the product's stock is not kept in Ordo, or none is left
    sku: str
    name: str
    quantity: int
    short: bool = False  # not enough in stock: these units are missing


def pick_rows(order: Order, items: list[OrderItem]) -> list[PickRow]:
    """Where to take each item from: the units held for it (reservations), else the locations that
    have it, in location order, as a reservation would take them; what no location has is short.
    Sorted by location, so the picker walks the warehouse once."""
    held: dict[int, list[Reservation]] = {}
    for reservation in Reservation.objects.filter(order=order, state=Reservation.State.HELD).select_related(
        "stock__location"
    ):
        held.setdefault(reservation.item_id, []).append(reservation)
    stock: dict[str, list[Stock]] = {}
    for row in (
        Stock.objects.filter(product__sku__in=[i.sku for i in items if i.pk not in held], on_hand__gt=0)
        .select_related("location", "product")
        .order_by("location__code")
    ):
        stock.setdefault(row.product.sku, []).append(row)
    rows: list[PickRow] = []
    for item in items:
        if item.pk in held:
            rows += [PickRow(r.stock.location.code, item.sku, item.name, r.quantity) for r in held[item.pk]]
            continue
        places = stock.get(item.sku)
        if not places:
            rows.append(PickRow("", item.sku, item.name, item.quantity))
            continue
        wanted = item.quantity
        for place in places:
            take = min(wanted, place.on_hand - place.reserved)
            if take > 0:
                rows.append(PickRow(place.location.code, item.sku, item.name, take))
                wanted -= take
        if wanted:
            rows.append(PickRow("", item.sku, item.name, wanted, short=True))
    return sorted(rows, key=lambda r: (r.location == "", r.location, r.sku))


def _language(order: Order) -> str:
    return (order.customer.language or order.language or "en").split("-")[0]


def papers_html(orders: Iterable[Order], paper: Paper) -> str:
    pages = []
    for order in orders:
        items = list(order.items.all().order_by("position"))
        with translation.override(_language(order)):
            pages.append(
                render_to_string(
                    f"documents/{paper}.html",
                    {
                        "order": order,
                        "items": items,
                        "picks": pick_rows(order, items) if paper == "pick" else [],
                        "placed": formats.date_format(timezone.localtime(order.placed_at), "DATE_FORMAT"),
                        "business": business().name,
                        "business_address": business().address,
                    },
                )
            )
    return render_to_string("documents/papers.html", {"pages": pages})


def papers_pdf(orders: Iterable[Order], paper: Paper) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is not free

    return HTML(string=papers_html(orders, paper), base_url=str(settings.BASE_DIR)).write_pdf()
