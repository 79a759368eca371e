"""The staff desk. Every read starts from the visibility rule; every write is one service call.
Forms on the order card post with htmx and get the card back (plain posts get a redirect), so the
card stays live without a reload and works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.selectors import customers_matching
from ordo.accounts.services import customer_find_or_create
from ordo.delivery.models import Courier
from ordo.desk.diagrams import workflow_svg
from ordo.desk.forms import NewOrderForm, OrderFilterForm, SavedViewForm, staff_choices
from ordo.desk.selectors import saved_views_for
from ordo.desk.services import saved_view_delete, saved_view_save
from ordo.errors import DomainError
from ordo.orders import links, selectors, services
from ordo.orders.assignment import contractor_candidates
from ordo.orders.models import OrderLink, Source, Workflow
from ordo.orders.permissions import Action, allowed, require
from ordo.orders.timers import forecast
from ordo.orders.workflows import compiled
from ordo.payments.refunds import refund_create
from ordo.payments.services import payment_record
from ordo.text import whole_number
from ordo.web.labels import LINK_KIND, error_message
from ordo.web.orders import channel_choices, item_rows, order_buttons, status_label
from ordo.web.pages import STAFF, for_roles, is_htmx, language, not_found, parse_amount, refused, signed_in_user
from ordo.web.timeline import order_timeline

PAGE = 50

staff_only = for_roles(*STAFF)


def for_action(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Staff pages that take ``action``: the one permission rule decides (contractors may not pay,
    refund, assign…), and a refusal is shown on the card instead of a bare error page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                require(actor_for(request.user), action)
            except DomainError as error:
                refused(request, error)
                return _after_post(request, kwargs.get("number"))
            return view(request, *args, **kwargs)

        return for_roles(*STAFF)(wrapped)

    return decorate


# -- the list -----------------------------------------------------------------------------------


@staff_only
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    filters, sort = form.filters(), form.sort_order()
    try:
        page, next_cursor = selectors.order_list_for(
            request.user, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE, sort=sort, full=False
        )
    except ValueError:
        messages.error(request, _("That page link is out of date; here is the first page."))
        return redirect("desk:orders")
    lang = language()
    context = {
        "title": _("Orders"),
        "nav": "orders",
        "form": form,
        "rows": [(order, status_label(order, lang)) for order in page],
        "next_cursor": next_cursor,
        "query": _query_without(request, "cursor"),
        "cleaned_query": form.cleaned_query(),
        "views": list(saved_views_for(signed_in_user(request))),
        "view_form": SavedViewForm(),
    }
    partial = is_htmx(request) and request.headers.get("HX-Target") == "results"
    template = "desk/_results.html" if partial else "desk/orders.html"
    return render(request, template, context)


@staff_only
def status_counts(request: HttpRequest) -> HttpResponse:
    """Counts per status for the list's filters: fetched by the list page after it shows (htmx)."""
    form = OrderFilterForm(request.GET or None)
    counts = selectors.status_counts(request.user, form.filters())
    labels = dict(form.fields["status"].choices)  # type: ignore[attr-defined]
    rows = sorted(((labels.get(code, code), code, n) for code, n in counts.items()), key=lambda r: -r[2])
    return render(
        request,
        "desk/_counts.html",
        {"rows": rows, "total": sum(counts.values()), "query": _query_without(request, "status", "cursor")},
    )


@require_POST
@staff_only
def saved_view_new(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name (the same name again replaces them)."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("name", []) + form.errors.get("query", []):
            messages.error(request, str(error))
        return redirect("desk:orders")
    query = OrderFilterForm(QueryDict(form.cleaned_data["query"])).cleaned_query()
    view = saved_view_save(
        owner=signed_in_user(request), name=form.cleaned_data["name"], query=query, shared=form.cleaned_data["shared"]
    )
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect(f"{reverse('desk:orders')}?{query}" if query else reverse("desk:orders"))


@require_POST
@staff_only
def saved_view_remove(request: HttpRequest, view_id: int) -> HttpResponse:
    if not saved_view_delete(owner=signed_in_user(request), view_id=view_id):
        return not_found(request)
    messages.success(request, _("The view is deleted."))
    return redirect("desk:orders")


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# -- the card -----------------------------------------------------------------------------------


def _card_context(request: HttpRequest, number: int) -> dict[str, Any]:
    order = selectors.order_get(request.user, number)
    lang = language()
    items = list(order.items.all())
    actor = actor_for(request.user)
    can = allowed(role_of(request.user))
    manager = can[Action.ASSIGN]
    return {
        "title": _("Order %(number)s") % {"number": order.number},
        "nav": "orders",
        "order": order,
        "status": status_label(order, lang),
        "items": item_rows(order, items, actor, lang),
        "buttons": order_buttons(order, items, actor, lang),
        "timeline": order_timeline(order, audience="staff", language=lang),
        "links": [{**link, "kind_label": LINK_KIND.get(link["kind"], link["kind"])} for link in links.links_of(order)],
        "can": can,
        "channels": channel_choices(lang),
        "managers": staff_choices(Role.MANAGER, Role.ADMIN) if manager else [],
        "contractors": [(c.user_id, c.name or c.username) for c in contractor_candidates(items)] if manager else [],
        "couriers": list(Courier.objects.filter(active=True).order_by("name")) if manager else [],
        "due": order.total - order.paid + order.refunded,
    }


@staff_only
def order_card(request: HttpRequest, number: int) -> HttpResponse:
    try:
        context = _card_context(request, number)
    except DomainError:
        return not_found(request)
    return render(request, "desk/card.html", context)


def _after_post(request: HttpRequest, number: int | None) -> HttpResponse:
    """htmx gets the card again (with the messages); a plain form post goes back to the card."""
    if number is None:
        return redirect("desk:orders")
    if is_htmx(request):
        try:
            return render(request, "desk/_card.html", _card_context(request, number))
        except DomainError:
            return not_found(request)
    return redirect("desk:order", number=number)


def _run(request: HttpRequest, number: int, done: str | Callable[[Any], str], write: Callable[[], Any]) -> HttpResponse:
    """Run one service call; say it is done (``done`` may word it from the result) or why not."""
    try:
        result = write()
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _after_post(request, number)


@require_POST
@staff_only
def order_transition(request: HttpRequest, number: int) -> HttpResponse:
    item = request.POST.get("item", "")
    transition, comment = request.POST.get("transition", ""), request.POST.get("comment", "")
    expected = request.POST.get("expected_status") or None
    actor, visible = actor_for(request.user), selectors.orders_visible_to(request.user)

    def write() -> object:
        if (item_id := whole_number(item)) is not None:
            return services.item_transition(
                number=number,
                item_id=item_id,
                transition=transition,
                actor=actor,
                expected_status=expected,
                comment=comment,
                visible=visible,
            )
        return services.order_transition(
            number=number,
            transition=transition,
            actor=actor,
            expected_status=expected,
            comment=comment,
            visible=visible,
        )

    return _run(request, number, _("Done."), write)


@require_POST
@staff_only
def order_note(request: HttpRequest, number: int) -> HttpResponse:
    return _run(
        request,
        number,
        _("Note added."),
        lambda: services.order_note_add(
            number=number,
            actor=actor_for(request.user),
            text=request.POST.get("text", ""),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@require_POST
@for_action(Action.RECORD_PAYMENT)
def order_payment(request: HttpRequest, number: int) -> HttpResponse:
    amount = parse_amount(request.POST.get("amount", ""))
    if amount is None or amount <= 0:
        messages.error(request, _("Enter an amount above zero."))
        return _after_post(request, number)
    return _run(
        request,
        number,
        _("Payment recorded."),
        lambda: payment_record(
            number=number,
            amount=amount,
            actor=actor_for(request.user),
            channel=request.POST.get("channel", ""),
            reference=request.POST.get("reference", "").strip(),
            note=request.POST.get("note", ""),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@require_POST
@for_action(Action.REFUND)
def order_refund(request: HttpRequest, number: int) -> HttpResponse:
    text = request.POST.get("amount", "").strip()
    amount: Decimal | None = None
    if text:
        amount = parse_amount(text)
        if amount is None or amount <= 0:
            messages.error(request, _("Enter an amount above zero, or leave it empty to refund everything."))
            return _after_post(request, number)
    return _run(
        request,
        number,
        _("Refund recorded."),
        lambda: refund_create(
            number=number,
            actor=actor_for(request.user),
            destination=request.POST.get("destination", "wallet"),
            amount=amount,
            reason=request.POST.get("reason", ""),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@require_POST
@for_action(Action.CHANGE_CHANNEL)
def order_channel(request: HttpRequest, number: int) -> HttpResponse:
    return _run(
        request,
        number,
        _("Payment channel changed."),
        lambda: services.order_update(
            number=number,
            actor=actor_for(request.user),
            payment_channel=request.POST.get("channel", ""),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@require_POST
@for_action(Action.ASSIGN)
def order_assign(request: HttpRequest, number: int) -> HttpResponse:
    """Manager, contractor and courier in one form, one transaction; the service writes (and
    tells) only what changed."""
    return _run(
        request,
        number,
        _("Assignment saved."),
        lambda: services.order_update(
            number=number,
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
            manager_id=whole_number(request.POST.get("manager")),
            contractor_id=whole_number(request.POST.get("contractor")),
            courier_id=whole_number(request.POST.get("courier")),
        ),
    )


@require_POST
@for_action(Action.LINK)
def order_link(request: HttpRequest, number: int) -> HttpResponse:
    """A link by hand to another order, or a new linked order: a copy, a split (the chosen items
    move) or a subcontract (a work order for a contractor)."""
    kind = request.POST.get("kind", "manual")
    chosen = [i for i in map(whole_number, request.POST.getlist("items")) if i is not None]

    def done(link: OrderLink) -> str:
        if kind == "manual":
            return _("Link saved.")
        return _("Order %(number)s made.") % {"number": link.target.number}

    return _run(
        request,
        number,
        done,
        lambda: links.order_link_create(
            number=number,
            kind=kind,
            actor=actor_for(request.user),
            source=Source.PANEL,
            items=chosen or None,
            other=whole_number(request.POST.get("order")),
            reason=request.POST.get("reason", "").strip(),
            contractor_id=whole_number(request.POST.get("contractor")),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


# -- manual order entry --------------------------------------------------------------------------


def _item_lines(request: HttpRequest) -> tuple[list[services.ItemInput], list[str]]:
    """The item rows typed in; blank rows are skipped, a half-filled one is an error."""
    post = request.POST
    rows = zip(
        post.getlist("item_sku"),
        post.getlist("item_name"),
        post.getlist("item_qty"),
        post.getlist("item_price"),
        strict=False,
    )
    items, errors = [], []
    for n, (sku, name, qty, price) in enumerate(rows, start=1):
        if not (sku.strip() or name.strip() or price.strip()):
            continue
        amount = parse_amount(price)
        quantity = whole_number(qty)
        if not name.strip() or quantity is None or quantity < 1 or amount is None or amount < 0:
            errors.append(_("Row %(n)s: give a name, a quantity of at least 1 and a price.") % {"n": n})
            continue
        items.append(
            services.ItemInput(
                sku=sku.strip() or name.strip()[:64], name=name.strip(), quantity=quantity, unit_price=amount
            )
        )
    if not items and not errors:
        errors.append(_("Add at least one item."))
    return items, errors


@for_action(Action.PLACE_FOR_OTHERS)
def order_new(request: HttpRequest) -> HttpResponse:
    form = NewOrderForm(request.POST or None, channels=channel_choices(language()))
    errors: list[str] = []
    if request.method == "POST":
        items, errors = _item_lines(request)
        if form.is_valid() and not errors:
            data = form.cleaned_data
            try:
                customer = _customer(request, data)
                order = services.order_place(
                    actor=actor_for(request.user),
                    customer=customer,
                    items=items,
                    type=data["type"],
                    source=Source.PANEL,
                    payment_channel=data["payment_channel"],
                    notes=data["notes"],
                    delivery_address=data["delivery_address"],
                )
            except DomainError as error:
                errors.append(error_message(str(error.code), error.message, error.details))
            else:
                messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
                return redirect("desk:order", number=order.number)
    rows = max(3, len(request.POST.getlist("item_name")))
    return render(
        request,
        "desk/new.html",
        {
            "title": _("New order"),
            "nav": "new",
            "form": form,
            "errors": errors,
            "rows": _rows(request, rows),
        },
    )


def _rows(request: HttpRequest, count: int) -> list[dict[str, str]]:
    post = request.POST
    fields = ("item_sku", "item_name", "item_qty", "item_price")
    values = {name: post.getlist(name) for name in fields}
    return [
        {name: (values[name][i] if i < len(values[name]) else ("1" if name == "item_qty" else "")) for name in fields}
        for i in range(count)
    ]


def _customer(request: HttpRequest, data: dict[str, Any]) -> Customer:
    if data.get("customer"):
        found = Customer.objects.filter(pk=data["customer"]).first()
        if found is not None:
            return found
    user = request.user if isinstance(request.user, User) else None
    return customer_find_or_create(
        email=data.get("email", ""),
        name=data["name"],
        phone=data.get("phone", ""),
        kind=data["kind"],
        registered_by=user,
    )


@for_action(Action.PLACE_FOR_OTHERS)
def customer_search(request: HttpRequest) -> HttpResponse:
    """Customers matching what the clerk typed (name, e-mail or phone): at most ten, for htmx."""
    text = request.GET.get("who", "").strip()
    found = []
    if len(text) >= 2:
        found = list(customers_matching(text).order_by("name")[:10])
    return render(request, "desk/_customers.html", {"customers": found, "text": text})


# -- workflows and timers ----------------------------------------------------------------------------


@staff_only
def workflows(request: HttpRequest) -> HttpResponse:
    lang = language()
    shown = []
    for row in Workflow.objects.order_by("scope", "code"):
        flow = compiled(row)
        shown.append({"code": row.code, "label": flow.label(lang), "scope": row.scope, "svg": workflow_svg(flow, lang)})
    return render(request, "desk/workflows.html", {"title": _("Workflows"), "nav": "workflows", "workflows": shown})


@staff_only
def timers(request: HttpRequest) -> HttpResponse:
    """What timers will move (or warn about) in the next days, by day: a calendar list."""
    days = whole_number(request.GET.get("days")) or 14
    days = min(max(days, 1), 90)
    planned = forecast(days=days, limit=2000, within=selectors.orders_visible_to(request.user))
    lang = language()
    labels: dict[str, str] = {}
    for row in Workflow.objects.filter(scope=Workflow.Scope.ORDER):
        for status in compiled(row).statuses:
            labels.setdefault(status.code, status.label(lang))
    rows: list[dict[str, Any]] = [
        {
            "when": p.at,
            "number": p.number,
            "warning": p.kind == "warning",
            "source": labels.get(p.status, p.status),
            "target": labels.get(p.to, p.to),
        }
        for p in planned
    ]
    by_day = [(day, list(group)) for day, group in groupby(rows, key=lambda row: timezone.localdate(row["when"]))]
    return render(
        request,
        "desk/timers.html",
        {"title": _("Timer forecast"), "nav": "timers", "days": days, "by_day": by_day, "labels": labels},
    )
