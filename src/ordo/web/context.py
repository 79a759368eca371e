from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def business(request: HttpRequest) -> dict[str, str]:
    """The business name every page's header shows."""
    from ordo.business.details import business as details

    return {"business_name": details().name}


def permissions(request: HttpRequest) -> dict[str, Any]:
    """``nav_can``: what the signed-in user's role may do (the one permission rule), for menus."""
    from ordo.accounts.roles import role_of
    from ordo.orders.permissions import allowed

    user = getattr(request, "user", None)
    return {"nav_can": SimpleLazyObject(lambda: allowed(role_of(user)) if user is not None else {})}
