"""Guest tracking: the order behind a tracking link, with no login. The link's token is random and
unguessable; the answer holds nothing personal beyond what the e-mail with the link showed (no
names, addresses, phone numbers, comments or who did what)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from ordo.api import schemas as s
from ordo.api.types import Text
from ordo.orders import selectors
from ordo.orders.workflows import compiled

router = Router(tags=["tracking"])


@router.get(
    "/track/{token}",
    auth=None,
    response={200: s.TrackingOut, 404: s.ErrorOut, 422: s.ErrorOut},
    summary="Follow an order by its tracking link",
)
def track(request: HttpRequest, token: Text):
    order = selectors.order_by_tracking_token(token)
    language = getattr(request, "LANGUAGE_CODE", "en")
    workflow = compiled(order.workflow)
    item_workflow = compiled(order.item_workflow) if order.item_workflow is not None else None

    def label(code: str, item: bool = False) -> dict[str, str] | None:
        flow = item_workflow if item else workflow
        found = flow.status(code) if flow is not None and code else None
        return None if found is None else {"code": found.code, "label": found.label(language)}

    items = list(order.items.all().order_by("id"))
    names = {item.pk: item.name for item in items}
    return {
        "number": order.number,
        "status": label(order.status),
        "payment_status": order.payment_status,
        "placed_date": timezone.localdate(order.placed_at),
        "total": order.total,
        "currency": order.currency,
        "items": [
            {
                "name": item.name,
                "quantity": item.quantity,
                "target": item.target,
                "status": label(item.status, item=True),
            }
            for item in items
        ],
        "timeline": [
            {
                "at": row.at,
                "item": names.get(row.item_id) if row.item_id else None,
                "status": label(row.to_status, item=row.item_id is not None),
            }
            for row in selectors.history_for(order)
        ],
    }
