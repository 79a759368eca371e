"""Who works an order: contractors limited to some products, managers who registered the customer.

A contractor's profile lists the SKUs and categories they take (both empty: any product). An order
fits a contractor when every item does. With the business setting ``contractor_auto_assign`` a new order that fits
exactly one active contractor gets them; otherwise staff pick from the candidates. With
``manager_auto_assign`` a new order gets the employee who registered its customer as manager.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db.models import Count, Q

from ordo.accounts.models import Customer, Profile, Role
from ordo.business.details import business
from ordo.db import fetch_all, fetch_one
from ordo.errors import DomainError
from ordo.kept import Kept
from ordo.orders.errors import OrderErrorCode


class Line(Protocol):
    """What assignment looks at in an item: an order's item or one being placed."""

    @property
    def sku(self) -> str: ...

    @property
    def category(self) -> str: ...


@dataclass(frozen=True)
class Candidate:
    user_id: int
    username: str
    name: str
    skus: tuple[str, ...]
    categories: tuple[str, ...]


def _contractors() -> Iterable[Profile]:
    return (
        Profile.objects.filter(role=Role.CONTRACTOR, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


def fits(profile: Profile, items: Iterable[Line]) -> bool:
    return all(profile.takes(item.sku, item.category) for item in items)


def contractor_candidates(items: Iterable[Line]) -> list[Candidate]:
    """The active contractors who take every item, by username."""
    lines = list(items)
    return [
        Candidate(p.user_id, p.user.get_username(), p.user.get_full_name(), tuple(p.skus), tuple(p.categories))
        for p in _contractors()
        if fits(p, lines)
    ]


def contractor_check(user_id: int, items: Iterable[Line]) -> None:
    """Refuse a contractor who is not one, or who does not take every item of the order."""
    profile = Profile.objects.filter(user_id=user_id, user__is_active=True, role=Role.CONTRACTOR).first()
    if profile is None:
        raise DomainError(OrderErrorCode.INVALID_ASSIGNEE, f"User {user_id} is not an active contractor.")
    unfit = sorted({item.sku for item in items if not profile.takes(item.sku, item.category)})
    if unfit:
        raise DomainError(
            OrderErrorCode.CONTRACTOR_UNFIT,
            f"Contractor {profile.user.get_username()} does not take {', '.join(unfit)}.",
            skus=unfit,
        )


def auto_contractor(items: Iterable[Line]) -> int | None:
    """The one contractor who fits, when auto-assignment is on; None for zero or several.

    Runs on every order placed, so it reads the contractors' products with one raw query: the
    ORM took 1 ms per order compiling it, which halved placements per second (measured on SQLite).
    """
    if not business().contractor_auto_assign:
        return None
    lines = list(items)
    found = [
        user_id
        for user_id, skus, categories in _contractor_products()
        if fits(Profile(skus=skus, categories=categories), lines)
    ]
    return found[0] if len(found) == 1 else None


#: The active contractors' products, kept per process (``ordo.kept``): asked on every order placed.
#: Forgotten here when a profile or a user is saved or deleted (see ``orders.apps``).
CONTRACTORS: Kept[str, list[tuple[int, list[str], list[str]]]] = Kept("contractors' products", seconds=5.0)


def _contractor_products() -> list[tuple[int, list[str], list[str]]]:
    return CONTRACTORS.get("all", _contractor_products_read)


def _contractor_products_read() -> list[tuple[int, list[str], list[str]]]:
    profile, user = Profile._meta.db_table, User._meta.db_table
    found = fetch_all(
        f"SELECT p.user_id, p.skus, p.categories FROM {profile} p JOIN {user} u ON u.id = p.user_id "
        "WHERE p.role = %s AND u.is_active",
        [Role.CONTRACTOR],
    )
    # SQLite hands JSON back as text; psycopg decodes jsonb itself.
    return [(user_id, _json(skus), _json(categories)) for user_id, skus, categories in found]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def auto_manager(customer: Customer, personal: bool = False) -> int | None:
    """The customer's personal manager, when auto-assignment is on: the one they have, else the
    employee who registered them, else (where the order type gives everyone one, seed 001) the
    active manager with the fewest open orders — who then stays theirs. None otherwise."""
    if not business().manager_auto_assign:
        return None
    for candidate in (customer.manager_id, customer.registered_by_id):
        if candidate is not None and may_manage(candidate):
            if customer.manager_id != candidate:
                _keep_manager(customer, candidate)
            return candidate
    if not personal:
        return None
    chosen = least_busy_manager()
    if chosen is not None:
        _keep_manager(customer, chosen)
    return chosen


def _keep_manager(customer: Customer, user_id: int) -> None:
    Customer.objects.filter(pk=customer.pk).update(manager_id=user_id)
    customer.manager_id = user_id


def least_busy_manager() -> int | None:
    """The active manager with the fewest orders not yet in a final status (ties: the earliest
    account), counted in one query."""
    from ordo.orders.workflows import final_statuses

    finals = final_statuses()
    open_orders = Count("managed_orders", filter=~Q(managed_orders__status__in=finals))
    found = (
        User.objects.filter(is_active=True, profile__role=Role.MANAGER)
        .annotate(load=open_orders)
        .order_by("load", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return found


def may_manage(user_id: int) -> bool:
    """Active admins (or superusers) and managers may manage orders. One plain statement: each
    order placed while auto-assignment is on asks it."""
    profile, user = Profile._meta.db_table, User._meta.db_table
    found = fetch_one(
        f"SELECT 1 FROM {user} u LEFT JOIN {profile} p ON p.user_id = u.id "
        "WHERE u.id = %s AND u.is_active = %s AND (u.is_superuser = %s OR p.role IN (%s, %s))",
        [user_id, True, True, Role.ADMIN, Role.MANAGER],
    )
    return found is not None
