"""The courier page: opened from the signed link in the courier's e-mail or SMS; no login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from ordo.delivery.links import LinkError, LinkProblem, link_from_token
from ordo.delivery.services import courier_actor, courier_confirm_delivery, delivery_transition
from ordo.errors import DomainError
from ordo.notifications.phrases import phrase
from ordo.orders.workflows import compiled

STATUS_FOR = {
    LinkProblem.INVALID: 404,
    LinkProblem.EXPIRED: 410,
    LinkProblem.USED: 410,
    LinkProblem.REVOKED: 410,
}


def _page(
    request: HttpRequest, link, *, message: str = "", status: int = 200, can_confirm: bool = False, details: bool = True
):
    """The page for a link. ``details=False`` (a refused link) shows the reason, not the address."""
    order = link.order if link else None
    language = ((link.courier.language or link.order.language) if link else "en").split("-")[0]
    labels = {k: phrase(language, f"label.{k}") for k in ("order", "status", "items", "address", "customer", "phone")}
    workflow = compiled(order.workflow) if order else None
    found = workflow.status(order.status) if workflow and order else None
    context = {
        "order": order if details else None,
        "items": list(order.items.all()) if order and details else [],
        "status_label": found.label(language) if found else "",
        "title": phrase(language, "courier.title").format(number=order.number if order else ""),
        "button": phrase(language, "courier.button"),
        "labels": labels,
        "message": message,
        "can_confirm": can_confirm,
    }
    with translation.override(language):  # the page around it speaks the link's language too
        return render(request, "delivery/courier.html", context, status=status)


@require_http_methods(["GET", "POST"])
def courier_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = link_from_token(token)
    except LinkError as error:
        language = (error.link.courier.language or error.link.order.language) if error.link else "en"
        message = phrase(language, f"courier.{error.problem}")
        return _page(request, error.link, message=message, status=STATUS_FOR[error.problem], details=False)
    language = link.courier.language or link.order.language
    if request.method == "POST":
        try:
            order = courier_confirm_delivery(token=token)
        except LinkError as error:
            message = phrase(language, f"courier.{error.problem}")
            return _page(request, link, message=message, status=410, details=False)
        except DomainError:
            return _page(request, link, message=_nothing(link, language), status=409)
        link.order = order
        return _page(request, link, message=phrase(language, "courier.done").format(number=order.number))
    code = delivery_transition(compiled(link.order.workflow), link.order.status, courier_actor(link.courier))
    return _page(request, link, can_confirm=code is not None, message="" if code else _nothing(link, language))


def _nothing(link, language: str) -> str:
    workflow = compiled(link.order.workflow)
    found = workflow.status(link.order.status)
    return phrase(language, "courier.nothing").format(status=found.label(language) if found else link.order.status)
