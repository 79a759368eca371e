"""Words the pages show for Ordo's stable codes (payment statuses, sources, timeline entries,
error and guard codes), in the page's language. The codes stay English in the API; people read these."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

PAYMENT_STATUS = {
    "unpaid": _("Unpaid"),
    "partially_paid": _("Partially paid"),
    "paid": _("Paid"),
    "partially_refunded": _("Partially refunded"),
    "refunded": _("Refunded"),
}

SOURCE = {"site": _("Site"), "app": _("App"), "panel": _("Desk"), "api": _("API")}

HISTORY_KIND = {"manual": _("by hand"), "event": _("automatic"), "timer": _("by timer")}

MESSAGE_STATUS = {
    "pending": _("waiting"),
    "sending": _("sending"),
    "sent": _("delivered"),
    "failed": _("failed"),
    "dead": _("gave up"),
    "skipped": _("skipped: no address"),
}

CHANNEL = {"email": _("E-mail"), "sms": _("SMS"), "webhook": _("Webhook")}

LEDGER_KIND = {
    "payment": _("Payment"),
    "refund": _("Refund"),
    "deferral": _("Deferred payment agreed"),
    "moved_out": _("Paid money moved to a split order"),
    "moved_in": _("Paid money moved from a split order"),
}

LEDGER_STATE = {"confirmed": _("confirmed"), "pending": _("pending"), "failed": _("failed")}

LINK_KIND = {
    "duplicate": _("Duplicate"),
    "split": _("Split"),
    "subcontract": _("Subcontract"),
    "manual": _("Linked by hand"),
}

ACTIVITY = {
    "note": _("Note"),
    "payment_channel_changed": _("Payment channel changed"),
    "manager_assigned": _("Manager assigned"),
    "contractor_assigned": _("Contractor assigned"),
    "courier_assigned": _("Courier assigned"),
    "issue_date_set": _("Issue date set"),
    "linked": _("Linked"),
    "unlinked": _("Link removed"),
    "items_moved": _("Items moved to a split order"),
    "items_edited": _("Items edited"),
    "materials_changed": _("Materials changed"),
    "discount_added": _("Discount added"),
    "discount_removed": _("Discount removed"),
    "refund_requested": _("Refund requested"),
    "refunded": _("Refunded"),
    "payment_flagged": _("Payment flagged for review"),
    "payment_failed": _("Payment failed"),
    "stock_checked": _("Stock checked"),
    "document_issued": _("Document issued"),
}

GUARD = {
    "has_items": _("The order has no items."),
    "paid_in_full": _("The order is not paid in full."),
    "paid_or_deferred": _("The order is neither paid nor on deferred payment."),
    "all_items_final": _("Some items are not finished yet."),
    "stock_checked": _("The stock check has not finished yet; please wait a few minutes."),
    "materials_in_stock": _("Some items wait for materials."),
    "materials_short": _("Every material is in stock."),
}

ERROR = {
    "not_found": _("Not found."),
    "wrong_status": _("The order has moved on: it is no longer in a status this step starts from."),
    "status_changed": _("Someone changed the order meanwhile; look again and retry."),
    "forbidden": _("You may not do this."),
    "guards_failed": _("Not yet:"),
    "invalid_items": _("Check the items: each needs a name, a quantity of at least 1 and a price."),
    "invalid_customer": _("Check the customer's details."),
    "invalid_assignee": _("This person cannot be assigned."),
    "contractor_unfit": _("This contractor does not take every item of the order."),
    "no_delivery": _("Nothing is delivered for this order type."),
    "invalid_link": _("This link cannot be made."),
    "already_linked": _("These orders are already linked."),
    "unknown_channel": _("Choose an enabled payment channel."),
    "channel_locked": _("The channel cannot change once the order is paid."),
    "invalid_amount": _("Enter an amount above zero."),
    "refund_exceeds_paid": _("A refund cannot exceed what was paid."),
    "nothing_to_refund": _("Nothing is left to refund."),
    "wallet_needs_account": _("Paying from the wallet needs an account."),
    "insufficient_funds": _("The wallet balance is too low."),
    "gateway_not_configured": _("Card payments are not set up yet."),
    "gateway_error": _("The card gateway did not answer; try again later."),
    "manual_channel": _("This channel is paid outside Ordo: staff record the payment."),
    "already_paid": _("The order is paid already."),
    "prices_locked": _("Prices cannot change any more."),
}


def guard_message(code: str, fallback: str) -> str:
    return str(GUARD[code]) if code in GUARD else fallback


def error_message(code: str, fallback: str, extra: dict[str, Any] | None = None) -> str:
    """A refusal in the page's language; guards list each failed guard after the lead-in."""
    if code == "guards_failed" and extra and extra.get("failed_guards"):
        reasons = " ".join(guard_message(g["code"], g["message"]) for g in extra["failed_guards"])
        return f"{ERROR['guards_failed']} {reasons}"
    return str(ERROR[code]) if code in ERROR else fallback
