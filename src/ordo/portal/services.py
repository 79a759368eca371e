"""The portal's shop: the cart a shopper keeps, and checkout, which turns it into an order through
the same ``order_place`` the API and the desk call."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ordo.accounts.models import Customer
from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.models import Product
from ordo.catalog.services import catalog_priced
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderType, Source
from ordo.orders.services import ItemInput, order_place
from ordo.payments.channels import usable
from ordo.payments.models import PaymentChannel
from ordo.portal.models import Cart
from ordo.workflow.snapshot import Actor

#: Bounds of one cart: lines, and units of one line.
MAX_LINES = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    target: str = ""


def cart_for(*, customer: Customer | None, key: str = "") -> tuple[list[CartLine], str]:
    """The shopper's cart lines and the key of a guest's cart (made when ``key`` names none)."""
    if customer is not None:
        cart = Cart.objects.filter(customer=customer).first()
        return (_lines(cart.lines) if cart else []), ""
    cart = Cart.objects.filter(key=key, customer=None).first() if key else None
    return (_lines(cart.lines) if cart else []), key


def _lines(raw: Any) -> list[CartLine]:
    found = []
    for entry in raw if isinstance(raw, list) else []:
        try:
            found.append(CartLine(str(entry["sku"]), int(entry["quantity"]), str(entry.get("target", ""))))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def cart_save(*, customer: Customer | None, key: str, lines: list[CartLine]) -> str:
    """Keep ``lines`` as the shopper's cart; returns the guest cart's key (a new random one the
    first time), or "" for a customer's. Lines of unknown or retired products are dropped,
    quantities are kept within 1…999 and a line of quantity 0 leaves."""
    skus = [line.sku for line in lines]
    on_sale = set(Product.objects.filter(sku__in=skus, active=True).values_list("sku", flat=True))
    kept: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.sku in on_sale and line.quantity > 0:
            slot = (line.sku, line.target.strip()[:500])
            kept[slot] = min(kept.get(slot, 0) + line.quantity, MAX_QUANTITY)
    raw = [{"sku": sku, "quantity": qty, "target": target} for (sku, target), qty in list(kept.items())[:MAX_LINES]]
    if customer is not None:
        Cart.objects.update_or_create(customer=customer, defaults={"lines": raw, "key": _key_of(customer)})
        return ""
    if not key or not Cart.objects.filter(key=key, customer=None).exists():
        key = secrets.token_urlsafe(24)
        Cart.objects.create(key=key, lines=raw)
    else:
        Cart.objects.filter(key=key, customer=None).update(lines=raw)
    return key


def _key_of(customer: Customer) -> str:
    """A customer's cart is found by the customer; its key only has to be unique."""
    return f"customer-{customer.pk}"


def cart_add(*, customer: Customer | None, key: str, sku: str, quantity: int = 1, target: str = "") -> str:
    """Put ``quantity`` of a product on sale into the cart (added to what is there)."""
    if not Product.objects.filter(sku=sku, active=True).exists():
        raise DomainError(CatalogErrorCode.UNKNOWN_PRODUCT, f"No product is sold under {sku!r}.")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(OrderErrorCode.INVALID_ITEMS, f"Quantities go from 1 to {MAX_QUANTITY}.")
    lines, key = cart_for(customer=customer, key=key)
    return cart_save(customer=customer, key=key, lines=[*lines, CartLine(sku, quantity, target)])


def cart_empty(*, customer: Customer | None, key: str) -> None:
    """The cart once its order is placed."""
    if customer is not None:
        Cart.objects.filter(customer=customer).update(lines=[])
    elif key:
        Cart.objects.filter(key=key, customer=None).delete()


def cart_merge(*, customer: Customer, key: str) -> None:
    """A guest who signs in keeps what they put in the cart: it joins the customer's cart."""
    if not key:
        return
    guest, _ = cart_for(customer=None, key=key)
    if not guest:
        return
    mine, _ = cart_for(customer=customer)
    with transaction.atomic():
        cart_save(customer=customer, key="", lines=[*mine, *guest])
        Cart.objects.filter(key=key, customer=None).delete()


@dataclass(frozen=True)
class Checkout:
    """What the checkout form sends, beyond who the customer is."""

    lines: list[CartLine]
    type: str = "regular"
    shipping: str = ""
    place: str = ""
    address: str = ""
    planned_date: date | None = None
    services: tuple[str, ...] = ()
    channel: str = ""
    notes: str = ""


def shop_types() -> list[OrderType]:
    """The order types customers order in the shop (those with checkout settings)."""
    return [t for t in OrderType.objects.order_by("code") if t.checkout]


def shop_channels(*, guest: bool) -> list[PaymentChannel]:
    """Payment channels a shopper may choose now: enabled, usable (a card only with its gateway
    configured) and, for a guest, not the wallet (it needs an account)."""
    channels = PaymentChannel.objects.filter(enabled=True).order_by("position", "code")
    return [c for c in channels if usable(c) and not (guest and c.gateway == PaymentChannel.Gateway.WALLET)]


def _invalid(message: str, **details: Any) -> DomainError:
    return DomainError(OrderErrorCode.INVALID_CHECKOUT, message, **details)


def checkout_check(order_type: OrderType, checkout: Checkout, *, guest: bool, today: date) -> dict[str, str]:
    """Refuse what the type's checkout settings do not offer; returns what the order keeps of
    the choices (``shipping``, ``place``, ``planned_date``)."""
    settings = order_type.checkout
    if not settings:
        raise _invalid(f"Orders of type {order_type.code!r} are not placed in the shop.")
    if guest and not settings.get("guests"):
        raise _invalid("Sign in to place this order.", field="account")
    if not checkout.lines:
        raise _invalid("The cart is empty.", field="items")
    if settings.get("targets") and any(not line.target.strip() for line in checkout.lines):
        raise _invalid("Each line needs the link it is for.", field="target")
    kept: dict[str, str] = {}
    options = {o["code"]: o for o in settings.get("shipping", [])}
    if options:
        option = options.get(checkout.shipping)
        if option is None:
            raise _invalid("Choose how to receive the order.", field="shipping")
        kept["shipping"] = checkout.shipping
        places = {p["code"] for p in option.get("places", [])}
        if places:
            if checkout.place not in places:
                raise _invalid("Choose the place.", field="place")
            kept["place"] = checkout.place
        if option.get("address") and not checkout.address.strip():
            raise _invalid("Give the delivery address.", field="address")
    if checkout.planned_date is not None:
        if not settings.get("planned_date"):
            raise _invalid("This order takes no planned date.", field="planned_date")
        if checkout.planned_date < today:
            raise _invalid("The planned date is in the past.", field="planned_date")
        kept["planned_date"] = checkout.planned_date.isoformat()
    unknown = sorted(set(checkout.services) - set(settings.get("services", [])))
    if unknown:
        raise _invalid(f"Not offered: {', '.join(unknown)}.", field="services")
    if checkout.channel and checkout.channel not in {c.code for c in shop_channels(guest=guest)}:
        raise _invalid("Choose one of the payment channels offered.", field="channel")
    return kept


def checkout_place(
    *, actor: Actor, customer: Customer, checkout: Checkout, guest: bool, today: date, partner_code: str = ""
) -> Order:
    """Place the order a shopper checked out: catalogue lines at the catalogue's price, the
    services chosen, the address only where the shipping option takes one."""
    order_type = OrderType.objects.filter(code=checkout.type).first()
    if order_type is None:
        raise DomainError(OrderErrorCode.UNKNOWN_TYPE, f"Unknown order type {checkout.type!r}.")
    kept = checkout_check(order_type, checkout, guest=guest, today=today)
    wanted = [ItemInput(line.sku, "", line.quantity, Decimal(0), target=line.target.strip()) for line in checkout.lines]
    wanted += [ItemInput(sku, "", 1, Decimal(0)) for sku in checkout.services]
    items = catalog_priced(wanted)
    option = next((o for o in order_type.checkout.get("shipping", []) if o["code"] == kept.get("shipping")), None)
    address = checkout.address.strip() if option is not None and option.get("address") else ""
    return order_place(
        actor=actor,
        customer=customer,
        items=items,
        type=order_type.code,
        source=Source.SITE,
        payment_channel=checkout.channel,
        notes=checkout.notes.strip(),
        delivery_address=address if order_type.delivery else "",
        checkout=kept,
        partner_code=partner_code,
    )
