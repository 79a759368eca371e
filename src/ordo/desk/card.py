"""The staff desk's order card: what one order shows and every form on it. Forms post with htmx
and get the card back (plain posts get a redirect), so the card stays live without a reload and
works without JavaScript. Each form is one service call; who may use it is the one permission rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.models import Role
from ordo.accounts.roles import actor_for, role_of
from ordo.catalog.services import LineEdit, order_items_edit
from ordo.delivery.models import Courier
from ordo.desk.forms import staff_choices
from ordo.desk.lines import Typed, lines_read, typed_rows
from ordo.documents.models import Document
from ordo.documents.services import document_issue
from ordo.documents.slips import papers_pdf
from ordo.errors import DomainError
from ordo.orders import links, presenters, selectors, services
from ordo.orders.assignment import contractor_candidates
from ordo.orders.conversation import order_message_write
from ordo.orders.discounts import discount_add, discount_remove
from ordo.orders.models import Order, OrderItem, OrderLink, Source
from ordo.orders.permissions import Action, allowed, require
from ordo.orders.workflows import compiled
from ordo.payments.refunds import refund_create
from ordo.payments.services import fees_kept, payment_record
from ordo.taxes.present import rate_text, tax_choices
from ordo.text import whole_number
from ordo.web.labels import DOCUMENT_KIND, LINK_KIND
from ordo.web.orders import channel_choices, item_rows, order_buttons, status_label, type_labels
from ordo.web.pages import STAFF, for_roles, is_htmx, language, not_found, parse_amount, refused
from ordo.web.templatetags.ordo_tags import money
from ordo.web.timeline import order_timeline

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
        "checkout": presenters.checkout_choices(order, lang),
        "fees_kept": fees_kept(order.pk) if order.refunded else 0,
        "delivered": services.order_type_spec(order.type).delivery if order.type else True,
        "items": item_rows(order, items, actor, lang),
        "buttons": order_buttons(order, items, actor, lang),
        "timeline": order_timeline(order, audience="staff", language=lang),
        "links": [{**link, "kind_label": LINK_KIND.get(link["kind"], link["kind"])} for link in links.links_of(order)],
        "can": can,
        "channels": channel_choices(lang, keep=order.payment_channel),
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
    choices = tax_choices(order.type, language())
    rows = [
        Typed(
            i.sku,
            i.name,
            str(i.quantity),
            f"{i.unit_price:.2f}",
            rate=rate_text(i.tax_rate, _("exempt"), language()) if choices else "",
        )
        for i in items
    ]
    return {
        "items_open": True,
        "lines": [r.shown() for r in rows],
        "blank_line": Typed(),
        "tax_choices": choices,
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
    if not item and not request.POST.get("confirmed"):
        # A step the workflow marks dangerous (or one that ends the order) is asked about first:
        # htmx asks in the browser and sends "confirmed"; without JavaScript this page asks.
        asking = _confirmation(request, number, transition)
        if asking is not None:
            return asking

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


def _confirmation(request: HttpRequest, number: int, transition: str) -> HttpResponse | None:
    order = selectors.orders_visible_to(request.user).filter(number=number).select_related("workflow").first()
    if order is None:
        return None
    flow = compiled(order.workflow)
    found = flow.transition(transition)
    if found is None or not (found.dangerous or flow.is_final(found.target)):
        return None
    return render(
        request,
        "desk/confirm.html",
        {
            "title": found.label(language()),
            "nav": "orders",
            "order": order,
            "label": found.label(language()),
            "post": request.POST,
            "dangerous": found.dangerous,
        },
    )


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
@for_action(Action.WRITE_MESSAGE)
def order_message(request: HttpRequest, number: int) -> HttpResponse:
    """Write to the customer: the message stands in both timelines and reaches them by e-mail."""
    return _run(
        request,
        number,
        _("Message sent to the customer."),
        lambda: order_message_write(
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
            lines=[LineEdit(line.sku, line.quantity, line.unit_price, line.name, line.tax_class) for line in lines],
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
    return pdf_response(bytes(document.pdf), document.filename, inline=True)


@for_action(Action.READ_INTERNAL)
def order_paper(request: HttpRequest, number: int, paper: str) -> HttpResponse:
    """The order's packing slip or pick list as PDF (made now, not kept)."""
    order = selectors.orders_visible_to(request.user).filter(number=number).select_related("customer").first()
    if order is None or paper not in ("packing", "pick"):
        return not_found(request)
    return pdf_response(papers_pdf([order], paper), f"{paper}-{number}.pdf", inline=True)  # type: ignore[arg-type]


@for_action(Action.READ_INTERNAL)
def order_print(request: HttpRequest, number: int) -> HttpResponse:
    """The order on one printable page (the browser's print dialog makes the paper)."""
    try:
        context = _card_context(request, number)
    except DomainError:
        return not_found(request)
    return render(request, "desk/print.html", context)


def pdf_response(content: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
