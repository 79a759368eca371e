"""``/couriers``: the directory of delivery providers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ordo.accounts.models import Role
from ordo.accounts.roles import role_of
from ordo.api import schemas as s
from ordo.delivery.models import Courier
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode

router = Router(tags=["couriers"])
ERRORS = s.ERRORS


def _staff(request: HttpRequest) -> None:
    if role_of(request.user) not in (Role.ADMIN, Role.MANAGER):
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only staff may manage couriers.")


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
    return Status(201, Courier.objects.create(**payload.model_dump()))
