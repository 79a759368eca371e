"""Messages on an order: the customer and the shop write to each other where the order is.

Each message is a row of the order's activity (so it stands in both timelines, the customer's and
the staff's) and an outbox row that e-mails the other side in the reader's language: the
customer's message goes to the order's manager (to the admins while it has none), a manager's to
the customer. Written under the order's lock, in one transaction with its e-mail.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from ordo.accounts.models import Role
from ordo.errors import DomainError
from ordo.notifications.models import Channel, Message
from ordo.notifications.outbox import order_as_it_is
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, lock_order
from ordo.workflow.snapshot import Actor

MAX_LENGTH = 5000
EVENT = "order_message"


def order_message_write(*, number: int, actor: Actor, text: str, visible: QuerySet[Order] | None = None) -> None:
    """Write ``text`` on order ``number`` as ``actor`` and tell the other side by e-mail."""
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > MAX_LENGTH:
        raise DomainError(OrderErrorCode.INVALID_MESSAGE, f"Write a message of 1 to {MAX_LENGTH} characters.")
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.WRITE_MESSAGE)
        side = "customer" if actor.role == Role.CUSTOMER else "staff"
        unit.note("message", {"text": text, "side": side})
        unit.flush()
        order = unit.order
        reader = "customer" if side == "staff" else ("manager" if order.manager_id else "admins")
        count = order.activity.filter(kind="message").count()
        Message.objects.create(
            event=EVENT,
            order=order,
            recipient=reader,
            channel=Channel.EMAIL,
            context={
                "event": EVENT,
                "number": order.number,
                "text": text,
                "author": actor.name if side == "staff" else order.customer.name,
                "at_event": order_as_it_is(order, list(order.items.all())),
            },
            dedupe_key=f"{order.number}:{EVENT}:{count}:{reader}:email",
            available_at=unit.now,
            created_at=unit.now,
        )
