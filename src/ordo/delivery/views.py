"""The courier page: opened from the signed link in the courier's e-mail or SMS; no login.

It shows what the courier needs at the door (address, customer, items, the manager's note, what to
collect and how) and offers the courier's steps: "delivered" after a confirmation, or "could not
deliver" with a reason, which sends the order back to the shop."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordo.delivery.links import LinkError, LinkProblem, link_from_token
from ordo.delivery.models import CourierLink
from ordo.delivery.services import courier_actor, courier_report, courier_steps, delivers, delivery_transition
from ordo.errors import DomainError
from ordo.notifications.phrases import phrase
from ordo.orders.workflows import compiled
from ordo.payments.models import PaymentChannel
from ordo.payments.services import outstanding
from ordo.web.labels import error_message
from ordo.workflow.definition import label_for

STATUS_FOR = {
    LinkProblem.INVALID: 404,
    LinkProblem.EXPIRED: 410,
    LinkProblem.USED: 410,
    LinkProblem.REVOKED: 410,
}


def _language(link: CourierLink | None) -> str:
    return ((link.courier.language or link.order.language) if link else "en").split("-")[0]


def _page(
    request: HttpRequest,
    link: CourierLink | None,
    *,
    message: str = "",
    status: int = 200,
    details: bool = True,
    confirm: str = "",
    error: str = "",
) -> HttpResponse:
    """The page for a link. ``details=False`` (a refused link) shows the reason, not the address;
    ``confirm``: the delivering step to confirm before it is taken."""
    order = link.order if link else None
    language = _language(link)
    labels = {k: phrase(language, f"label.{k}") for k in ("order", "status", "items", "address", "customer", "phone")}
    workflow = compiled(order.workflow) if order else None
    found = workflow.status(order.status) if workflow and order else None
    with translation.override(language):  # the page around it speaks the link's language too
        context = {
            "order": order if details else None,
            "items": list(order.items.all()) if order and details else [],
            "status_label": found.label(language) if found else "",
            "title": phrase(language, "courier.title").format(number=order.number if order else ""),
            "button": phrase(language, "courier.button"),
            "labels": labels,
            "message": message,
            "error": error,
            "confirm": confirm,
            **(_money(order, language) if order and details else {}),
        }
        if link and workflow and order and details and not message:
            steps = courier_steps(workflow, order.status, courier_actor(link.courier))
            context["steps"] = [
                {
                    "code": t.code,
                    "label": t.label(language),
                    "delivers": delivers(workflow, t),
                    "comment_required": t.comment_required,
                }
                for t in steps
            ]
        return render(request, "delivery/courier.html", context, status=status)


def _money(order, language: str) -> dict:
    """What is owed at the door: collected by the courier when the channel is paid on delivery;
    otherwise a warning that the order is not paid yet."""
    due = outstanding(order)
    channel = PaymentChannel.objects.filter(code=order.payment_channel).first()
    name = label_for(channel.labels, language, channel.code) if channel else ""
    on_delivery = bool(channel and channel.on_delivery)
    return {
        "due": due,
        "channel_name": name,
        "collect": due if due > 0 and on_delivery else Decimal(0),
        "unpaid_warning": due > 0 and not on_delivery,
    }


@require_http_methods(["GET", "POST"])
def courier_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = link_from_token(token)
    except LinkError as error:
        message = phrase(_language(error.link), f"courier.{error.problem}")
        return _page(request, error.link, message=message, status=STATUS_FOR[error.problem], details=False)
    language = _language(link)
    if request.method == "POST":
        return _report(request, link, token, language)
    workflow = compiled(link.order.workflow)
    if not courier_steps(workflow, link.order.status, courier_actor(link.courier)):
        return _page(request, link, message=_nothing(link, language))
    return _page(request, link)


def _report(request: HttpRequest, link: CourierLink, token: str, language: str) -> HttpResponse:
    workflow = compiled(link.order.workflow)
    actor = courier_actor(link.courier)
    code = request.POST.get("transition", "") or delivery_transition(workflow, link.order.status, actor) or ""
    step = workflow.transition(code) if code else None
    if step is not None and delivers(workflow, step) and request.POST.get("confirmed") != "1":
        return _page(request, link, confirm=step.code)  # one more tap: "yes, handed over"
    try:
        order = courier_report(token=token, transition=code, comment=request.POST.get("comment", ""))
    except LinkError as error:
        return _page(request, link, message=phrase(language, f"courier.{error.problem}"), status=410, details=False)
    except DomainError as error:
        if str(error.code) == "wrong_status":
            return _page(request, link, message=_nothing(link, language), status=409)
        with translation.override(language):
            reason = error_message(str(error.code), error.message, error.details)
        return _page(request, link, error=reason, status=422)
    link.order = order
    if step is not None and not delivers(workflow, step):
        with translation.override(language):
            done = _("Thank you: order %(number)s goes back to the shop with your reason.") % {"number": order.number}
        return _page(request, link, message=done)
    return _page(request, link, message=phrase(language, "courier.done").format(number=order.number))


def _nothing(link: CourierLink, language: str) -> str:
    workflow = compiled(link.order.workflow)
    found = workflow.status(link.order.status)
    return phrase(language, "courier.nothing").format(status=found.label(language) if found else link.order.status)
