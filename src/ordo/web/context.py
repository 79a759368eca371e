from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def business(request: HttpRequest) -> dict[str, str]:
    """The business name every page's header shows."""
    return {"business_name": settings.ORDO_BUSINESS_NAME}
