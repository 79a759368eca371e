"""Who may do what to an order: one rule per action, asked by the services, the API, the desk
and the portal alike.

Visibility comes first and is not decided here: an order outside ``orders_visible_to`` is "not
found" for everyone. This module answers the next question, for an order the user sees: may their
role take this action at all? Conditions that depend on the order itself (a fully paid order's
channel is locked, items are editable only in some statuses) stay with the service that knows them.

The services call ``require`` with the actor they were given, so every way in (a page, the API, a
script) is refused alike; the pages call ``may`` to decide which forms to draw.
"""

from __future__ import annotations

from enum import StrEnum

from ordo.accounts.models import Role
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.workflow.snapshot import Actor


class Action(StrEnum):
    #: The full order with staff's side: the activity log (internal notes), history with who and why.
    READ_INTERNAL = "read_internal"
    #: The delivery log of the order's notifications, and sending one again.
    READ_NOTIFICATIONS = "read_notifications"
    #: Pay online: by card through the gateway, or from the customer's wallet.
    PAY = "pay"
    #: Choose another payment channel (fees follow it) while the order is not fully paid.
    CHANGE_CHANNEL = "change_channel"
    #: Edit the order's details: delivery address, external number, notes, issue date.
    EDIT = "edit"
    #: Assign a manager, contractor or courier.
    ASSIGN = "assign"
    #: Change the items' quantities (the customer, while the workflow's status allows it).
    EDIT_ITEMS = "edit_items"
    #: Set an item's price other than the catalog's (a customer's lines are priced by the catalog).
    SET_PRICES = "set_prices"
    #: Record money received outside Ordo, or a deferred-payment agreement.
    RECORD_PAYMENT = "record_payment"
    REFUND = "refund"
    DISCOUNT = "discount"
    #: Link orders, copy, split, subcontract.
    LINK = "link"
    #: Write a note on the order's timeline (staff only, never shown to the customer).
    NOTE = "note"
    #: Write to the other side on the order: the customer to the shop, a manager to the customer.
    WRITE_MESSAGE = "write_message"
    READ_DOCUMENTS = "read_documents"
    ISSUE_DOCUMENTS = "issue_documents"
    #: Enter orders for any customer (phone, chat, e-mail).
    PLACE_FOR_OTHERS = "place_for_others"
    #: Place an order for oneself (or one's organization).
    PLACE_OWN = "place_own"
    #: Export the list of orders (with the customers' contacts) as a file.
    EXPORT = "export"
    #: The customer directory: profiles with contacts, orders and notes; editing them.
    READ_CUSTOMERS = "read_customers"
    EDIT_CUSTOMERS = "edit_customers"
    #: Products, stock counts, receipts of goods and catalog imports.
    MANAGE_CATALOG = "manage_catalog"
    #: The courier directory: adding couriers, switching them off.
    MANAGE_COURIERS = "manage_couriers"
    #: The dashboard and the reports (figures of the orders one sees; money included).
    READ_REPORTS = "read_reports"
    #: A customer's wallet: balance and history (one's own wallet is always one's own to read).
    READ_WALLETS = "read_wallets"
    #: How the business works: workflows and their versions, message templates, the business's
    #: own details. Not about one order: ``require`` it with the actor alone.
    CONFIGURE = "configure"


_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
_STAFF = _MANAGERS | {Role.CONTRACTOR}

#: The rule: which roles may take each action on an order they see. The system (timers, event
#: rules, webhooks) may take every action.
RULES: dict[Action, frozenset[str]] = {
    Action.READ_INTERNAL: _STAFF,
    Action.READ_NOTIFICATIONS: _MANAGERS,
    Action.PAY: frozenset({Role.CUSTOMER}) | _MANAGERS,
    Action.CHANGE_CHANNEL: frozenset({Role.CUSTOMER}) | _MANAGERS,
    Action.EDIT: _MANAGERS,
    Action.ASSIGN: _MANAGERS,
    Action.EDIT_ITEMS: frozenset({Role.CUSTOMER}) | _MANAGERS,
    Action.SET_PRICES: _MANAGERS,
    Action.RECORD_PAYMENT: _MANAGERS,
    Action.REFUND: _MANAGERS,
    Action.DISCOUNT: _MANAGERS,
    Action.LINK: _MANAGERS,
    Action.NOTE: _STAFF,
    Action.WRITE_MESSAGE: frozenset({Role.CUSTOMER}) | _MANAGERS,
    Action.READ_DOCUMENTS: frozenset({Role.CUSTOMER}) | _MANAGERS,
    Action.ISSUE_DOCUMENTS: _MANAGERS,
    Action.PLACE_FOR_OTHERS: _MANAGERS,
    Action.PLACE_OWN: frozenset({Role.CUSTOMER}),
    Action.EXPORT: _MANAGERS,
    Action.READ_CUSTOMERS: _MANAGERS,
    Action.EDIT_CUSTOMERS: _MANAGERS,
    Action.MANAGE_CATALOG: _MANAGERS,
    Action.MANAGE_COURIERS: _MANAGERS,
    Action.READ_WALLETS: _MANAGERS,
    Action.READ_REPORTS: _MANAGERS,
    Action.CONFIGURE: frozenset({Role.ADMIN}),
}

_REFUSAL = {
    Action.READ_INTERNAL: "Only staff see an order's internal activity and history.",
    Action.PAY: "Only the customer and managers pay for an order in Ordo.",
    Action.CHANGE_CHANNEL: "Only the customer and managers choose the payment channel.",
    Action.EDIT_ITEMS: "Only the customer and managers change the items.",
    Action.READ_DOCUMENTS: "Only the customer and managers see an order's documents.",
    Action.PLACE_OWN: "Only customers place orders for themselves.",
    Action.WRITE_MESSAGE: "Only the customer and managers write messages on an order.",
    Action.CONFIGURE: "Only admins change how the business works (workflows, templates, settings).",
}


def may(role: str | None, action: Action) -> bool:
    """May a user of ``role`` (None: no role at all) take ``action`` on an order they see?"""
    if role == "system":
        return True
    return role is not None and role in RULES[action]


def require(actor: Actor, action: Action) -> None:
    """Refuse (``forbidden``) unless the actor's role may take ``action``."""
    if not may(actor.role, action):
        raise DomainError(OrderErrorCode.FORBIDDEN, _REFUSAL.get(action, "Only managers may do this."))


def allowed(role: str | None) -> dict[str, bool]:
    """Every action and whether ``role`` may take it: what a page needs to draw its forms."""
    return {action.value: may(role, action) for action in Action}
