"""People: customers and their organizations, partners, API tokens, discount tiers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from ordo.accounts import services as accounts
from ordo.accounts.errors import AccountErrorCode
from ordo.accounts.models import ApiToken, Customer, Partner, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.selectors import customers_matching
from ordo.api import schemas as s
from ordo.api.present import user_ref
from ordo.api.types import Id, Text
from ordo.errors import DomainError
from ordo.orders.discounts import TierInput, discount_tiers_replace
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import DiscountTier
from ordo.orders.permissions import Action, may, require
from ordo.orders.pricing import standing
from ordo.orders.selectors import customer_ids_of, customers_visible_to

router = Router(tags=["people"])
ERRORS = s.ERRORS
STAFF = (Role.ADMIN, Role.MANAGER)


def _require(request: HttpRequest, *roles: str) -> None:
    if role_of(request.user) not in roles:
        raise DomainError(OrderErrorCode.FORBIDDEN, "Your role may not do this.")


def _me(request: HttpRequest) -> User:
    """The caller, who is authenticated: every route here needs a token or a session."""
    assert isinstance(request.user, User)
    return request.user


def _tier(tier: DiscountTier | None) -> dict[str, Any] | None:
    return None if tier is None else {"name": tier.name, "percent": tier.percent, "threshold": tier.threshold}


def _ref(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "kind": customer.kind, "name": customer.name}


def _detail(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "tax_id": customer.tax_id,
        "address": customer.address,
        "language": customer.language,
        "registered_by": user_ref(customer.registered_by),
        "organizations": [_ref(c) for c in customer.organizations.order_by("name")],
        "members": [_ref(c) for c in customer.members.order_by("name")],
        "standing": [
            {"currency": st.currency, "paid": st.paid, "tier": _tier(st.tier), "next_tier": _tier(st.next_tier)}
            for st in standing(customer.pk)
        ],
    }


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    """A customer the caller may see: staff any, a customer themselves and their organizations."""
    role = role_of(request.user)
    if may(role, Action.READ_CUSTOMERS):
        found = customers_visible_to(request.user).select_related("registered_by").filter(pk=customer_id).first()
    elif role == Role.CUSTOMER and isinstance(request.user, User) and customer_id in customer_ids_of(request.user):
        found = Customer.objects.select_related("registered_by").filter(pk=customer_id).first()
    else:
        found = None
    if found is None:
        raise DomainError(AccountErrorCode.UNKNOWN_CUSTOMER, f"Customer {customer_id} not found.")
    return found


class CustomerQuery(Schema):
    q: Text | None = NinjaField(None, max_length=200)
    kind: Text | None = NinjaField(None, max_length=20)
    limit: int = NinjaField(50, ge=1, le=200)


@router.get("/customers", response={200: list[s.CustomerRef], **ERRORS}, summary="Find customers")
def list_customers(request: HttpRequest, query: Query[CustomerQuery]):
    """Staff look customers up by name, e-mail or phone (e.g. a customer on the phone)."""
    require(actor_for(request.user), Action.READ_CUSTOMERS)
    customers = customers_visible_to(request.user)
    if query.q:
        customers = customers.filter(pk__in=customers_matching(query.q).values("id"))
    customers = customers.order_by("name", "id")
    if query.kind:
        customers = customers.filter(kind=query.kind)
    return [_ref(c) for c in customers[: query.limit]]


@router.post("/customers", response={201: s.CustomerDetail, **ERRORS}, summary="Register a customer")
def create_customer(request: HttpRequest, payload: s.CustomerCreate):
    """The registering employee becomes the manager of the customer's orders (when that setting is on)."""
    require(actor_for(request.user), Action.EDIT_CUSTOMERS)
    registered_by = request.user if isinstance(request.user, User) else None
    customer = accounts.customer_create(**payload.model_dump(), registered_by=registered_by)
    return Status(201, _detail(customer))


@router.get("/customers/me", response={200: s.CustomerDetail, **ERRORS}, summary="My customer record")
def my_customer(request: HttpRequest):
    """A customer's own record: organizations, cumulative paid sum and discount tier."""
    _require(request, Role.CUSTOMER)
    customer = Customer.objects.filter(user=_me(request)).first()
    if customer is None:
        raise DomainError(AccountErrorCode.UNKNOWN_CUSTOMER, "This account has no customer record.")
    return _detail(customer)


@router.get("/customers/{customer_id}", response={200: s.CustomerDetail, **ERRORS}, summary="Fetch a customer")
def get_customer(request: HttpRequest, customer_id: Id):
    return _detail(_customer(request, customer_id))


@router.post("/customers/{customer_id}/members", response={200: s.CustomerDetail, **ERRORS}, summary="Add a member")
def add_member(request: HttpRequest, customer_id: Id, payload: s.MemberIn):
    """Let a person order for this organization and see its orders."""
    require(actor_for(request.user), Action.EDIT_CUSTOMERS)
    organization = _customer(request, customer_id)
    accounts.member_add(organization=organization, person=_customer(request, payload.person))
    return _detail(organization)


@router.delete(
    "/customers/{customer_id}/members/{person_id}",
    response={200: s.CustomerDetail, **ERRORS},
    summary="Remove a member",
)
def remove_member(request: HttpRequest, customer_id: Id, person_id: Id):
    require(actor_for(request.user), Action.EDIT_CUSTOMERS)
    organization = _customer(request, customer_id)
    accounts.member_remove(organization=organization, person=_customer(request, person_id))
    return _detail(organization)


def _partner(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "code": partner.code,
        "name": partner.name,
        "email": partner.email,
        "active": partner.active,
        "link": f"{settings.ORDO_PUBLIC_URL}/p/{partner.code}",
    }


@router.get("/partners", response={200: list[s.PartnerOut], **ERRORS}, summary="List partners")
def list_partners(request: HttpRequest):
    _require(request, *STAFF)
    return [_partner(p) for p in Partner.objects.order_by("code")]


@router.post("/partners", response={201: s.PartnerOut, **ERRORS}, summary="Add a partner")
def create_partner(request: HttpRequest, payload: s.PartnerIn):
    """A partner's code goes with orders (``partner_code``); their link ``/p/<code>`` sets it in
    the browser that follows it."""
    _require(request, Role.ADMIN)
    user = None
    if payload.user is not None:
        user = User.objects.filter(pk=payload.user).first()
        if user is None:
            raise DomainError(AccountErrorCode.INVALID_PARTNER, f"User {payload.user} not found.")
    partner = accounts.partner_create(code=payload.code, name=payload.name, email=payload.email, user=user)
    return Status(201, _partner(partner))


def _token(token: ApiToken, key: str | None = None) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "source": token.source,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "key": key,
    }


@router.get("/tokens", response={200: list[s.TokenOut], **ERRORS}, summary="My API tokens")
def list_tokens(request: HttpRequest):
    return [_token(t) for t in ApiToken.objects.filter(user=_me(request)).order_by("-id")]


@router.post("/tokens", response={201: s.TokenOut, **ERRORS}, summary="Make an API token")
def create_token(request: HttpRequest, payload: s.TokenIn):
    """The key is in this response only; Ordo keeps its SHA-256."""
    token, key = accounts.token_issue(user=_me(request), name=payload.name, source=payload.source)
    return Status(201, _token(token, key))


@router.delete("/tokens/{token_id}", response={200: s.TokenOut, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: Id):
    """Your own tokens; admins any. The token stops working at once."""
    tokens = ApiToken.objects.all()
    if role_of(request.user) != Role.ADMIN:
        tokens = tokens.filter(user=_me(request))
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise DomainError(AccountErrorCode.UNKNOWN_TOKEN, f"Token {token_id} not found.")
    accounts.token_revoke(token)
    return _token(token)


@router.get("/discount-tiers", response={200: list[s.TierOut], **ERRORS}, summary="Discount tiers")
def list_tiers(request: HttpRequest):
    _require(request, *STAFF)
    return list(DiscountTier.objects.order_by("currency", "threshold"))


@router.put("/discount-tiers", response={200: list[s.TierOut], **ERRORS}, summary="Replace the discount tiers")
def replace_tiers(request: HttpRequest, payload: s.TiersIn):
    """Admins set the whole ladder: customers whose paid orders reach a threshold get its percent
    off new orders. Orders placed before keep their discounts."""
    _require(request, Role.ADMIN)
    discount_tiers_replace([TierInput(**t.model_dump()) for t in payload.tiers])
    return list(DiscountTier.objects.order_by("currency", "threshold"))
