"""The staff desk's list (filters, saved views, many orders at once, export), order entry,
workflows and timers; the order card is ``card.py``. Every read starts from the visibility rule;
every write is one service call."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.models import Customer, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.accounts.selectors import customers_matching
from ordo.accounts.services import customer_find_or_create
from ordo.catalog.selectors import products_matching
from ordo.delivery.models import Courier
from ordo.desk import exports
from ordo.desk.card import for_action, pdf_response, staff_only
from ordo.desk.diagrams import workflow_svg
from ordo.desk.forms import NewOrderForm, OrderFilterForm, SavedViewForm, staff_choices
from ordo.desk.lines import Line, Typed, lines_read, typed_rows
from ordo.desk.selectors import saved_views_for
from ordo.desk.services import saved_view_delete, saved_view_save
from ordo.documents.slips import papers_pdf
from ordo.errors import DomainError
from ordo.orders import bulk, selectors, services
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Source, Workflow
from ordo.orders.permissions import Action, allowed, require
from ordo.orders.timers import forecast
from ordo.orders.workflows import compiled
from ordo.taxes.present import tax_choices
from ordo.text import whole_number
from ordo.web.files import csv_chunks, xlsx_file
from ordo.web.labels import error_message
from ordo.web.orders import channel_choices, status_label, status_labels, type_labels
from ordo.web.pages import is_htmx, language, not_found, refused, signed_in_user

PAGE = 50
ZERO = Decimal("0.00")

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
    types = type_labels(lang)
    context = {
        "title": _("Orders"),
        "nav": "orders",
        "form": form,
        "rows": [(order, status_label(order, lang), types.get(order.type, order.type)) for order in page],
        "next_cursor": next_cursor,
        "query": _query_without(request, "cursor"),
        "cleaned_query": form.cleaned_query(),
        "views": list(saved_views_for(signed_in_user(request))),
        "bulk_transitions": _transition_choices(lang),
        "can": allowed(role_of(request.user)),
        "managers": staff_choices(Role.MANAGER, Role.ADMIN),
        "contractors": staff_choices(Role.CONTRACTOR),
        "couriers": list(Courier.objects.filter(active=True).order_by("name")),
        "view_form": SavedViewForm(),
    }
    partial = is_htmx(request) and request.headers.get("HX-Target") == "results"
    template = "desk/_results.html" if partial else "desk/orders.html"
    return render(request, template, context)


@staff_only
def status_counts(request: HttpRequest) -> HttpResponse:
    """Counts per status for the list's filters: fetched by the list page after it shows (htmx)."""
    form = OrderFilterForm(request.GET or None)
    filters = form.filters()
    counts = selectors.status_counts(request.user, filters)
    labels = dict(form.fields["status"].choices)  # type: ignore[attr-defined]
    rows = sorted(((labels.get(code, code), code, n) for code, n in counts.items()), key=lambda r: -r[2])
    total = sum(counts.values())
    return render(
        request,
        "desk/_counts.html",
        {
            "rows": rows,
            "total": total,
            "matching": counts.get(filters.status, 0) if filters.status else total,
            "query": _query_without(request, "status", "cursor"),
        },
    )


# -- many orders at once ----------------------------------------------------------------------------


def _transition_choices(lang: str) -> list[tuple[str, str]]:
    """Every order transition of every workflow, by code, for the list's bulk action."""
    seen: dict[str, str] = {}
    for row in Workflow.objects.filter(scope=Workflow.Scope.ORDER).order_by("code", "-version"):
        for transition in compiled(row).transitions:
            seen.setdefault(transition.code, transition.label(lang))
    return sorted(seen.items(), key=lambda kv: kv[1])


def _chosen(request: HttpRequest) -> list[int]:
    """The orders a bulk action is for: the ticked ones, or all that match the list's filters
    (refused above the limit rather than cut silently)."""
    post = request.POST
    if post.get("all_matching"):
        filters = OrderFilterForm(QueryDict(post.get("query", ""))).filters()
        numbers = list(
            selectors.orders_filtered(request.user, filters)
            .order_by("-id")
            .values_list("number", flat=True)[: bulk.MAX_ORDERS + 1]
        )
        if len(numbers) > bulk.MAX_ORDERS:
            raise DomainError(
                OrderErrorCode.INVALID_BULK,
                f"More than {bulk.MAX_ORDERS:,} orders match the filters; narrow them first.",
                limit=bulk.MAX_ORDERS,
            )
        return bulk.numbers_check(numbers)
    return bulk.numbers_check([n for n in map(whole_number, post.getlist("number")) if n is not None])


def _people(post: QueryDict) -> dict[str, int | None]:
    """The assignment fields the clerk set: "" keeps, "none" takes off, an id assigns."""
    chosen: dict[str, int | None] = {}
    for name in ("manager", "contractor", "courier"):
        value = post.get(name, "")
        if value == "none":
            chosen[f"{name}_id"] = None
        elif (person := whole_number(value)) is not None:
            chosen[f"{name}_id"] = person
    return chosen


@require_POST
@staff_only
def bulk_action(request: HttpRequest) -> HttpResponseBase:
    """One action on the chosen orders: a transition, an assignment, packing slips or an export.
    Each order is tried on its own; the answer lists what was done and why each refusal."""
    post = request.POST
    action = post.get("action", "")
    actor, visible = actor_for(request.user), selectors.orders_visible_to(request.user)
    try:
        numbers = _chosen(request)
        if action.startswith("export:"):
            require(actor, Action.EXPORT)
            shape, _colon, kind = action.removeprefix("export:").partition(":")
            return _export(request, visible.filter(number__in=numbers), shape, kind)
        if action == "slips":
            require(actor, Action.READ_INTERNAL)
            chosen = visible.filter(number__in=numbers).select_related("customer").order_by("-id")
            return pdf_response(papers_pdf(chosen, "packing"), "packing-slips.pdf", inline=False)
        if action.startswith("transition:"):
            outcome = bulk.bulk_transition(
                numbers, transition=action[11:], actor=actor, comment=post.get("comment", ""), visible=visible
            )
        elif action == "assign":
            outcome = bulk.bulk_assign(numbers, actor=actor, visible=visible, **_people(post))
        else:
            raise DomainError(OrderErrorCode.INVALID_BULK, "Choose what to do with the orders.")
    except DomainError as error:
        refused(request, error)
        query = post.get("query", "")
        return redirect(f"{reverse('desk:orders')}?{query}" if query else reverse("desk:orders"))
    done_label = dict(_transition_choices(language())).get(action[11:], "") if action.startswith("transition:") else ""
    return render(
        request,
        "desk/bulk.html",
        {
            "title": _("Done with %(count)s of %(total)s orders") % {"count": len(outcome.done), "total": len(numbers)},
            "nav": "orders",
            "done": outcome.done,
            "done_label": done_label,
            "refused": [
                (number, error_message(str(error.code), error.message, error.details))
                for number, error in outcome.refused
            ],
            "query": post.get("query", ""),
        },
    )


@for_action(Action.EXPORT)
def order_export(request: HttpRequest) -> HttpResponseBase:
    """Every order matching the list's filters as CSV or XLSX (orders or items as rows)."""
    form = OrderFilterForm(request.GET or None)
    orders = selectors.orders_filtered(request.user, form.filters())
    return _export(request, orders, request.GET.get("rows", "orders"), request.GET.get("format", "csv"))


def _export(request: HttpRequest, orders: Any, shape: str, kind: str) -> HttpResponseBase:
    shape = "items" if shape == "items" else "orders"
    header, rows = exports.table(orders, shape, language())  # type: ignore[arg-type]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"ordo-{shape}-{stamp}"
    if kind == "xlsx":
        sheet = _("Orders") if shape == "orders" else _("Items")
        response: HttpResponseBase = FileResponse(
            xlsx_file(header, rows, sheet=sheet),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


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


@staff_only
def products_pick(request: HttpRequest) -> HttpResponse:
    """Products matching what the clerk typed (SKU or name, any case): at most twelve, with the
    units free in stock, for the item lines' picker."""
    text = request.GET.get("product_q", "").strip()
    found = list(products_matching(text)[:12]) if len(text) >= 2 else []
    currency = request.GET.get("currency", "")[:3]
    return render(request, "desk/_picked.html", {"products": found, "text": text, "currency": currency})


# -- manual order entry --------------------------------------------------------------------------


@for_action(Action.PLACE_FOR_OTHERS)
def order_new(request: HttpRequest) -> HttpResponse:
    chosen = None
    if request.method == "GET" and (customer_id := whole_number(request.GET.get("customer"))) is not None:
        chosen = selectors.customers_visible_to(request.user).filter(pk=customer_id).first()
    form = NewOrderForm(
        request.POST or None,
        channels=channel_choices(language()),
        initial={"customer": chosen.pk} if chosen else None,
    )
    errors: list[str] = []
    rows = typed_rows(request.POST) if request.method == "POST" else []
    lines: list[Line] = []
    if request.method == "POST":
        lines, errors = lines_read(rows, from_catalog=True)
        if not lines and not errors:
            errors.append(_("Add at least one item."))
        if form.is_valid() and not errors:
            data = form.cleaned_data
            try:
                customer = _customer(request, data)
                order = services.order_place(
                    actor=actor_for(request.user),
                    customer=customer,
                    items=[
                        services.ItemInput(
                            sku=line.sku,
                            name=line.name,
                            quantity=line.quantity,
                            unit_price=line.unit_price or ZERO,
                            tax_class=line.tax_class,
                        )
                        for line in lines
                    ],
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
    shown = [r for r in rows if not r.blank] or [Typed()]
    total = sum((line.quantity * (line.unit_price or 0) for line in lines), Decimal("0"))
    type_code = form.data.get("type") or form.fields["type"].initial or ""
    try:
        currency = services.order_type_spec(type_code).currency if type_code else ""
    except DomainError:
        currency = ""
    return render(
        request,
        "desk/new.html",
        {
            "title": _("New order"),
            "nav": "new",
            "form": form,
            "errors": errors,
            "lines": [r.shown() for r in shown],
            "blank_line": Typed(),
            "tax_choices": tax_choices(type_code, language()),
            "lines_total": total,
            "currency": currency,
            "items_hint": _("A row with a catalogue SKU alone takes the product's name and price."),
            "chosen": chosen,
            "chosen_list": [chosen] if chosen else [],
        },
    )


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
    # An employee limited to some statuses sees the steps into those only (as the API draws it).
    only = frozenset(actor_for(request.user).allowed_statuses or ()) or None
    shown = []
    for row in Workflow.objects.filter(current=True).order_by("scope", "code"):
        flow = compiled(row)
        fills = {s.code: s.colour for s in flow.statuses if s.colour}
        svg = workflow_svg(flow, lang, only if row.scope == Workflow.Scope.ORDER else None, fills=fills)
        shown.append(
            {"code": row.code, "label": flow.label(lang), "scope": row.scope, "svg": svg, "version": row.version}
        )
    return render(
        request,
        "desk/workflows.html",
        {"title": _("Workflows"), "nav": "workflows", "workflows": shown, "cut": only is not None},
    )


@staff_only
def timers(request: HttpRequest) -> HttpResponse:
    """What timers will move (or warn about) in the next days, by day: a calendar list."""
    days = whole_number(request.GET.get("days")) or 14
    days = min(max(days, 1), 90)
    planned = forecast(days=days, limit=2000, within=selectors.orders_visible_to(request.user))
    lang = language()
    labels = status_labels(lang)
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
