"""Helpers the page views share: who may see a page, and turning a refusal into a message."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ordo.accounts.models import Role
from ordo.accounts.roles import role_of
from ordo.errors import DomainError
from ordo.web.labels import error_message

STAFF = (Role.ADMIN, Role.MANAGER, Role.CONTRACTOR)


def is_htmx(request: HttpRequest) -> bool:
    """Did htmx send this request (django-htmx's middleware sets ``request.htmx``)?"""
    return bool(getattr(request, "htmx", False))


def language() -> str:
    return (get_language() or "en").split("-")[0]


def for_roles(*roles: str) -> Callable:
    """Signed-in users of these roles only: others are sent to sign in, or told it is not for them."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                return render(request, "web/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a page whose guard has turned anonymous visitors away."""
    assert isinstance(request.user, User)
    return request.user


def not_found(request: HttpRequest) -> HttpResponse:
    """The page for what does not exist or is outside the user's view (the two look alike)."""
    return render(request, "web/not_found.html", {"title": _("Not found")}, status=404)


def refused(request: HttpRequest, error: DomainError) -> str:
    """Show a service's refusal on the next page, in the page's language; returns the text."""
    text = error_message(str(error.code), error.message, error.details)
    messages.error(request, text)
    return text


def parse_amount(text: str) -> Decimal | None:
    """An amount typed in any of the four languages' ways (``1 234,50`` or ``1234.50``); None if not one."""
    try:
        value = Decimal((text or "").replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
