"""Writes for delivery: assigning a courier, and the courier reporting from a link (delivered, or
could not deliver and why)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from ordo.business.details import business
from ordo.delivery.links import LinkError, LinkProblem, link_from_token
from ordo.delivery.models import Courier, CourierLink
from ordo.errors import DomainError
from ordo.notifications.outbox import Event
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.services import OrderUnit, delivery_check, lock_order
from ordo.workflow.definition import Transition, Workflow
from ordo.workflow.engine import may_fire
from ordo.workflow.snapshot import Actor


def order_assign_courier(
    *, number: int, courier_id: int | None, actor: Actor, visible: QuerySet[Order] | None = None
) -> Order:
    """Give the order to a courier (or take it back with ``None``).

    The courier is sent a new signed link (older links of the order stop working); the workflow's
    ``courier_assigned`` rules tell the courier and the customer, with the estimated delivery time.
    """
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        assign_courier(unit, courier_id)
        unit.flush()
    return unit.order


def assign_courier(unit: OrderUnit, courier_id: int | None) -> None:
    """The assignment itself, on an order already locked in the caller's transaction."""
    order = unit.order
    if courier_id == order.courier_id:
        return
    courier = None
    if courier_id is not None:
        delivery_check(order)
        courier = Courier.objects.filter(pk=courier_id, active=True).first()
        if courier is None:
            raise DomainError(OrderErrorCode.INVALID_ASSIGNEE, f"Courier {courier_id} is unknown or inactive.")
    CourierLink.objects.filter(order=order, used_at=None, revoked_at=None).update(revoked_at=unit.now)
    unit.note("courier_assigned", {"courier": courier.pk if courier else None, "name": courier.name if courier else ""})
    order.courier = courier
    unit.dirty.add("courier")
    if courier is not None:
        link = CourierLink.objects.create(
            order=order,
            courier=courier,
            created_at=unit.now,
            expires_at=unit.now + timedelta(days=business().courier_link_days),
        )
        eta = unit.now + timedelta(hours=business().delivery_estimate_hours)
        unit.tell(
            Event(
                "courier_assigned",
                key=f"c{link.pk}",
                facts={"courier": courier.pk, "link": link.pk, "eta": eta.isoformat()},
            )
        )


def courier_actor(courier: Courier) -> Actor:
    return Actor(role="courier", id=None, name=f"courier: {courier.name}")


def courier_steps(workflow: Workflow, status: str, actor: Actor) -> list[Transition]:
    """The transitions a courier may fire from ``status``: the one that delivers (into a final
    status) first, then the others ("could not deliver", back to the shop with a reason)."""
    steps = [t for t in workflow.transitions_from(status) if may_fire(workflow, t, actor, status)]
    return sorted(steps, key=lambda t: not delivers(workflow, t))


def delivers(workflow: Workflow, transition: Transition) -> bool:
    target = workflow.status(transition.target)
    return target is not None and target.final


def delivery_transition(workflow: Workflow, status: str, actor: Actor) -> str | None:
    """The transition a courier fires to mark the order delivered (``deliver`` in the shop)."""
    steps = courier_steps(workflow, status, actor)
    return steps[0].code if steps and delivers(workflow, steps[0]) else None


def courier_report(*, token: str, transition: str = "", comment: str = "") -> Order:
    """Fire, as the courier the link was made for, ``transition`` (the delivery when left out:
    "delivered", or another courier step such as "could not deliver" with its reason in
    ``comment``); the link is then used."""
    with transaction.atomic(durable=True):
        link = link_from_token(token, for_update=True)
        actor = courier_actor(link.courier)
        unit = OrderUnit(lock_order(link.order.number), actor=actor)
        if unit.order.courier_id != link.courier_id:
            raise LinkError(LinkProblem.REVOKED, link)
        steps = courier_steps(unit.workflow, unit.order.status, actor)
        code = transition or delivery_transition(unit.workflow, unit.order.status, actor)
        if code is None or code not in {t.code for t in steps}:
            raise DomainError(
                OrderErrorCode.WRONG_STATUS,
                f"Nothing to report in status {unit.order.status!r}.",
                status=unit.order.status,
            )
        unit.fire(code, comment=comment.strip()[:2000])
        unit.settle()
        link.used_at = unit.now
        link.save(update_fields=["used_at"])
        unit.flush()
    return unit.order


def courier_create(*, name: str, email: str = "", phone: str = "", language: str = "") -> Courier:
    """Add a courier to the directory (seed 002: "add courier"). A name is required; an e-mail must
    look like one (assignments are sent to it); a phone gets SMS where the shop has them."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name, email, phone = name.strip(), email.strip(), phone.strip()
    if not name or len(name) > 200:
        raise DomainError(OrderErrorCode.INVALID_COURIER, "A courier needs a name (up to 200 characters).")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(OrderErrorCode.INVALID_COURIER, f"{email!r} is not an e-mail address.") from None
    if language not in ("", *(code for code, _ in settings.LANGUAGES)):
        raise DomainError(OrderErrorCode.INVALID_COURIER, f"Unknown language {language!r}.")
    return Courier.objects.create(name=name, email=email, phone=phone[:40], language=language)


def courier_set_active(*, courier_id: int, active: bool) -> Courier:
    """Switch a courier off (no new assignments; links already sent stay good) or on again."""
    courier = Courier.objects.filter(pk=courier_id).first()
    if courier is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Courier {courier_id} not found.")
    if courier.active != active:
        courier.active = active
        courier.save(update_fields=["active"])
    return courier
