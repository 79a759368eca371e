"""Reads on the catalog: whose back-in-stock alerts a user may see, and which products are out of stock."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, F, Q, QuerySet, Sum, Value, When

from ordo.accounts.models import Role
from ordo.accounts.roles import AnyUser, role_of
from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Product, StockAlert
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.search import Folded, fold


def alerts_of(user: AnyUser) -> QuerySet[StockAlert]:
    """Admins and managers see every alert; a customer those of their account, and of their address
    once the account proved it (alerts opened as a guest before signing up); anyone else is refused.
    Newest first."""
    alerts = StockAlert.objects.select_related("product").order_by("-id")
    role = role_of(user)
    if role in (Role.ADMIN, Role.MANAGER):
        return alerts
    customer = getattr(user, "customer", None) if role == Role.CUSTOMER else None
    if customer is None:
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only customers and staff keep alerts.")
    mine = Q(customer=customer)
    if customer.email and customer.email_proven:
        # A guest's alerts for the address become the account's once it proved the address.
        mine |= Q(email__iexact=customer.email)
    return alerts.filter(mine)


def product_find(typed: str) -> Product:
    """The product a person typed the SKU of: the exact SKU, else the one SKU that matches
    ignoring case and the spaces around it; "unknown product" otherwise."""
    sku = typed.strip()
    found = list(Product.objects.filter(sku=sku)) or list(Product.objects.filter(sku__iexact=sku)[:2])
    if len(found) != 1 or not sku:
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"No product has the SKU {sku!r}.")
    return found[0]


def products_matching(text: str, *, on_sale: bool = True) -> QuerySet[Product]:
    """Products (on sale, unless ``on_sale`` is False) whose SKU or name contains ``text`` in any
    case and alphabet, exact SKUs first, each with ``free`` (units free in stock; None where stock
    is not kept in Ordo)."""
    folded = fold(text.strip())
    products = Product.objects.filter(active=True) if on_sale else Product.objects.all()
    return (
        products.annotate(search_name=Folded("name"), search_sku=Folded("sku"))
        .filter(Q(search_name__contains=folded) | Q(search_sku__contains=folded))
        .annotate(
            exact=Case(When(search_sku=folded, then=Value(0)), default=Value(1)),
            free=Sum(F("stock__on_hand") - F("stock__reserved")),
        )
        .order_by("exact", "name", "sku")
    )


def skus_out_of_stock(skus: Iterable[str]) -> set[str]:
    """Which of these SKUs are sold and kept in stock but have no free unit now (one query).
    Products whose stock is not kept in Ordo (no stock rows) are not "out of stock"."""
    wanted = {sku for sku in skus if sku}
    if not wanted:
        return set()
    rows = (
        Product.objects.filter(sku__in=wanted, active=True)
        .annotate(free=Sum(F("stock__on_hand") - F("stock__reserved")))
        .filter(free__lte=0)
        .values_list("sku", flat=True)
    )
    return set(rows)
