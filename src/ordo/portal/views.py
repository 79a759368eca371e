"""Customer and guest pages. Reads go through the one visibility rule (``orders_visible_to``);
writes through the same services the API calls, so a page and the API refuse alike."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.claims import claim_offer, earlier_orders, guest_orders_claim, proof_resend
from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.services import customer_sign_up
from ordo.catalog.alerts import alert_subscribe, alert_unsubscribe
from ordo.catalog.models import StockAlert
from ordo.catalog.selectors import alerts_of, product_find, skus_out_of_stock
from ordo.catalog.services import LineEdit, order_items_edit
from ordo.documents.models import Document
from ordo.errors import DomainError
from ordo.orders import presenters, selectors, services
from ordo.orders.conversation import order_message_write
from ordo.orders.permissions import Action, may
from ordo.orders.pricing import standing
from ordo.orders.workflows import status_finder
from ordo.payments.paying import order_pay
from ordo.payments.services import fees_kept
from ordo.payments.wallet import wallet_balances, wallet_entries
from ordo.portal.forms import SignUpForm
from ordo.text import whole_number
from ordo.web.orders import channel_choices, item_rows, items_editable, order_buttons, status_label
from ordo.web.pages import STAFF, for_roles, language, not_found, refused, signed_in_user
from ordo.web.timeline import order_timeline

PAGE = 25


def _customer(request: HttpRequest) -> Customer | None:
    """The signed-in customer's own record (None for an account without one)."""
    return Customer.objects.filter(user_id=request.user.pk or 0).first()


def home(request: HttpRequest) -> HttpResponse:
    """Staff go to the desk; customers see their orders; anyone else the welcome page."""
    role = role_of(request.user)
    if role in STAFF:
        # The desk's home: the dashboard for those who may read the figures.
        return redirect("desk:dashboard" if may(role, Action.READ_REPORTS) else "desk:orders")
    if role != Role.CUSTOMER:
        return render(request, "portal/welcome.html", {"title": _("Welcome")})
    return my_orders(request)


def my_orders(request: HttpRequest) -> HttpResponse:
    filters = selectors.OrderFilters()
    try:
        page, next_cursor = selectors.order_list_for(
            request.user, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE, full=False
        )
    except ValueError:
        return redirect("portal:home")
    lang = language()
    rows = [(order, status_label(order, lang)) for order in page]
    customer = _customer(request)
    return render(
        request,
        "portal/orders.html",
        {
            "title": _("My orders"),
            "rows": rows,
            "next_cursor": next_cursor,
            "standing": standing(customer.pk) if customer else [],
            "unconfirmed": customer is not None and customer.email_verified_at is None and bool(customer.email),
            "manager": _personal_manager(customer),
        },
    )


def _personal_manager(customer: Customer | None) -> dict[str, str] | None:
    """Who looks after the customer (seed 001: the cabinet shows the manager's contacts)."""
    user = customer.manager if customer is not None and customer.manager_id else None
    if user is None or not user.is_active:
        return None
    phone = getattr(getattr(user, "profile", None), "phone", "")
    return {"name": user.get_full_name() or user.get_username(), "email": user.email, "phone": phone}


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = customer_sign_up(
                email=data["email"],
                name=data["name"],
                password=data["password"],
                phone=data["phone"],
                language=language(),
            )
        except DomainError as error:
            form.add_error("email", refused(request, error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            if claim_offer(user, language()):
                messages.info(
                    request,
                    _(
                        "We found orders placed earlier with this address. Open the link we have just e-mailed"
                        " to it, and they join your account."
                    ),
                )
            return redirect("portal:home")
    return render(request, "portal/signup.html", {"title": _("Create an account"), "form": form})


@for_roles(Role.CUSTOMER)
def order_page(request: HttpRequest, number: int) -> HttpResponse:
    try:
        order = selectors.order_get(request.user, number)
    except DomainError:
        return not_found(request)
    lang = language()
    items = list(order.items.all())
    actor = actor_for(request.user)
    editable = items_editable(order) and order.payment_status == "unpaid"
    current = status_finder(order)(order.status)
    waiting = current is not None and not current.final  # a closed order waits for nothing
    short = skus_out_of_stock(item.sku for item in items) if waiting else set()
    return render(
        request,
        "portal/order.html",
        {
            "title": _("Order %(number)s") % {"number": order.number},
            "order": order,
            "status": status_label(order, lang),
            "items": item_rows(order, items, actor, lang),
            "buttons": order_buttons(order, items, actor, lang),
            "editable": editable,
            "out_of_stock": short,
            "due": order.total - order.paid + order.refunded,
            "channels": channel_choices(lang, paid_in_ordo=True),
            "documents": Document.objects.filter(order=order).defer("pdf").order_by("kind", "-version"),
            "timeline": order_timeline(order, audience="customer", language=lang),
            "checkout": presenters.checkout_choices(order, lang),
            "fees_kept": fees_kept(order.pk) if order.refunded else 0,
        },
    )


def _back(number: int) -> HttpResponseRedirect:
    return redirect("portal:order", number=number)


@require_POST
@for_roles(Role.CUSTOMER)
def order_transition(request: HttpRequest, number: int) -> HttpResponse:
    try:
        services.order_transition(
            number=number,
            transition=request.POST.get("transition", ""),
            actor=actor_for(request.user),
            expected_status=request.POST.get("expected_status") or None,
            comment=request.POST.get("comment", ""),
            visible=selectors.orders_visible_to(request.user),
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("Done."))
    return _back(number)


@require_POST
@for_roles(Role.CUSTOMER)
def order_message(request: HttpRequest, number: int) -> HttpResponse:
    """The customer writes to the shop about the order; the manager gets it by e-mail."""
    try:
        order_message_write(
            number=number,
            actor=actor_for(request.user),
            text=request.POST.get("text", ""),
            visible=selectors.orders_visible_to(request.user),
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("Your message is sent. We answer here and by e-mail."))
    return _back(number)


@require_POST
@for_roles(Role.CUSTOMER)
def order_items(request: HttpRequest, number: int) -> HttpResponse:
    """A ``new`` auto-parts order's quantities; 0 takes the line out."""
    lines = []
    for key in request.POST:
        if key.startswith("qty:"):
            try:
                quantity = int(request.POST.get(key, ""))
            except ValueError:
                quantity = -1
            if quantity != 0:
                lines.append(LineEdit(sku=key[4:], quantity=quantity))
    try:
        order_items_edit(
            number=number, lines=lines, actor=actor_for(request.user), visible=selectors.orders_visible_to(request.user)
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, _("The items are saved."))
    return _back(number)


@require_POST
@for_roles(Role.CUSTOMER)
def order_pay_view(request: HttpRequest, number: int) -> HttpResponse:
    try:
        order = selectors.order_get(request.user, number)
        paying = order_pay(
            order=order,
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
            channel=request.POST.get("channel", ""),
            return_url=request.build_absolute_uri(reverse("portal:order", kwargs={"number": number})),
        )
    except DomainError as error:
        refused(request, error)
        return _back(number)
    if paying.redirect_url:
        return redirect(paying.redirect_url)
    messages.success(request, _("Paid from your wallet."))
    return _back(number)


@for_roles(Role.CUSTOMER)
def wallet(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    balances = wallet_balances(customer.pk) if customer else {}
    entries = list(wallet_entries(customer.pk).order_by("-id")[:100]) if customer else []
    return render(
        request,
        "portal/wallet.html",
        {
            "title": _("Wallet"),
            "balances": sorted(balances.items()),
            "entries": entries,
            "standing": standing(customer.pk) if customer else [],
        },
    )


@for_roles(Role.CUSTOMER)
def alerts(request: HttpRequest) -> HttpResponse:
    """Back-in-stock alerts: the customer's own, and a form to ask about a product by its SKU
    (the order page posts here too, for an item out of stock, and gets its page back)."""
    if request.method == "POST":
        back = request.POST.get("order", "")
        customer = _customer(request)
        try:
            alert_subscribe(
                product=product_find(request.POST.get("sku", "")),
                email=customer.email if customer else "",
                customer=customer,
                language=language(),
            )
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(request, _("We will e-mail you once when it is back."))
        number = whole_number(back)
        return _back(number) if number is not None else redirect("portal:alerts")
    rows = list(_my_alerts(request)[:100])
    return render(request, "portal/alerts.html", {"title": _("Stock alerts"), "alerts": rows, "nav": "alerts"})


def _my_alerts(request: HttpRequest) -> QuerySet[StockAlert]:
    """The signed-in customer's alerts; none for an account without a customer record."""
    try:
        return alerts_of(request.user)
    except DomainError:
        return StockAlert.objects.none()


@require_POST
@for_roles(Role.CUSTOMER)
def alert_end(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _my_alerts(request).filter(pk=alert_id).first()
    if alert is None:
        return not_found(request)
    alert_unsubscribe(alert.token)
    messages.success(request, _("The alert has ended."))
    return redirect("portal:alerts")


@require_POST
@for_roles(Role.CUSTOMER)
def confirm_again(request: HttpRequest) -> HttpResponse:
    """Send the link that proves the account's address once more (at most every ten minutes)."""
    if proof_resend(signed_in_user(request), language()):
        messages.success(request, _("We have e-mailed you the link again."))
    else:
        messages.info(request, _("We e-mailed you a link a few minutes ago: look for it in your mailbox."))
    return redirect("portal:home")


@for_roles(Role.CUSTOMER)
def claim(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the "add your earlier orders" e-mail: opening it asks; the button joins them
    (a mail scanner fetching the link changes nothing)."""
    if request.method != "POST":
        user = signed_in_user(request)
        earlier = earlier_orders(user.email)
        title = _("Add your earlier orders") if earlier else _("Confirm your e-mail address")
        return render(request, "portal/claim.html", {"title": title, "earlier": earlier})
    try:
        moved = guest_orders_claim(user=signed_in_user(request), token=token)
    except DomainError as error:
        refused(request, error)
    else:
        if moved:
            messages.success(
                request, _("Orders added to your account: %(numbers)s.") % {"numbers": ", ".join(map(str, moved))}
            )
        else:
            messages.info(request, _("Your address is confirmed. No orders placed without an account are left to add."))
    return redirect("portal:home")


def track(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's tracking page: what the e-mail showed, no login."""
    try:
        view = presenters.order_tracking(token, language())
    except DomainError:
        return not_found(request)
    return render(request, "portal/track.html", {"title": _("Order %(number)s") % {"number": view["number"]}, **view})
