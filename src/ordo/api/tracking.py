"""Guest tracking: the order behind a tracking link, with no login. The link's token is random and
unguessable; the answer holds nothing personal beyond what the e-mail with the link showed (no
names, addresses, phone numbers, comments or who did what)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ordo.api import schemas as s
from ordo.api.types import Text
from ordo.orders import presenters

router = Router(tags=["tracking"])


@router.get(
    "/track/{token}",
    auth=None,
    response={200: s.TrackingOut, 404: s.ErrorOut, 422: s.ErrorOut},
    summary="Follow an order by its tracking link",
)
def track(request: HttpRequest, token: Text):
    return presenters.order_tracking(token, getattr(request, "LANGUAGE_CODE", "en"))
