"""Reads on orders. Every list or fetch starts from ``orders_visible_to``: one rule per role."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import AnyUser, role_of
from ordo.accounts.selectors import customers_matching
from ordo.business.details import business
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderItem, OrderLink, StatusChange
from ordo.search import fold
from ordo.text import whole_number


def orders_visible_to(user: AnyUser) -> QuerySet[Order]:
    """The one visibility rule: admins see every order; managers every order, or only those they
    manage when the business's ``manager_scope`` is ``own``; contractors the orders assigned to them; customers their
    own and their organizations'; partners the orders they brought; everyone else (couriers use
    their signed link) none."""
    role = role_of(user)
    orders = Order.objects.all()
    if role == Role.ADMIN:
        return orders
    if not isinstance(user, User):
        return orders.none()
    if role == Role.MANAGER:
        return orders if business().manager_scope == "all" else orders.filter(manager=user)
    if role == Role.CONTRACTOR:
        return orders.filter(contractor=user)
    if role == Role.CUSTOMER:
        return orders.filter(customer_id__in=customer_ids_of(user))
    if role == Role.PARTNER:
        return orders.filter(partner__user=user)
    return orders.none()


def customers_visible_to(user: AnyUser) -> QuerySet[Customer]:
    """The customer directory by the same rule: whoever sees every order sees every customer; a
    manager of scope "own" the customers they registered, look after or whose orders they manage; anyone else
    none (contractors see a customer only on the orders given to them)."""
    role = role_of(user)
    customers = Customer.objects.all()
    if orders_see_all(user):
        return customers
    if role == Role.MANAGER and isinstance(user, User):
        managed = Order.objects.filter(manager=user).values("customer_id")
        return customers.filter(Q(registered_by=user) | Q(manager=user) | Q(id__in=managed))
    return customers.none()


def orders_see_all(user: AnyUser) -> bool:
    """Does the visibility rule let this user see every order (an admin, a manager of scope "all")?"""
    role = role_of(user)
    return role == Role.ADMIN or (role == Role.MANAGER and business().manager_scope == "all")


def customer_ids_of(user: User) -> list[int]:
    """The customer records a user orders as: their own and the organizations they belong to."""
    found = Customer.objects.filter(Q(user=user) | Q(members__user=user)).values_list("id", flat=True)
    return sorted(set(found))


def order_ensure_visible(user: AnyUser, number: int) -> None:
    """Visibility before permissions: an order outside the caller's view is "not found"."""
    if not orders_visible_to(user).filter(number=number).exists():
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {number} not found.")


def order_by_tracking_token(token: str) -> Order:
    """The one order a tracking link shows, to anyone holding it; a wrong token is "not found"."""
    order = (
        Order.objects.select_related("workflow", "item_workflow").filter(tracking_token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if order is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, "No order has this tracking link.")
    return order


def tracking_url(order: Order) -> str:
    """The public tracking link of an order (its token is random and unguessable)."""
    return f"{settings.ORDO_PUBLIC_URL}/track/{order.tracking_token}"


#: What an order's card shows beside the order row: joined, and fetched in one query each.
CARD_JOINS = ("customer", "manager", "contractor", "courier", "partner", "workflow", "item_workflow")


def card_prefetch() -> list[str | Prefetch]:
    return [
        "items",
        # What furniture items are made of (a catalog relation, named here by path only).
        "items__materials__product",
        "discounts",
        Prefetch("links_out", OrderLink.objects.select_related("target").only(*_LINK_FIELDS, "target__number")),
        Prefetch("links_in", OrderLink.objects.select_related("source").only(*_LINK_FIELDS, "source__number")),
    ]


_LINK_FIELDS = ("id", "kind", "reason", "at", "actor_name", "source_id", "target_id")


def order_get(user: AnyUser, number: int) -> Order:
    """One visible order with what its card shows; an invisible order is "not found", not "forbidden"."""
    order = (
        orders_visible_to(user)
        .select_related(*CARD_JOINS)
        .defer("workflow__definition", "item_workflow__definition")
        .prefetch_related(*card_prefetch())
        .filter(number=number)
        .first()
    )
    if order is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {number} not found.")
    return order


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    payment_status: str | None = None
    type: str | None = None
    source: str | None = None
    manager: int | None = None
    contractor: int | None = None
    q: str | None = None
    placed_after: datetime | None = None
    placed_before: datetime | None = None


#: How a list may be sorted: the order fields of each keyset, the last one always a unique id.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-id",),
    "oldest": ("id",),
    # Longest in their status first: what has waited most comes up first.
    "waiting": ("status_since", "id"),
}


def encode_cursor(last: Order, sort: str = "newest") -> str:
    """An opaque cursor after ``last``: the sort, then ``last``'s value of each keyset field."""
    values = [_cursor_value(getattr(last, name.lstrip("-"))) for name in SORTS[sort]]
    text = json.dumps([sort, *values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def decode_cursor(cursor: str, sort: str = "newest") -> list[Any]:
    """The keyset values a cursor holds; ValueError for a forged one or one of another sort."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("invalid cursor") from error
    fields = SORTS[sort]
    if not isinstance(data, list) or data[:1] != [sort] or len(data) != len(fields) + 1:
        raise ValueError("invalid cursor")
    values = data[1:]
    for name, value in zip(fields, values, strict=True):
        ok = isinstance(value, int) if name.lstrip("-") == "id" else isinstance(value, str)
        if not ok:
            raise ValueError("invalid cursor")
    return [datetime.fromisoformat(v) if isinstance(v, str) else v for v in values]


def _after(fields: tuple[str, ...], values: list[Any]) -> Q:
    """Rows after the keyset ``values`` in the order of ``fields`` (a row comparison spelled out)."""
    match = Q()
    for i, name in enumerate(fields):
        column = name.lstrip("-")
        step = Q(**{f"{column}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
        for earlier, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        match |= step
    return match


def orders_filtered(user: AnyUser, filters: OrderFilters) -> QuerySet[Order]:
    """The visible orders that match the filters (every filter but the cursor)."""
    orders = orders_visible_to(user)
    f = filters
    if f.status:
        orders = orders.filter(status=f.status)
    if f.payment_status:
        orders = orders.filter(payment_status=f.payment_status)
    if f.type:
        orders = orders.filter(type=f.type)
    if f.source:
        orders = orders.filter(source=f.source)
    if f.manager is not None:
        orders = orders.filter(manager_id=f.manager)
    if f.contractor is not None:
        orders = orders.filter(contractor_id=f.contractor)
    if f.placed_after:
        orders = orders.filter(placed_at__gte=f.placed_after)
    if f.placed_before:
        orders = orders.filter(placed_at__lt=f.placed_before)
    if f.q and f.q.strip():
        orders = _search(orders, f.q.strip())
    return orders


#: A word of letters and a number, in either order, as an address is written.
_ADDRESS_LIKE = re.compile(r"[^\W\d_]{2,}.*\s\d|\d.*\s[^\W\d_]{2,}")


def _search(orders: QuerySet[Order], text: str) -> QuerySet[Order]:
    """Text search as a clerk means it: an order number or external number that matches exactly
    answers alone (both indexed); otherwise the customer's name or e-mail (any part, any case, any
    alphabet) or phone (by its digits), an item's SKU, or the delivery address. Looking the
    customers and items up first keeps the order table on its primary key and customer index
    instead of a scan."""
    exact = Q(external_number=text)
    if (number := whole_number(text)) is not None:
        exact |= Q(number=number)
    if orders.filter(exact).exists():
        return orders.filter(exact)
    customers = customers_matching(text).values("id")
    with_sku = OrderItem.objects.filter(sku=text).values("order_id")
    match = Q(customer_id__in=customers) | Q(id__in=with_sku)
    if _ADDRESS_LIKE.search(text):
        # Text with a letter and a number apart ("Długa 5", "Kaivokatu 12 B") may be an address:
        # only then is the address column scanned, so a name's search keeps to the indexes.
        match |= Q(address_folded__contains=fold(text))
    return orders.filter(match)


def order_list_for(
    user: AnyUser,
    *,
    filters: OrderFilters,
    cursor: str | None = None,
    limit: int = 50,
    sort: str = "newest",
    full: bool = True,
) -> tuple[list[Order], str | None]:
    """A page of visible orders in ``sort`` order, by keyset; returns the page and the next cursor.
    ``full=False`` leaves out what only a card shows (items, links, discounts): the desk's list."""
    fields = SORTS[sort]
    orders = orders_filtered(user, filters)
    if cursor:
        orders = orders.filter(_after(fields, decode_cursor(cursor, sort)))
    orders = orders.select_related(*CARD_JOINS).defer("workflow__definition", "item_workflow__definition")
    if full:
        orders = orders.prefetch_related(*card_prefetch())
    page = list(orders.order_by(*fields)[: limit + 1])
    next_cursor = encode_cursor(page[limit - 1], sort) if len(page) > limit else None
    return page[:limit], next_cursor


def status_counts(user: AnyUser, filters: OrderFilters) -> dict[str, int]:
    """How many visible orders match the filters, per status (the status filter itself left out)."""
    rows = orders_filtered(user, replace(filters, status=None)).values_list("status").annotate(n=Count("id"))
    return dict(rows.order_by())


def history_for(order: Order) -> QuerySet[StatusChange]:
    return order.history.select_related("item").order_by("id")
