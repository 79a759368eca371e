"""The desk's directories: customers (list and profile), products with their stock (receipts,
counts, the CSV import) and couriers ("add courier"). Each page takes the one permission rule's
action; lists start from the visibility rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, F, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.roles import role_of
from ordo.accounts.selectors import customers_matching
from ordo.accounts.services import EDITABLE, customer_update
from ordo.catalog.models import Location, Product, Stock
from ordo.catalog.selectors import products_matching
from ordo.catalog.services import catalog_import, product_create, stock_receive, stock_set
from ordo.delivery.models import Courier
from ordo.delivery.services import courier_create, courier_set_active
from ordo.desk.card import for_action
from ordo.documents.models import Document
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.permissions import Action, allowed
from ordo.payments.wallet import wallet_balances, wallet_entries
from ordo.text import whole_number
from ordo.web.labels import DOCUMENT_KIND
from ordo.web.orders import status_label
from ordo.web.pages import language, not_found, parse_amount, refused

PAGE = 50
LANGUAGES = [("", "—"), ("en", "English"), ("ru", "Русский"), ("pl", "Polski"), ("fi", "Suomi")]


def _page(request: HttpRequest) -> int:
    return max(whole_number(request.GET.get("page")) or 1, 1)


# -- customers --------------------------------------------------------------------------------------


@for_action(Action.READ_CUSTOMERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    customers = selectors.customers_visible_to(request.user)
    if text:
        customers = customers.filter(pk__in=customers_matching(text).values("id"))
    page = _page(request)
    rows = list(
        customers.annotate(order_count=Count("orders"), last_order=Max("orders__placed_at")).order_by("name", "id")[
            (page - 1) * PAGE : page * PAGE + 1
        ]
    )
    return render(
        request,
        "desk/customers.html",
        {
            "title": _("Customers"),
            "nav": "customers",
            "customers": rows[:PAGE],
            "text": text,
            "page": page,
            "more": len(rows) > PAGE,
        },
    )


def _customer_context(request: HttpRequest, customer_id: int) -> dict[str, Any] | None:
    customer = (
        selectors.customers_visible_to(request.user)
        .select_related("registered_by", "manager", "user")
        .filter(pk=customer_id)
    ).first()
    if customer is None:
        return None
    can = allowed(role_of(request.user))
    visible = selectors.orders_visible_to(request.user).filter(customer=customer)
    lang = language()
    orders = list(visible.select_related("workflow").defer("workflow__definition").order_by("-id")[:50])
    return {
        "title": customer.name,
        "nav": "customers",
        "customer": customer,
        "can": can,
        "orders": [(order, status_label(order, lang)) for order in orders],
        "order_count": visible.count(),
        "organizations": list(customer.organizations.order_by("name")),
        "members": list(customer.members.order_by("name")),
        "balances": wallet_balances(customer.pk) if can[Action.READ_WALLETS] else {},
        "wallet": list(wallet_entries(customer.pk)[:50]) if can[Action.READ_WALLETS] else [],
        "documents": [
            (document, DOCUMENT_KIND.get(document.kind, document.kind))
            for document in Document.objects.filter(order__in=visible)
            .select_related("order")
            .defer("pdf")
            .order_by("-issued_at")[:50]
        ]
        if can[Action.READ_DOCUMENTS]
        else [],
        "message_languages": LANGUAGES,
    }


@for_action(Action.READ_CUSTOMERS)
def customer_profile(request: HttpRequest, customer_id: int) -> HttpResponse:
    context = _customer_context(request, customer_id)
    if context is None:
        return not_found(request)
    return render(request, "desk/customer.html", context)


@require_POST
@for_action(Action.EDIT_CUSTOMERS)
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    if not selectors.customers_visible_to(request.user).filter(pk=customer_id).exists():
        return not_found(request)
    changes = {name: request.POST[name] for name in EDITABLE if name in request.POST}
    try:
        _customer, changed = customer_update(customer_id=customer_id, changes=changes)
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
    return redirect("desk:customer", customer_id=customer_id)


# -- products and stock -------------------------------------------------------------------------------


@for_action(Action.MANAGE_CATALOG)
def product_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    # An empty text matches every product: the same search serves the whole list.
    products = products_matching(text, on_sale=request.GET.get("show") != "all")
    page = _page(request)
    rows = list(products.order_by("sku")[(page - 1) * PAGE : page * PAGE + 1])
    stock: dict[int, list[Stock]] = {}
    for row in Stock.objects.filter(product__in=rows[:PAGE]).select_related("location").order_by("location__code"):
        stock.setdefault(row.product_id, []).append(row)
    return render(
        request,
        "desk/products.html",
        {
            "title": _("Products and stock"),
            "nav": "products",
            "products": [(p, stock.get(p.pk, [])) for p in rows[:PAGE]],
            "text": text,
            "show_all": request.GET.get("show") == "all",
            "page": page,
            "more": len(rows) > PAGE,
            "locations": list(Location.objects.order_by("code")),
            "low": list(
                Product.objects.filter(active=True, stock__isnull=False)
                .annotate(free=Sum(F("stock__on_hand") - F("stock__reserved")))
                .filter(free__lte=0)
                .order_by("sku")[:20]
            ),
        },
    )


def _back_to_products(request: HttpRequest) -> HttpResponse:
    return redirect(request.POST.get("next") or reverse("desk:products"))


@require_POST
@for_action(Action.MANAGE_CATALOG)
def product_new(request: HttpRequest) -> HttpResponse:
    post = request.POST
    price = parse_amount(post.get("price", ""))
    if price is None or price < 0:
        messages.error(request, _("Enter the price as a number, like 12.50."))
        return _back_to_products(request)
    try:
        product = product_create(
            sku=post.get("sku", "").strip()[:64],
            name=post.get("name", "").strip()[:300],
            price=price,
            category=post.get("category", "").strip()[:64],
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("Product %(sku)s added.") % {"sku": product.sku})
    return _back_to_products(request)


@require_POST
@for_action(Action.MANAGE_CATALOG)
def stock_change(request: HttpRequest) -> HttpResponse:
    """Goods received (added to the count) or a stocktake (the count set), at a location."""
    post = request.POST
    quantity = whole_number(post.get("quantity"))
    sku, location = post.get("sku", "").strip(), post.get("location", "").strip().lower()
    if quantity is None or not sku or not location:
        messages.error(request, _("Give the SKU, the location and a whole number of units."))
        return _back_to_products(request)
    try:
        if post.get("mode") == "count":
            stock = stock_set(sku=sku, location=location, on_hand=quantity)
            done = _("Counted: %(sku)s at %(location)s is %(count)s.")
        else:
            stock = stock_receive(sku=sku, location=location, quantity=quantity)
            done = _("Received: %(sku)s at %(location)s is now %(count)s.")
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, done % {"sku": sku, "location": location, "count": stock.on_hand})
    return _back_to_products(request)


@require_POST
@for_action(Action.MANAGE_CATALOG)
def product_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > 5 * 1024 * 1024:
        messages.error(request, _("Choose a CSV file of at most 5 MB."))
        return _back_to_products(request)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
        return _back_to_products(request)
    try:
        result = catalog_import(text)
    except DomainError as error:
        refused(request, error)
        for problem in (error.details.get("problems") or [])[:10]:
            messages.error(request, str(problem))
    else:
        messages.success(request, _("Imported: %(created)s new, %(updated)s updated.") % result.__dict__)
    return _back_to_products(request)


# -- couriers ---------------------------------------------------------------------------------------


@for_action(Action.MANAGE_COURIERS)
def courier_list(request: HttpRequest) -> HttpResponse:
    couriers = Courier.objects.annotate(order_count=Count("orders")).order_by("-active", "name")
    return render(
        request,
        "desk/couriers.html",
        {"title": _("Couriers"), "nav": "couriers", "couriers": list(couriers), "message_languages": LANGUAGES},
    )


@require_POST
@for_action(Action.MANAGE_COURIERS)
def courier_new(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        courier = courier_create(
            name=post.get("name", ""),
            email=post.get("email", ""),
            phone=post.get("phone", ""),
            language=post.get("language", ""),
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("Courier %(name)s added.") % {"name": courier.name})
    return redirect("desk:couriers")


@require_POST
@for_action(Action.MANAGE_COURIERS)
def courier_active(request: HttpRequest, courier_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        courier = courier_set_active(courier_id=courier_id, active=active)
    except DomainError:
        return not_found(request)
    text = _("%(name)s takes orders again.") if active else _("%(name)s is switched off.")
    messages.success(request, text % {"name": courier.name})
    return redirect("desk:couriers")
