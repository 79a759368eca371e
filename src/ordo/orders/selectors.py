"""Reads on orders. Every list or fetch starts from ``orders_visible_to``: one rule per role."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, sql

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import AnyUser, role_of
from ordo.accounts.selectors import customers_matching
from ordo.business.details import business
from ordo.db import ReadShape, fetch_all, joined, one_connection, read_shape, read_together, stand_in, vendor
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderDiscount, OrderItem, OrderLink, StatusChange
from ordo.orders.models import Workflow as WorkflowRow
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


# -- the order an API answer shows, read without the ORM's compiler ------------------------------------


@functools.cache
def _unread_query(model: Any) -> sql.Query:
    """The query of every answer's prefetched relation of ``model``: never run (its rows are
    given) and never changed in place (a QuerySet's methods change a copy), so one per model
    serves them all — building one took about 8 µs, seven times per answer."""
    return sql.Query(model)


def _kept_as_prefetched(instance: Any, name: str, model: Any, rows: list[Any]) -> None:
    """Hand ``instance.<name>.all()`` these rows, as ``prefetch_related`` would have."""
    found: Any = QuerySet(model=model, query=_unread_query(model))
    found._result_cache = rows
    found._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = found


#: The rows besides the customer an order may name, and the card's joined rows, in this order.
_STAFF_AND_PARTNER = ("manager", "contractor", "courier", "partner")
_JOINED = ("customer", *_STAFF_AND_PARTNER)


@dataclass(frozen=True)
class _Answer:
    """The answer's statements and shapes, worked out once per process and database vendor."""

    order: str
    items: str
    materials: str
    discounts: str
    links: str
    #: The order's and its joined rows' shapes, in the order statement's column order.
    shapes: dict[str, ReadShape]
    #: The shapes of the item, material, product, discount and link rows.
    related: dict[str, ReadShape]


def order_answer(user: AnyUser, number: int, held: Order | None = None) -> Order:
    """``order_get``'s order — the same row, joins and prefetched relations, so the presenter
    draws the same JSON (a test holds it for every preset) — read by plain statements through
    shapes worked out once (``db.read_shape``): what an API answer after a write reads, where the
    ORM spent longer compiling the card's seven queries than the database spent running them. The
    order's statement also says which of materials, discounts and links it has at all
    (``_probes``); it and the items' go together (``db.read_together``: one round trip on
    PostgreSQL), then those relations it has, together — most orders have none of them.

    ``held``: the order the write returned. When it holds its row as written (``as_written``: a
    placement, or a transition that ran no effect) the row is not read again — only the rows it
    names (customer, manager, contractor, courier, partner, by their ids) and its relations; nor
    its items, when the write holds them too (``items_as_written``: a placement's, a transition's).

    Visibility first, by the one rule: someone who does not see every order asks
    ``orders_visible_to`` whether they see this one."""
    if not orders_see_all(user) and not orders_visible_to(user).filter(number=number).exists():
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {number} not found.")
    a = _answer_statements(vendor())
    if held is not None and not held.as_written:
        held = None
    named: tuple[str, ...] = ()
    if held is None:
        first = (a.order, [number])
    else:
        named = tuple(name for name in _STAFF_AND_PARTNER if getattr(held, f"{name}_id") is not None)
        ids = [getattr(held, f"{name}_id") for name in named]
        statement, probing = _joined_by_ids(vendor(), named)
        first = (statement, [*[held.pk] * probing, *ids, held.customer_id])
    relations = [(a.materials, [number]), (a.discounts, [number]), (a.links, [number] * 3)]
    items = None if held is None else held.items_as_written
    with one_connection():  # the statements below take the connection looked up once
        # The order (its first statement says which of the relations have rows at all) and its
        # items (unless held) together, then those relations it has, together.
        if items is None:
            rows, item_rows = read_together([first, (a.items, [number])])
            items = [a.related["item"].build(row) for row in item_rows]
        else:
            rows = fetch_all(*first)
        if not rows:
            raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {number} not found.")
        row, present = rows[0][:-3], rows[0][-3:]
        found = iter(read_together([read for read, has in zip(relations, present, strict=True) if has]))
        materials, discounts, links = (next(found) if has else [] for has in present)
    order = _answer_order(row, a.shapes) if held is None else _answer_held(held, row, a.shapes, named)
    _answer_relations(order, items, materials, discounts, links, a.related)
    return order


@functools.cache
def _answer_statements(vendor: str) -> _Answer:
    """The order with the card's five joined rows and its workflows' digests; its items, their
    materials with each product, its discounts and its links both ways (with the other order's
    number) — each statement naming the order by its number."""
    quote = connection.ops.quote_name
    joined: dict[str, tuple[Any, str]] = {}
    for name in _JOINED:
        field: Any = Order._meta.get_field(name)
        joined[name] = (field.related_model, field.column)
    shapes = {"o": read_shape(Order, "o"), **{n: read_shape(model, f"j_{n}") for n, (model, _c) in joined.items()}}
    orders, workflows = quote(Order._meta.db_table), quote(WorkflowRow._meta.db_table)
    joins = " ".join(
        f"{'JOIN' if name == 'customer' else 'LEFT JOIN'} {quote(model._meta.db_table)} j_{name} "
        f"ON j_{name}.id = o.{quote(column)}"
        for name, (model, column) in joined.items()
    )
    columns = ", ".join(shape.columns for shape in shapes.values())
    the_order = f"(SELECT id FROM {orders} WHERE number = %s)"
    material: Any = OrderItem._meta.get_field("materials").related_model
    product: Any = material._meta.get_field("product").related_model
    item, discount = read_shape(OrderItem, "r"), read_shape(OrderDiscount, "r")
    m, p, lk = read_shape(material, "m"), read_shape(product, "p"), read_shape(OrderLink, "l")
    return _Answer(
        order=(
            f"SELECT {columns}, w.id, w.digest, iw.id, iw.digest{_probes('o.id')} "
            f"FROM {orders} o {joins} "
            f"JOIN {workflows} w ON w.id = o.workflow_id LEFT JOIN {workflows} iw ON iw.id = o.item_workflow_id "
            "WHERE o.number = %s"
        ),
        items=items_statement(vendor, by_number=True),
        materials=(
            f"SELECT {m.columns}, {p.columns} FROM {quote(material._meta.db_table)} m "
            f"JOIN {quote(product._meta.db_table)} p ON p.id = m.product_id "
            f"JOIN {quote(OrderItem._meta.db_table)} i ON i.id = m.item_id WHERE i.order_id = {the_order} "
            "ORDER BY m.id"
        ),
        discounts=(
            f"SELECT {discount.columns} FROM {quote(OrderDiscount._meta.db_table)} r "
            f"WHERE r.order_id = {the_order} ORDER BY r.id"
        ),
        links=(
            f"SELECT {lk.columns}, x.number FROM {quote(OrderLink._meta.db_table)} l JOIN {orders} x "
            f"ON x.id = CASE WHEN l.source_id = {the_order} THEN l.target_id ELSE l.source_id END "
            f"WHERE l.source_id = {the_order} OR l.target_id = {the_order} ORDER BY l.id"
        ),
        shapes=shapes,
        related={"item": item, "material": m, "product": p, "discount": discount, "link": lk},
    )


@functools.cache
def items_statement(vendor: str, *, by_number: bool = False) -> str:
    """An order's items in position order, in the columns of ``read_shape(OrderItem, "r")``; the
    order named by its id, or ``by_number`` — as the answer's reads and a transition's beside its
    row lock (``services.lock_order``) name it, before its id is known."""
    quote = connection.ops.quote_name
    order = f"(SELECT id FROM {quote(Order._meta.db_table)} WHERE number = %s)" if by_number else "%s"
    return (
        f"SELECT {read_shape(OrderItem, 'r').columns} FROM {quote(OrderItem._meta.db_table)} r "
        f"WHERE r.order_id = {order} ORDER BY r.position"
    )


def _probes(order: str) -> str:
    """Columns saying whether the order (``order``: a column, or ``%s`` for its id) has materials,
    discounts and links: three index probes in the answer's first statement instead of three
    statements that mostly find nothing (11 µs each on SQLite; on PostgreSQL, where the five went
    in one round trip, the server's work and the driver's for each of them)."""
    material: Any = OrderItem._meta.get_field("materials").related_model
    quote = connection.ops.quote_name
    materials, items = quote(material._meta.db_table), quote(OrderItem._meta.db_table)
    discounts, links = quote(OrderDiscount._meta.db_table), quote(OrderLink._meta.db_table)
    return (
        f", EXISTS(SELECT 1 FROM {materials} pm JOIN {items} pi ON pi.id = pm.item_id WHERE pi.order_id = {order})"
        f", EXISTS(SELECT 1 FROM {discounts} pd WHERE pd.order_id = {order})"
        f", EXISTS(SELECT 1 FROM {links} pl WHERE pl.source_id = {order} OR pl.target_id = {order})"
    )


@functools.cache
def _joined_by_ids(vendor: str, named: tuple[str, ...]) -> tuple[str, int]:
    """The rows a held order names, by their ids: its customer's and those of ``named`` (of
    ``_STAFF_AND_PARTNER``, in that order), their ids first and the customer's last — and how many
    times the order's own id is bound before them (``_probes``). Only what the order
    names is joined: four joins that find nothing took half the statement's time."""
    shapes = _answer_statements(vendor).shapes
    quote = connection.ops.quote_name
    joins = " ".join(
        f"LEFT JOIN {quote(shapes[name].model._meta.db_table)} j_{name} ON j_{name}.id = %s" for name in named
    )
    columns = ", ".join(shapes[name].columns for name in ("customer", *named))
    customers = quote(shapes["customer"].model._meta.db_table)
    probes = _probes("%s")
    statement = f"SELECT {columns}{probes} FROM {customers} j_customer {joins} WHERE j_customer.id = %s"
    return statement, probes.count("%s")


def _answer_order(row: tuple[Any, ...], shapes: dict[str, ReadShape]) -> Order:
    order_shape = shapes["o"]
    order = order_shape.build(row[: order_shape.width])
    at = _joined_onto(order, row, order_shape.width, shapes, _JOINED)
    _workflows_onto(order, *row[at : at + 4])
    return order


def _answer_held(order: Order, row: tuple[Any, ...], shapes: dict[str, ReadShape], named: tuple[str, ...]) -> Order:
    """The order a placement or a transition wrote, with the rows it names read by their ids
    (``_joined_by_ids``) and its workflows by the digests it was written with."""
    _joined_onto(order, row, 0, shapes, ("customer", *named))
    _workflows_onto(order, order.workflow_id, order.workflow_digest, order.item_workflow_id, order.item_workflow_digest)
    return order


def _workflows_onto(
    order: Order, workflow_id: int, digest: str, item_workflow_id: int | None, item_digest: str | None
) -> None:
    """The order's workflows as stand-ins holding their ids and digests: all the presenter asks of
    them (``workflows.compiled``)."""
    joined(order, "workflow", stand_in(WorkflowRow, id=workflow_id, digest=digest))
    item_workflow = stand_in(WorkflowRow, id=item_workflow_id, digest=item_digest) if item_workflow_id else None
    joined(order, "item_workflow", item_workflow)


def _joined_onto(
    order: Order, row: tuple[Any, ...], at: int, shapes: dict[str, ReadShape], names: tuple[str, ...]
) -> int:
    """Set the card's joined rows ``names`` (customer, manager…), found in ``row`` from ``at`` on
    in that order, onto ``order``, and None for those of the five not among them; where they end."""
    for name in _STAFF_AND_PARTNER:
        if name not in names:
            joined(order, name, None)
    for name in names:
        shape = shapes[name]
        part = row[at : at + shape.width]
        at += shape.width
        joined(order, name, shape.build(part) if part[0] is not None else None)
    return at


def _answer_relations(
    order: Order,
    items: list[OrderItem],
    material_rows: list[Any],
    discount_rows: list[Any],
    link_rows: list[Any],
    shapes: dict[str, ReadShape],
) -> None:
    """The card's prefetched relations: its items (built, or held by the write), and from the
    answer's rows their materials' products, discounts, links."""
    m_shape, p_shape = shapes["material"], shapes["product"]
    material = m_shape.model
    kept: dict[int, list[Any]] = {item.pk: [] for item in items}
    for r in material_rows:
        found = m_shape.build(r)
        joined(found, "product", p_shape.build(r[m_shape.width :]))
        kept[found.item_id].append(found)
    for item in items:
        joined(item, "order", order)
        _kept_as_prefetched(item, "materials", material, kept[item.pk])
    _kept_as_prefetched(order, "items", OrderItem, items)
    discount_shape = shapes["discount"]
    _kept_as_prefetched(order, "discounts", OrderDiscount, [discount_shape.build(row) for row in discount_rows])
    l_shape = shapes["link"]
    both: dict[str, list[Any]] = {"links_out": [], "links_in": []}
    for r in link_rows:
        link = l_shape.build(r)
        outgoing = link.source_id == order.pk
        other = "target" if outgoing else "source"
        joined(link, other, stand_in(Order, id=getattr(link, f"{other}_id"), number=r[l_shape.width]))
        both["links_out" if outgoing else "links_in"].append(link)
    for name, found_links in both.items():
        _kept_as_prefetched(order, name, OrderLink, found_links)
