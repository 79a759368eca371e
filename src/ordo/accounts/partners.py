"""Partner links: ``/p/<code>`` remembers the partner in the browser's session for 30 days, so
the order placed from that browser records them (an order's own ``partner_code`` wins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from ordo.accounts.models import Partner

PARTNER_SESSION_KEY = "ordo_partner"
PARTNER_LINK_DAYS = 30


def partner_link(request: HttpRequest, code: str) -> HttpResponse:
    """Remember an active partner's code and go on to ``?next=`` (a local path) or the start page.
    An unknown code is simply forgotten: the visitor still gets where they were going."""
    partner = Partner.objects.filter(code=code.lower(), active=True).first()
    if partner is not None:
        request.session[PARTNER_SESSION_KEY] = partner.code
        request.session.set_expiry(PARTNER_LINK_DAYS * 24 * 3600)
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "/"
    return HttpResponseRedirect(target)


def linked_partner(request: HttpRequest) -> str:
    """The partner code this browser picked up from a partner link, if it still names an active partner."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    code = session.get(PARTNER_SESSION_KEY, "")
    return code if code and Partner.objects.filter(code=code, active=True).exists() else ""
