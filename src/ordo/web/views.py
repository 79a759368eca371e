from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ordo.accounts.models import Customer, Profile
from ordo.web.middleware import SUPPORTED


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (a cookie), and for a signed-in user their saved setting too, so
    their e-mails follow the same choice."""
    response = set_language(request)
    code = request.POST.get("language", "")
    if code in SUPPORTED and request.user.is_authenticated:
        Profile.objects.filter(user=request.user).update(language=code)
        Customer.objects.filter(user=request.user).update(language=code)
    return response


def icon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, asked by clients that have not read a page's ``<link rel="icon">``
    (bookmarks, feed readers): the icon the pages name."""
    return HttpResponsePermanentRedirect(static("ordo/icon.svg"))
