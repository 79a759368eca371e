"""Reads on orders. Every list or fetch starts from ``orders_visible_to``: one rule per role."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import AnyUser, role_of
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderLink, StatusChange


def orders_visible_to(user: AnyUser) -> QuerySet[Order]:
    """The one visibility rule: admins see every order; managers every order, or only those they
    manage when ``ORDO_MANAGER_SCOPE=own``; contractors the orders assigned to them; customers their
    own and their organizations'; partners the orders they brought; everyone else (couriers use
    their signed link) none."""
    role = role_of(user)
    orders = Order.objects.all()
    if role == Role.ADMIN:
        return orders
    if not isinstance(user, User):
        return orders.none()
    if role == Role.MANAGER:
        return orders if settings.ORDO_MANAGER_SCOPE == "all" else orders.filter(manager=user)
    if role == Role.CONTRACTOR:
        return orders.filter(contractor=user)
    if role == Role.CUSTOMER:
        return orders.filter(customer_id__in=customer_ids_of(user))
    if role == Role.PARTNER:
        return orders.filter(partner__user=user)
    return orders.none()


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


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"o:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = text.split(":", 1)
        if prefix != "o":
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("invalid cursor") from error


def order_list_for(
    user: AnyUser,
    *,
    filters: OrderFilters,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Order], str | None]:
    """A page of visible orders, newest first, by keyset on id; returns the page and the next cursor."""
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
    if f.q:
        text = f.q.strip()
        match = (
            Q(external_number=text)
            | Q(customer__name__icontains=text)
            | Q(customer__email__iexact=text)
            | Q(customer__phone=text)
        )
        if text.isdigit():
            match |= Q(number=int(text))
        orders = orders.filter(match)
    if cursor:
        orders = orders.filter(id__lt=decode_cursor(cursor))
    page = list(
        orders.select_related(*CARD_JOINS)
        .defer("workflow__definition", "item_workflow__definition")
        .prefetch_related(*card_prefetch())
        .order_by("-id")[: limit + 1]
    )
    next_cursor = encode_cursor(page[limit - 1].pk) if len(page) > limit else None
    return page[:limit], next_cursor


def history_for(order: Order) -> QuerySet[StatusChange]:
    return order.history.select_related("item").order_by("id")
