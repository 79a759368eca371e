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
from ordo.catalog.services import LineEdit, order_items_edit
from ordo.delivery.models import Courier
from ordo.desk import exports
from ordo.desk.diagrams import workflow_svg
from ordo.desk.forms import NewOrderForm, OrderFilterForm, SavedViewForm, staff_choices
from ordo.desk.lines import Typed, catalog_filled, lines_read, typed_rows
from ordo.desk.selectors import saved_views_for
from ordo.desk.services import saved_view_delete, saved_view_save
from ordo.documents.models import Document
from ordo.documents.services import document_issue
from ordo.documents.slips import papers_pdf
from ordo.errors import DomainError
from ordo.orders import bulk, links, selectors, services
from ordo.orders.assignment import contractor_candidates
from ordo.orders.discounts import discount_add, discount_remove
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderItem, OrderLink, Source, Workflow
from ordo.orders.permissions import Action, allowed, require
from ordo.orders.timers import forecast
from ordo.orders.workflows import compiled
from ordo.payments.refunds import refund_create
from ordo.payments.services import payment_record
from ordo.text import whole_number
from ordo.web.labels import DOCUMENT_KIND, LINK_KIND, error_message
from ordo.web.orders import channel_choices, item_rows, order_buttons, status_label, type_labels
from ordo.web.pages import STAFF, for_roles, is_htmx, language, not_found, parse_amount, refused, signed_in_user
from ordo.web.templatetags.ordo_tags import money
from ordo.web.timeline import order_timeline

PAGE = 50
ZERO = Decimal("0.00")

staff_only = for_roles(*STAFF)


def for_action(action: Action) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Staff pages that take ``action``: the one permission rule decides (contractors may not pay,
    refund, assign…), and a refusal is shown on the card instead of a bare error page."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
    for row in Workflow.objects.filter(scope=Workflow.Scope.ORDER).order_by("code"):
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
            return _pdf(papers_pdf(chosen, "packing"), "packing-slips.pdf", inline=False)
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
            exports.xlsx_file(header, rows, sheet=sheet),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(exports.csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
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
        "type_label": type_labels(lang).get(order.type, order.type),
        "delivered": services.order_type_spec(order.type).delivery if order.type else True,
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
        "discounts": list(order.discounts.order_by("id")) if can[Action.DISCOUNT] else [],
        **_documents(order, can),
        **_item_editor(order, items, can),
    }


def _documents(order: Order, can: dict[str, bool]) -> dict[str, Any]:
    """The card's documents: every issued version (newest first per kind) and the kinds still to issue."""
    if not can[Action.READ_DOCUMENTS]:
        return {"documents": [], "to_issue": []}
    issued = list(Document.objects.filter(order=order).defer("pdf").order_by("kind", "-version"))
    kinds = {d.kind for d in issued}
    return {
        "documents": [(d, DOCUMENT_KIND.get(d.kind, d.kind)) for d in issued],
        "to_issue": [(k, label) for k, label in DOCUMENT_KIND.items() if k not in kinds],
        "reissuable": [(k, label) for k, label in DOCUMENT_KIND.items() if k in kinds],
    }


def _item_editor(order: Order, items: list[OrderItem], can: dict[str, bool]) -> dict[str, Any]:
    """The card's item editor: open where the workflow's status allows edits and nothing is paid;
    else a sentence saying why it is closed."""
    if not can[Action.EDIT_ITEMS]:
        return {"items_open": False, "items_closed_because": ""}
    flow = compiled(order.workflow)
    status = flow.status(order.status)
    if status is None or not status.editable:
        where = [s.label(language()) for s in flow.statuses if s.editable]
        because = (
            _("Items can be changed while the order is: %(statuses)s.") % {"statuses": ", ".join(where)}
            if where
            else _("This workflow does not let items change after the order is placed.")
        )
        return {"items_open": False, "items_closed_because": because}
    if order.payment_status != "unpaid":
        return {"items_open": False, "items_closed_because": _("Items of an order with money paid no longer change.")}
    rows = [Typed(i.sku, i.name, str(i.quantity), f"{i.unit_price:.2f}") for i in items]
    return {
        "items_open": True,
        "lines": [{"sku": r.sku, "name": r.name, "qty": r.qty, "price": r.price} for r in rows],
        "blank_line": Typed(),
        "lines_total": order.subtotal,
        "items_hint": _("A quantity of 0 removes a line."),
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


def _run(
    request: HttpRequest,
    number: int,
    done: str | Callable[[Any], str],
    write: Callable[[], Any],
    *,
    money_of: bool = False,
) -> HttpResponse:
    """Run one service call; say it is done (``done`` may word it from the result, or with
    ``money_of`` name the total of the order it returns) or why not."""
    try:
        result = write()
    except DomainError as error:
        refused(request, error)
    else:
        if money_of:
            done = str(done) % {"total": money(result.total, result.currency)}
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

    def done(result: Any) -> str:
        if isinstance(result, Order):
            return _("Done: the order is now “%(status)s”.") % {"status": status_label(result, language())}
        return _("Done.")

    return _run(request, number, done, write)


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


@require_POST
@for_action(Action.EDIT_ITEMS)
def order_items(request: HttpRequest, number: int) -> HttpResponse:
    """The item editor's save: the whole list of lines, one service call."""
    lines, errors = lines_read(typed_rows(request.POST), zero_removes=True)
    if errors or not lines:
        for error in errors or [_("An order keeps one item at least.")]:
            messages.error(request, error)
        return _after_post(request, number)
    return _run(
        request,
        number,
        _("Items saved; the total is %(total)s."),
        lambda: order_items_edit(
            number=number,
            lines=[LineEdit(line.sku, line.quantity, line.unit_price, line.name) for line in lines],
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
        ),
        money_of=True,
    )


@require_POST
@for_action(Action.EDIT)
def order_details(request: HttpRequest, number: int) -> HttpResponse:
    post = request.POST
    return _run(
        request,
        number,
        _("Details saved."),
        lambda: services.order_update(
            number=number,
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
            external_number=post.get("external_number", "")[:64],
            notes=post.get("notes", ""),
            delivery_address=post.get("delivery_address") if "delivery_address" in post else None,
        ),
    )


@require_POST
@for_action(Action.DISCOUNT)
def order_discount(request: HttpRequest, number: int) -> HttpResponse:
    value = parse_amount(request.POST.get("value", ""))
    if value is None:
        messages.error(request, _("Enter the discount as a number, like 10 or 12.50."))
        return _after_post(request, number)
    return _run(
        request,
        number,
        _("Discount added."),
        lambda: discount_add(
            number=number,
            actor=actor_for(request.user),
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", "amount"),
            value=value,
            reason=request.POST.get("reason", ""),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@require_POST
@for_action(Action.DISCOUNT)
def order_discount_remove(request: HttpRequest, number: int, discount_id: int) -> HttpResponse:
    return _run(
        request,
        number,
        _("Discount removed."),
        lambda: discount_remove(
            number=number,
            discount_id=discount_id,
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
        ),
    )


@staff_only
def products_pick(request: HttpRequest) -> HttpResponse:
    """Products matching what the clerk typed (SKU or name, any case): at most twelve, with the
    units free in stock, for the item lines' picker."""
    text = request.GET.get("product_q", "").strip()
    found = list(products_matching(text)[:12]) if len(text) >= 2 else []
    currency = request.GET.get("currency", "")[:3]
    return render(request, "desk/_picked.html", {"products": found, "text": text, "currency": currency})


@require_POST
@for_action(Action.ISSUE_DOCUMENTS)
def order_document_issue(request: HttpRequest, number: int) -> HttpResponse:
    """Issue a document (a new number), or with a reason a new version of an issued one."""
    kind = request.POST.get("kind", "")
    reason = request.POST.get("reason", "").strip()[:500]
    return _run(
        request,
        number,
        lambda document: (
            _("%(kind)s %(number)s issued.")
            % {"kind": DOCUMENT_KIND.get(document.kind, document.kind), "number": document.number}
        ),
        lambda: document_issue(
            number=number,
            kind=kind,
            actor=actor_for(request.user),
            visible=selectors.orders_visible_to(request.user),
            reissue_reason=reason,
        ),
    )


@for_action(Action.READ_DOCUMENTS)
def order_document(request: HttpRequest, number: int, document_id: int) -> HttpResponse:
    document = (
        Document.objects.filter(order__in=selectors.orders_visible_to(request.user), order__number=number)
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return not_found(request)
    return _pdf(bytes(document.pdf), document.filename, inline=True)


@for_action(Action.READ_INTERNAL)
def order_paper(request: HttpRequest, number: int, paper: str) -> HttpResponse:
    """The order's packing slip or pick list as PDF (made now, not kept)."""
    order = selectors.orders_visible_to(request.user).filter(number=number).select_related("customer").first()
    if order is None or paper not in ("packing", "pick"):
        return not_found(request)
    return _pdf(papers_pdf([order], paper), f"{paper}-{number}.pdf", inline=True)  # type: ignore[arg-type]


@for_action(Action.READ_INTERNAL)
def order_print(request: HttpRequest, number: int) -> HttpResponse:
    """The order on one printable page (the browser's print dialog makes the paper)."""
    try:
        context = _card_context(request, number)
    except DomainError:
        return not_found(request)
    return render(request, "desk/print.html", context)


def _pdf(content: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


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
    if request.method == "POST":
        lines, errors = lines_read(rows)
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
                            sku=line.sku, name=line.name, quantity=line.quantity, unit_price=line.unit_price or ZERO
                        )
                        for line in catalog_filled(lines)
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
    total = sum((line.quantity * (line.unit_price or 0) for line in catalog_filled(lines_read(shown)[0])), Decimal("0"))
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
            "lines": [{"sku": r.sku, "name": r.name, "qty": r.qty, "price": r.price} for r in shown],
            "blank_line": Typed(),
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
