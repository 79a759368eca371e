"""``/couriers``: the directory of delivery providers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ordo.accounts.roles import actor_for
from ordo.api import schemas as s
from ordo.delivery.models import Courier
from ordo.delivery.services import courier_create
from ordo.orders.permissions import Action, require

router = Router(tags=["couriers"])
ERRORS = s.ERRORS


def _staff(request: HttpRequest) -> None:
    require(actor_for(request.user), Action.MANAGE_COURIERS)


@router.get("/couriers", response={200: list[s.CourierOut], **ERRORS}, summary="List couriers")
def list_couriers(request: HttpRequest, active: bool | None = None):
    _staff(request)
    couriers = Courier.objects.all()
    if active is not None:
        couriers = couriers.filter(active=active)
    return list(couriers)


@router.post("/couriers", response={201: s.CourierOut, **ERRORS}, summary="Add a courier")
def create_courier(request: HttpRequest, payload: s.CourierIn):
    _staff(request)
    return Status(201, courier_create(**payload.model_dump()))
