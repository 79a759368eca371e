"""One action on many orders (the desk's list): each order is tried on its own, under its own lock
and in its own transaction, so one refusal never undoes or blocks the others. The outcome lists
what was done and, for each order refused, the error that says why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from ordo.errors import DomainError
from ordo.orders import services
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.workflow.snapshot import Actor

#: The most orders one action takes: enough for a day's shipments, few enough to answer in seconds.
MAX_ORDERS = 1000


@dataclass
class Outcome:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, DomainError]] = field(default_factory=list)


def numbers_check(numbers: Sequence[int]) -> list[int]:
    """The order numbers once each, in the order given; refused when there are none or too many."""
    unique = list(dict.fromkeys(numbers))
    if not unique:
        raise DomainError(OrderErrorCode.INVALID_BULK, "Choose at least one order.")
    if len(unique) > MAX_ORDERS:
        raise DomainError(
            OrderErrorCode.INVALID_BULK,
            f"{len(unique):,} orders are chosen; one action takes at most {MAX_ORDERS:,}.",
            count=len(unique),
            limit=MAX_ORDERS,
        )
    return unique


def each(numbers: Sequence[int], act: Callable[[int], object]) -> Outcome:
    outcome = Outcome()
    for number in numbers_check(numbers):
        try:
            act(number)
        except DomainError as error:
            outcome.refused.append((number, error))
        else:
            outcome.done.append(number)
    return outcome


def bulk_transition(
    numbers: Sequence[int], *, transition: str, actor: Actor, comment: str = "", visible: QuerySet[Order] | None = None
) -> Outcome:
    """Fire ``transition`` on each order (guards, roles and effects as for one)."""
    return each(
        numbers,
        lambda number: services.order_transition(
            number=number, transition=transition, actor=actor, comment=comment, visible=visible
        ),
    )


def bulk_assign(
    numbers: Sequence[int],
    *,
    actor: Actor,
    visible: QuerySet[Order] | None = None,
    **people: int | None,
) -> Outcome:
    """Assign a manager, contractor and/or courier (``manager_id=``, ``contractor_id=``,
    ``courier_id=``; None takes one off) on each order."""
    if not people or set(people) - {"manager_id", "contractor_id", "courier_id"}:
        raise DomainError(OrderErrorCode.INVALID_BULK, "Choose whom to assign: a manager, a contractor or a courier.")
    return each(
        numbers,
        lambda number: services.order_update(number=number, actor=actor, visible=visible, **people),  # type: ignore[arg-type]
    )
