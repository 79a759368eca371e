"""``/orders``: place, list, fetch, transitions, history, payments, edits."""

from __future__ import annotations

import hashlib
import json
from functools import partial

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticError

from ordo.accounts.models import Customer
from ordo.accounts.partners import linked_partner
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.services import customer_find_or_create
from ordo.api import schemas as s
from ordo.api.auth import source_of
from ordo.api.present import execution_times, order_json
from ordo.api.render import RENDERER
from ordo.api.types import Id, Moment, Text
from ordo.catalog.materials import MaterialLine, materials_attach
from ordo.catalog.services import catalog_priced
from ordo.db import row_by
from ordo.documents.printfiles import Checked, files_attach, files_check
from ordo.errors import DomainError
from ordo.orders import discounts, links, presenters, selectors, services
from ordo.orders.assignment import contractor_candidates
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.permissions import Action, may, require

router = Router(tags=["orders"])
ERRORS = s.ERRORS


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en")


def _out(request: HttpRequest, number: int, held: Order | None = None) -> dict:
    order = selectors.order_answer(request.user, number, held)
    return order_json(order, actor_for(request.user), _language(request))


def answer(request: HttpRequest, number: int, status: int = 200, *, held: Order | None = None) -> HttpResponse:
    """The order after a write, answered as the route's ``OrderOut`` declares it without
    validating the dict against the schema again: ``order_json`` builds exactly that shape
    (tests/api/test_answer.py holds the two equal for every preset), and the second validation
    cost a fifth of a transition. Rendered by the API's renderer (ninja's JSON one). ``held``:
    the order the write returned, drawn without reading its row again when it holds it as
    written (``selectors.order_answer``)."""
    content = RENDERER.render(request, _out(request, number, held), response_status=status)
    return HttpResponse(content, status=status, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


def _customer_for(request: HttpRequest, payload: s.OrderIn) -> Customer:
    if may(role_of(request.user), Action.PLACE_OWN) and isinstance(request.user, User):
        if payload.customer is not None:
            raise DomainError(OrderErrorCode.FORBIDDEN, "Customers place orders for themselves only.")
        customer = row_by(Customer, "user", request.user.pk)
        if customer is None:
            raise DomainError(OrderErrorCode.INVALID_CUSTOMER, "This account has no customer record.")
        if payload.organization is None:
            return customer
        organization = customer.organizations.filter(pk=payload.organization).first()
        if organization is None:
            raise DomainError(
                OrderErrorCode.INVALID_CUSTOMER, f"Customer {payload.organization} is not one of your organizations."
            )
        return organization
    require(actor_for(request.user), Action.PLACE_FOR_OTHERS)
    if payload.organization is not None:
        raise DomainError(OrderErrorCode.INVALID_CUSTOMER, "Staff name the organization as the customer.")
    if payload.customer is None:
        raise DomainError(OrderErrorCode.INVALID_CUSTOMER, "Name the customer: an id or {email, name, phone, kind}.")
    if isinstance(payload.customer, int):
        found = row_by(Customer, "id", payload.customer)
        if found is None:
            raise DomainError(OrderErrorCode.INVALID_CUSTOMER, f"Customer {payload.customer} not found.")
        return found
    c = payload.customer
    registered_by = request.user if isinstance(request.user, User) else None
    return customer_find_or_create(email=c.email, name=c.name, phone=c.phone, kind=c.kind, registered_by=registered_by)


@router.post("/orders", response={201: s.OrderOut, **ERRORS}, summary="Place an order")
def place_order(
    request: HttpRequest,
    payload: s.OrderIn,
    idempotency_key: Text = Header("", alias="Idempotency-Key", max_length=255),
):
    """Staff enter orders for any customer (phone, chat, e-mail); a customer orders for themselves
    or for one of their organizations. The source is the channel the request came through (an API
    key: ``api`` or ``app``; a browser: ``site`` or, for staff, ``panel``), and the partner is the
    one whose code the order names or whose link the browser came by. With an ``Idempotency-Key``
    header, a retry returns the order the first request made."""
    return _place(request, payload, idempotency_key)


@router.post("/orders/with-files", response={201: s.OrderOut, **ERRORS}, summary="Place an order with print files")
def place_order_with_files(
    request: HttpRequest,
    order: Form[str],
    files: File[list[UploadedFile]],
    idempotency_key: Text = Header("", alias="Idempotency-Key", max_length=255),
):
    """Multipart: ``order`` is the JSON of ``POST /orders``, ``files`` the print files (PDF, PNG,
    JPEG or TIFF by their content; ``ORDO_PRINT_FILE_MAX_MB`` each, ``ORDO_PRINT_FILES_MAX`` in all).
    Everything is checked first: a bad file places nothing. Staff hear of the order once its files
    are zipped (``archive_ready``)."""
    try:
        payload = s.OrderIn.model_validate_json(order)
    except PydanticError as error:
        raise ValidationError([{**e, "loc": ("form", "order", *e["loc"])} for e in error.errors()]) from error
    checked = files_check(files)
    return _place(request, payload, idempotency_key, files=checked)


def _place(
    request: HttpRequest, payload: s.OrderIn, idempotency_key: str, files: list[Checked] | None = None
) -> HttpResponse:
    actor = actor_for(request.user)
    customer = _customer_for(request, payload)
    items = [services.ItemInput(**item.model_dump(exclude={"materials"})) for item in payload.items]
    materials = [[MaterialLine(m.sku, m.quantity) for m in item.materials] for item in payload.items]
    if may(role_of(request.user), Action.PLACE_OWN):
        items = catalog_priced(items, free_lines=services.order_type_spec(payload.type).free_lines)
    order = services.order_place(
        actor=actor,
        customer=customer,
        items=items,
        type=payload.type,
        source=source_of(request),
        payment_channel=payload.payment_channel,
        notes=payload.notes,
        external_number=payload.external_number,
        partner_code=payload.partner_code or _partner_from_link(request),
        delivery_address=payload.delivery_address,
        idempotency_key=idempotency_key,
        request_hash=_request_hash(payload) if idempotency_key else "",
        then=partial(_attach, materials, files or []),
    )
    return answer(request, order.number, 201, held=order)


def _request_hash(payload: s.OrderIn) -> str:
    """What a retry with the same Idempotency-Key must repeat: the request's fields, key order aside."""
    return hashlib.sha256(json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _attach(materials: list[list[MaterialLine]], files: list[Checked], order: Order) -> None:
    """What other parts keep of the new order, in its transaction: materials, print files."""
    if any(materials):
        for item, lines in zip(order.items.order_by("id"), materials, strict=True):
            if lines:
                materials_attach(item, lines)
    if files:
        files_attach(order, files)


def _partner_from_link(request: HttpRequest) -> str:
    """The partner code a browser picked up from a partner link, if it still names an active partner."""
    if getattr(request, "ordo_token", None) is not None:
        return ""
    return linked_partner(request)


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
    return answer(request, number)


@router.patch("/orders/{number}", response={200: s.OrderOut, **ERRORS}, summary="Edit an order")
def patch_order(request: HttpRequest, number: Id, payload: s.OrderPatch):
    """Staff change the channel, manager, courier, delivery address, external number and notes; a
    customer only the channel, and only while the order is not fully paid. Assigning a courier
    e-mails them (and texts them when SMS is on) a signed link to confirm delivery."""
    changes = payload.model_dump(exclude_unset=True)
    for field in ("manager", "contractor", "courier"):
        if field in changes:
            changes[f"{field}_id"] = changes.pop(field)
    services.order_update(
        number=number,
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
        **changes,
    )
    return answer(request, number)


@router.post("/orders/{number}/transitions", response={200: s.OrderOut, **ERRORS}, summary="Fire a transition")
def fire_transition(request: HttpRequest, number: Id, payload: s.TransitionIn):
    """409 when the order is not in a from-status (or no longer in ``expected_status``), 403 when
    the caller's role may not, 422 with ``failed_guards`` naming each guard that does not hold."""
    written = services.order_transition(
        number=number,
        transition=payload.transition,
        actor=actor_for(request.user),
        expected_status=payload.expected_status,
        comment=payload.comment,
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number, held=written)


@router.post(
    "/orders/{number}/items/{item_id}/transitions",
    response={200: s.OrderOut, **ERRORS},
    summary="Fire an item transition",
)
def fire_item_transition(request: HttpRequest, number: Id, item_id: Id, payload: s.TransitionIn):
    written = services.item_transition(
        number=number,
        item_id=item_id,
        transition=payload.transition,
        actor=actor_for(request.user),
        expected_status=payload.expected_status,
        comment=payload.comment,
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number, held=written)


@router.get(
    "/orders/{number}/history",
    response={200: list[s.HistoryRow], **ERRORS},
    summary="Status history",
    by_alias=True,
)
def order_history(request: HttpRequest, number: Id):
    """Every status change, oldest first. Staff see who made it and their comment; a customer
    sees the statuses and when they changed (the same as the portal and the tracking page)."""
    order = selectors.order_get(request.user, number)
    return presenters.history_rows(order, internal=may(role_of(request.user), Action.READ_INTERNAL))


@router.get(
    "/orders/{number}/contractor-candidates",
    response={200: list[s.CandidateOut], **ERRORS},
    summary="Contractors who take every item",
)
def order_contractor_candidates(request: HttpRequest, number: Id):
    """The active contractors whose products cover every item of the order, to choose from when
    auto-assignment found none or several."""
    order = selectors.order_get(request.user, number)
    require(actor_for(request.user), Action.ASSIGN)
    return [
        {
            "id": c.user_id,
            "username": c.username,
            "name": c.name,
            "skus": list(c.skus),
            "categories": list(c.categories),
            "assigned": c.user_id == order.contractor_id,
        }
        for c in contractor_candidates(order.items.all())
    ]


@router.post("/orders/{number}/links", response={201: s.LinkCreated, **ERRORS}, summary="Link or derive an order")
def create_link(request: HttpRequest, number: Id, payload: s.LinkIn):
    """``duplicate``: a new order with the same items (or the chosen ``items``), linked.
    ``split``: the chosen ``items`` move to a new linked order in the same status; goods, discounts,
    fees and paid money are shared out so the two add up to the one. ``subcontract``: a work order
    for a ``contractor`` with copies of the items (or the chosen ones). ``manual``: link to another
    ``order`` with a ``reason`` (e.g. ship together). Staff only."""
    visible = selectors.orders_visible_to(request.user)
    link = links.order_link_create(
        number=number,
        kind=payload.kind,
        actor=actor_for(request.user),
        source=source_of(request),
        items=payload.items,
        other=payload.order,
        reason=payload.reason,
        contractor_id=payload.contractor,
        visible=visible,
    )
    order = _out(request, number)
    made = next(item for item in order["links"] if item["id"] == link.pk)
    return Status(201, {"link": made, "order": order})


@router.delete("/orders/{number}/links/{link_id}", response={200: s.OrderOut, **ERRORS}, summary="Remove a manual link")
def delete_link(request: HttpRequest, number: Id, link_id: Id):
    links.order_link_remove(
        number=number, link_id=link_id, actor=actor_for(request.user), visible=selectors.orders_visible_to(request.user)
    )
    return answer(request, number)


@router.post("/orders/{number}/discounts", response={201: s.OrderOut, **ERRORS}, summary="Apply a discount")
def add_discount(request: HttpRequest, number: Id, payload: s.DiscountIn):
    """A named discount: an ``amount`` or a ``percent`` of the goods, with a reason. Prices change
    only while the order is not fully paid and not closed (else 409 ``prices_locked``)."""
    discounts.discount_add(
        number=number,
        actor=actor_for(request.user),
        name=payload.name,
        kind=payload.kind,
        value=payload.value,
        reason=payload.reason,
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number, 201)


@router.delete(
    "/orders/{number}/discounts/{discount_id}", response={200: s.OrderOut, **ERRORS}, summary="Remove a discount"
)
def remove_discount(request: HttpRequest, number: Id, discount_id: Id):
    discounts.discount_remove(
        number=number,
        discount_id=discount_id,
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number)
