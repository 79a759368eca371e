"""The portal's shop: the catalogue, the cart and checkout, for customers and (where the preset
allows) guests. Prices, stock and what may be ordered come from the catalogue each time; the order
is placed by ``portal.services.checkout_place``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ordo.accounts.models import Customer, Role
from ordo.accounts.partners import linked_partner
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.services import customer_find_or_create
from ordo.catalog.alerts import alert_subscribe
from ordo.catalog.models import Product
from ordo.catalog.selectors import product_find, products_matching
from ordo.errors import DomainError
from ordo.money import money_text
from ordo.orders.models import OrderType
from ordo.orders.pricing import percent_of, tier_reached
from ordo.portal import services
from ordo.portal.forms import CheckoutForm
from ordo.portal.throttle import client_address, hit, looks_automated
from ordo.text import whole_number
from ordo.web.labels import error_message
from ordo.web.pages import STAFF, language, refused
from ordo.workflow.definition import label_for
from ordo.workflow.snapshot import Actor

PAGE = 24
#: The guest cart's key in the browser's session.
CART_KEY = "ordo_cart"


@dataclass(frozen=True)
class Shelf:
    """A product as the shop shows it: the price this shopper pays and whether it is in stock."""

    product: Product
    price: Decimal
    list_price: Decimal
    in_stock: bool
    free: int | None


def _customer(request: HttpRequest) -> Customer | None:
    if role_of(request.user) != Role.CUSTOMER:
        return None
    return Customer.objects.filter(user_id=request.user.pk or 0).first()


def _shop_type() -> OrderType | None:
    """The order type the shop sells (the first with checkout settings: ``regular`` in every preset)."""
    types = services.shop_types()
    return next((t for t in types if t.code == "regular"), types[0] if types else None)


def _percent(customer: Customer | None, currency: str) -> Decimal:
    """The customer's discount tier, applied to every price they see."""
    tier = tier_reached(customer.pk, currency) if customer is not None else None
    return tier.percent if tier is not None else Decimal(0)


def _shelf(product: Product, percent: Decimal, free: int | None) -> Shelf:
    price = product.price - percent_of(product.price, percent) if percent else product.price
    return Shelf(product, price, product.price, free is None or free > 0, free)


def _cart(request: HttpRequest) -> tuple[Customer | None, list[services.CartLine], str]:
    customer = _customer(request)
    key = request.session.get(CART_KEY, "") if customer is None else ""
    if customer is not None and request.session.get(CART_KEY):
        # What a guest put in the cart before signing in joins the account's cart.
        services.cart_merge(customer=customer, key=request.session.pop(CART_KEY))
    lines, key = services.cart_for(customer=customer, key=key)
    return customer, lines, key


def _staff_away(request: HttpRequest) -> HttpResponse | None:
    return redirect("desk:orders") if role_of(request.user) in STAFF else None


def catalogue(request: HttpRequest) -> HttpResponse:
    if (away := _staff_away(request)) is not None:
        return away
    order_type = _shop_type()
    customer, lines, _key = _cart(request)
    text = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "").strip()[:64]
    found = products_matching(text)
    hidden = order_type.checkout.get("services", []) if order_type else []
    found = found.exclude(sku__in=hidden)
    if category:
        found = found.filter(category=category)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    currency = order_type.currency if order_type else "EUR"
    percent = _percent(customer, currency)
    categories = (
        Product.objects.filter(active=True)
        .exclude(category="")
        .exclude(sku__in=hidden)
        .values_list("category", flat=True)
    )
    return render(
        request,
        "portal/shop.html",
        {
            "title": _("Shop"),
            "nav": "shop",
            "order_type": order_type,
            "shelves": [_shelf(p, percent, getattr(p, "free", None)) for p in page],
            "page": page,
            "text": text,
            "category": category,
            "categories": sorted(set(categories)),
            "currency": currency,
            "percent": percent,
            "targets": bool(order_type and order_type.checkout.get("targets")),
            "in_cart": sum(line.quantity for line in lines),
            "guest": customer is None,
            "guests_welcome": bool(order_type and order_type.checkout.get("guests")),
        },
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    if (away := _staff_away(request)) is not None:
        return away
    customer, _lines, key = _cart(request)
    quantity = whole_number(request.POST.get("quantity", "1")) or 0
    try:
        key = services.cart_add(
            customer=customer,
            key=key,
            sku=request.POST.get("sku", ""),
            quantity=quantity,
            target=request.POST.get("target", "")[:500],
        )
    except DomainError as error:
        refused(request, error)
    else:
        if customer is None:
            request.session[CART_KEY] = key
        messages.success(request, _("Added to the cart."))
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/shop") else "portal:shop")


def cart(request: HttpRequest) -> HttpResponse:
    if (away := _staff_away(request)) is not None:
        return away
    customer, lines, key = _cart(request)
    if request.method == "POST":
        edited = []
        for index, line in enumerate(lines):
            if request.POST.get(f"remove:{index}"):
                continue
            quantity = whole_number(request.POST.get(f"qty:{index}", "")) or line.quantity
            target = request.POST.get(f"target:{index}", line.target)[:500]
            edited.append(services.CartLine(line.sku, max(0, min(quantity, services.MAX_QUANTITY)), target))
        key = services.cart_save(customer=customer, key=key, lines=edited)
        if customer is None:
            request.session[CART_KEY] = key
        messages.success(request, _("The cart is saved."))
        return redirect("portal:cart")
    return render(request, "portal/cart.html", {"title": _("Cart"), "nav": "cart", **_cart_view(customer, lines)})


def _cart_view(customer: Customer | None, lines: list[services.CartLine]) -> dict:
    order_type = _shop_type()
    currency = order_type.currency if order_type else "EUR"
    percent = _percent(customer, currency)
    products = {p.sku: p for p in products_matching("").filter(sku__in=[line.sku for line in lines])}
    rows = []
    total = Decimal("0.00")
    for index, line in enumerate(lines):
        product = products.get(line.sku)
        if product is None:
            continue
        shelf = _shelf(product, percent, getattr(product, "free", None))
        rows.append({"index": index, "line": line, "shelf": shelf, "sum": shelf.price * line.quantity})
        total += shelf.price * line.quantity
    return {
        "rows": rows,
        "total": total,
        "currency": currency,
        "percent": percent,
        "order_type": order_type,
        "targets": bool(order_type and order_type.checkout.get("targets")),
    }


def _form(request: HttpRequest, order_type: OrderType, *, guest: bool) -> CheckoutForm:
    lang = language()
    channels = [(c.code, label_for(c.labels, lang, c.code)) for c in services.shop_channels(guest=guest)]
    offered = Product.objects.filter(sku__in=order_type.checkout.get("services", []), active=True)
    extras = [(p.sku, f"{p.name} — {money_text(p.price, order_type.currency, lang)}") for p in offered]
    return CheckoutForm(
        request.POST or None,
        settings=order_type.checkout,
        channels=channels,
        services=extras,
        guest=guest,
        lang=lang,
    )


#: What to say beside a field the checkout refused.
FIELD_REASONS = {
    "shipping": gettext_lazy("Choose how to receive the order."),
    "place": gettext_lazy("Choose the pickup place."),
    "address": gettext_lazy("Give the delivery address."),
    "planned_date": gettext_lazy("The planned date cannot be in the past."),
    "target": gettext_lazy("Give the link each service is for (in the cart)."),
    "channel": gettext_lazy("Choose one of the payment channels offered."),
}


def checkout(request: HttpRequest) -> HttpResponse:
    if (away := _staff_away(request)) is not None:
        return away
    customer, lines, key = _cart(request)
    order_type = _shop_type()
    if order_type is None or not lines:
        messages.info(request, _("The cart is empty: choose something in the shop first."))
        return redirect("portal:shop")
    guest = customer is None
    if guest and not order_type.checkout.get("guests"):
        messages.info(request, _("Sign in or create an account to place the order: your cart is kept."))
        return redirect(f"{settings.LOGIN_URL}?next=/shop/checkout")
    form = _form(request, order_type, guest=guest)
    if request.method == "POST" and form.is_valid():
        within = _within_limits(request, form.cleaned_data.get("email", ""))  # a bot's try counts too
        if looks_automated(request) or not within:
            form.add_error(None, _("Too many orders from here in a short time. Please try again in an hour."))
        else:
            placed = _place(request, form, order_type, customer, lines, key)
            if placed is not None:
                return placed
    return render(
        request,
        "portal/checkout.html",
        {"title": _("Checkout"), "nav": "cart", "form": form, "guest": guest, **_cart_view(customer, lines)},
    )


def _within_limits(request: HttpRequest, email: str) -> bool:
    """Guests' orders are limited per address and per e-mail (a customer's by their account)."""
    limit = settings.ORDO_PUBLIC_FORM_LIMIT
    if not request.user.is_authenticated:
        return hit(f"checkout:ip:{client_address(request)}", limit=limit) and (
            not email or hit(f"checkout:email:{email.lower()}", limit=limit)
        )
    return hit(f"checkout:user:{request.user.pk}", limit=limit)


def _place(
    request: HttpRequest,
    form: CheckoutForm,
    order_type: OrderType,
    customer: Customer | None,
    lines: list[services.CartLine],
    key: str,
) -> HttpResponse | None:
    data = form.cleaned_data
    guest = customer is None
    chosen = services.Checkout(
        lines=lines,
        type=order_type.code,
        shipping=data.get("shipping", ""),
        place=data.get("place", ""),
        address=data.get("address", ""),
        planned_date=data.get("planned_date"),
        services=tuple(data.get("services", [])),
        channel=data.get("channel", ""),
        notes=data.get("notes", ""),
    )
    try:
        if guest:
            customer = customer_find_or_create(email=data["email"], name=data["name"], phone=data.get("phone", ""))
            if not customer.language:
                Customer.objects.filter(pk=customer.pk).update(language=language())
            actor = Actor(role=Role.CUSTOMER, name=data["name"][:150])
        else:
            actor = actor_for(request.user)
        assert customer is not None
        order = services.checkout_place(
            actor=actor,
            customer=customer,
            checkout=chosen,
            guest=guest,
            today=timezone.localdate(),
            partner_code=linked_partner(request),
        )
    except DomainError as error:
        field = str(error.details.get("field", ""))
        if field in FIELD_REASONS:
            form.add_error(field if field in form.fields else None, str(FIELD_REASONS[field]))
        else:
            form.add_error(None, error_message(str(error.code), error.message, error.details))
        return None
    services.cart_empty(customer=None if guest else customer, key=key)
    request.session.pop(CART_KEY, None)
    if guest:
        messages.success(
            request,
            _("Thank you! Order %(number)s is placed. We have e-mailed you its link: this page is it.")
            % {"number": order.number},
        )
        return redirect("portal:track", token=order.tracking_token)
    messages.success(request, _("Thank you! Order %(number)s is placed.") % {"number": order.number})
    return redirect("portal:order", number=order.number)


@require_POST
def stock_alert(request: HttpRequest) -> HttpResponse:
    """ "Tell me when it's back" from the shop, for customers and guests alike."""
    customer = _customer(request)
    email = customer.email if customer is not None else request.POST.get("email", "")
    if looks_automated(request) or not hit(
        f"alert:ip:{client_address(request)}", limit=settings.ORDO_PUBLIC_FORM_LIMIT
    ):
        messages.error(request, _("Too many requests from here in a short time. Please try again in an hour."))
        return redirect("portal:shop")
    try:
        alert_subscribe(
            product=product_find(request.POST.get("sku", "")), email=email, customer=customer, language=language()
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("We will e-mail you once when it is back."))
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/shop") else "portal:shop")
