"""The unsubscribe page of a back-in-stock alert, opened from the link in its e-mail; no login.

GET shows the alert and a button; POST ends it. POST needs no CSRF token: the link's random token
is the secret, and mail clients' one-click unsubscribe (RFC 8058) posts to the same address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ordo.catalog.alerts import alert_get, alert_unsubscribe
from ordo.errors import DomainError
from ordo.notifications.phrases import phrase


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alert_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        alert = alert_unsubscribe(token) if request.method == "POST" else alert_get(token)
    except DomainError:
        language = getattr(request, "LANGUAGE_CODE", "en")
        context = {"title": phrase(language, "alert.title"), "message": "—", "open": False}
        return render(request, "catalog/alert.html", context, status=404)
    language = (alert.language or "en").split("-")[0]
    fields = {"email": alert.email, "product": alert.product.name}
    is_open = alert.ended_at is None
    context = {
        "title": phrase(language, "alert.title"),
        "message": phrase(language, "alert.active" if is_open else "alert.ended").format(**fields),
        "open": is_open,
        "button": phrase(language, "alert.button"),
    }
    with translation.override(language):  # the page around it speaks the alert's language too
        return render(request, "catalog/alert.html", context)
