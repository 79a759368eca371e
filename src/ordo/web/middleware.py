"""What every response carries: the language a page speaks (the one the user picked with the
language switch, a cookie, else their saved setting, else the browser's), the time zone (the
employee's own, else ``ORDO_TIME_ZONE``) and the Content Security Policy."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def saved_language(user) -> str:
    """A signed-in user's own language setting, if it names one Ordo speaks."""
    if not user.is_authenticated:
        return ""
    for holder in ("profile", "customer"):
        record = getattr(user, holder, None)
        language = (getattr(record, "language", "") or "").split("-")[0].lower()
        if language in SUPPORTED:
            return language
    return ""


class UserLanguageMiddleware:
    """After authentication: a saved language beats the browser's, the switch beats both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = saved_language(request.user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


def saved_time_zone(user) -> ZoneInfo | None:
    """An employee's own time zone setting, if it names a known zone."""
    if not user.is_authenticated:
        return None
    name = getattr(getattr(user, "profile", None), "time_zone", "") or ""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


class UserTimeZoneMiddleware:
    """After authentication: times on the pages, and the days reports cut, in the user's zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = saved_time_zone(request.user)
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ContentSecurityPolicyMiddleware:
    """Send ``ORDO_CSP`` with every response that has none: Ordo's pages load scripts and styles
    from their own origin only (no inline scripts, no inline styles), so an injected tag runs nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ORDO_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.ORDO_CSP
        return response
