"""``/orders``: place, list, fetch, transitions, history, payments, edits."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Header, Query, Router, Schema, Status

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.services import customer_find_or_create
from ordo.api import schemas as s
from ordo.api.present import execution_times, order_json
from ordo.api.types import Id, Moment, Text
from ordo.errors import DomainError
from ordo.orders import selectors, services
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Source

router = Router(tags=["orders"])
STAFF = (Role.ADMIN, Role.MANAGER)
ERRORS = {
    400: s.ErrorOut,
    401: s.ErrorOut,
    403: s.ErrorOut,
    404: s.ErrorOut,
    409: s.ErrorOut,
    422: s.ErrorOut,
}


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en")


def _out(request: HttpRequest, number: int) -> dict:
    order = selectors.order_get(request.user, number)
    return order_json(order, actor_for(request.user), _language(request))


def _require_staff(request: HttpRequest) -> None:
    if role_of(request.user) not in STAFF:
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only staff may do this.")


def _customer_for(request: HttpRequest, payload: s.OrderIn) -> Customer:
    if role_of(request.user) == Role.CUSTOMER and isinstance(request.user, User):
        if payload.customer is not None:
            raise DomainError(OrderErrorCode.FORBIDDEN, "Customers place orders for themselves only.")
        customer = Customer.objects.filter(user=request.user).first()
        if customer is None:
            raise DomainError(OrderErrorCode.INVALID_CUSTOMER, "This account has no customer record.")
        return customer
    _require_staff(request)
    if payload.customer is None:
        raise DomainError(OrderErrorCode.INVALID_CUSTOMER, "Name the customer: an id or {email, name, phone, kind}.")
    if isinstance(payload.customer, int):
        found = Customer.objects.filter(pk=payload.customer).first()
        if found is None:
            raise DomainError(OrderErrorCode.INVALID_CUSTOMER, f"Customer {payload.customer} not found.")
        return found
    c = payload.customer
    return customer_find_or_create(email=c.email, name=c.name, phone=c.phone, kind=c.kind)


@router.post("/orders", response={201: s.OrderOut, **ERRORS}, summary="Place an order")
def place_order(
    request: HttpRequest,
    payload: s.OrderIn,
    idempotency_key: Text = Header("", alias="Idempotency-Key", max_length=255),
):
    """Staff enter orders for any customer (phone, chat, e-mail); a customer orders for themselves.
    With an ``Idempotency-Key`` header, a retry returns the order the first request made."""
    actor = actor_for(request.user)
    customer = _customer_for(request, payload)
    body = json.dumps(payload.model_dump(mode="json"), sort_keys=True)
    order = services.order_place(
        actor=actor,
        customer=customer,
        items=[services.ItemInput(**item.model_dump()) for item in payload.items],
        type=payload.type,
        source=Source.API,
        payment_channel=payload.payment_channel,
        notes=payload.notes,
        external_number=payload.external_number,
        partner_code=payload.partner_code,
        delivery_address=payload.delivery_address,
        idempotency_key=idempotency_key,
        request_hash=hashlib.sha256(body.encode()).hexdigest() if idempotency_key else "",
    )
    return Status(201, _out(request, order.number))


class ListQuery(Schema):
    status: Text | None = NinjaField(None, max_length=50)
    payment_status: Text | None = NinjaField(None, max_length=20)
    type: Text | None = NinjaField(None, max_length=30)
    source: Text | None = NinjaField(None, max_length=10)
    manager: Id | None = None
    contractor: Id | None = None
    q: Text | None = NinjaField(None, max_length=200)
    placed_after: Moment | None = None
    placed_before: Moment | None = None
    cursor: Text | None = NinjaField(None, max_length=100)
    limit: int = NinjaField(50, ge=1, le=200)


@router.get("/orders", response={200: s.OrderPage, **ERRORS}, summary="List orders")
def list_orders(request: HttpRequest, query: Query[ListQuery]):
    """The orders the caller may see, newest first; pass ``next_cursor`` back as ``cursor``."""
    filters = selectors.OrderFilters(**query.model_dump(exclude={"cursor", "limit"}))
    try:
        page, next_cursor = selectors.order_list_for(
            request.user, filters=filters, cursor=query.cursor, limit=query.limit
        )
    except ValueError as error:
        return Status(400, {"error": "invalid_cursor", "detail": str(error)})
    actor, language, durations = actor_for(request.user), _language(request), execution_times()
    return {"items": [order_json(o, actor, language, durations) for o in page], "next_cursor": next_cursor}


@router.get("/orders/{number}", response={200: s.OrderOut, **ERRORS}, summary="Fetch an order")
def get_order(request: HttpRequest, number: Id):
    return _out(request, number)


@router.patch("/orders/{number}", response={200: s.OrderOut, **ERRORS}, summary="Edit an order")
def patch_order(request: HttpRequest, number: Id, payload: s.OrderPatch):
    """Staff change the channel, manager, courier, delivery address, external number and notes; a
    customer only the channel, and only while the order is not fully paid. Assigning a courier
    e-mails them (and texts them when SMS is on) a signed link to confirm delivery."""
    changes = payload.model_dump(exclude_unset=True)
    selectors.order_ensure_visible(request.user, number)
    if set(changes) - {"payment_channel"}:
        _require_staff(request)
    for field in ("manager", "contractor", "courier"):
        if field in changes:
            changes[f"{field}_id"] = changes.pop(field)
    services.order_update(
        number=number,
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
        **changes,
    )
    return _out(request, number)


@router.post("/orders/{number}/transitions", response={200: s.OrderOut, **ERRORS}, summary="Fire a transition")
def fire_transition(request: HttpRequest, number: Id, payload: s.TransitionIn):
    """409 when the order is not in a from-status (or no longer in ``expected_status``), 403 when
    the caller's role may not, 422 with ``failed_guards`` naming each guard that does not hold."""
    services.order_transition(
        number=number,
        transition=payload.transition,
        actor=actor_for(request.user),
        expected_status=payload.expected_status,
        comment=payload.comment,
        visible=selectors.orders_visible_to(request.user),
    )
    return _out(request, number)


@router.post(
    "/orders/{number}/items/{item_id}/transitions",
    response={200: s.OrderOut, **ERRORS},
    summary="Fire an item transition",
)
def fire_item_transition(request: HttpRequest, number: Id, item_id: Id, payload: s.TransitionIn):
    services.item_transition(
        number=number,
        item_id=item_id,
        transition=payload.transition,
        actor=actor_for(request.user),
        expected_status=payload.expected_status,
        comment=payload.comment,
        visible=selectors.orders_visible_to(request.user),
    )
    return _out(request, number)


@router.get(
    "/orders/{number}/history",
    response={200: list[s.HistoryRow], **ERRORS},
    summary="Status history",
    by_alias=True,
)
def order_history(request: HttpRequest, number: Id):
    order = selectors.order_get(request.user, number)
    return [
        {
            "at": row.at,
            "item": row.item_id,
            "from": row.from_status or None,
            "to": row.to_status,
            "transition": row.transition,
            "actor": row.actor_name,
            "kind": row.kind,
            "comment": row.comment,
        }
        for row in selectors.history_for(order)
    ]
