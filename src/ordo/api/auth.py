"""API authentication: ``Authorization: Bearer <token>`` or the web session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ordo.accounts.roles import role_of
from ordo.accounts.services import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is None or role_of(user) is None:
            return None
        request.user = user
        return user


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
