"""What the engine knows about an order when it decides: plain values, read once under the row lock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemFacts:
    id: int
    status: str | None = None
    final: bool = False
    #: Staff's word for items whose materials are not tracked in the catalog.
    in_stock: bool = True
    #: Some catalog material of the item is not free in stock.
    materials_short: bool = False


@dataclass(frozen=True)
class Snapshot:
    """The order as guards see it. For an item transition ``status`` is the item's status."""

    status: str
    currency: str = "EUR"
    total: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    payment_status: str = "unpaid"
    deferred_payment: bool = False
    items: tuple[ItemFacts, ...] = ()
    #: The background stock check of the current reservation has finished.
    stock_checked: bool = False

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.refunded


@dataclass(frozen=True)
class Actor:
    """Who fires a transition. ``role`` is one of ``definition.KNOWN_ROLES``."""

    role: str
    id: int | None = None
    name: str = ""
    #: The statuses this employee may move orders into; None = all their role permits.
    allowed_statuses: frozenset[str] | None = None

    @property
    def is_system(self) -> bool:
        return self.role == "system"


SYSTEM = Actor(role="system", name="system")
