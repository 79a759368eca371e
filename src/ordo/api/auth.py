"""API authentication: ``Authorization: Bearer <token>`` or the web session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ordo.accounts.models import ApiToken, Role
from ordo.accounts.roles import role_of
from ordo.accounts.services import token_find
from ordo.orders.models import Source


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_find(token)
        if found is None or role_of(found.user) is None:
            return None
        request.user = found.user
        request.ordo_token = found  # type: ignore[attr-defined]
        return found.user


def source_of(request: HttpRequest) -> str:
    """The channel a request came through, which orders placed by it record: a key's source
    (``api``, or ``app`` for the mobile app), or a browser session: staff ``panel``, customers ``site``."""
    token: ApiToken | None = getattr(request, "ordo_token", None)
    if token is not None:
        return Source.APP if token.source == ApiToken.Source.APP else Source.API
    return Source.SITE if role_of(request.user) == Role.CUSTOMER else Source.PANEL


class RoleSession(SessionAuth):
    """The browser session of a user who has a role in Ordo.

    CSRF is checked only when there is a session to ride on: a request with no session cookie is
    simply unauthenticated (401), not a forged one (403).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and role_of(user) is not None else None


api_auth = [BearerToken(), RoleSession()]


def guest(request: HttpRequest) -> bool:
    """The last resort of routes open to everyone (guests' back-in-stock alerts): no user."""
    return True
