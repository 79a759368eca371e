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

#: Who may take a step, as the workflow editor names the roles.
ROLE = {
    "admin": _("admins"),
    "manager": _("managers"),
    "contractor": _("contractors"),
    "courier": _("couriers"),
    "customer": _("the customer"),
    "partner": _("partners"),
}
#: Whom a notification or a timer's warning goes to.
RECIPIENT = {
    "customer": _("the customer"),
    "manager": _("the order's manager"),
    "admins": _("admins"),
    "contractor": _("the contractor"),
    "courier": _("the courier"),
}

HISTORY_KIND = {
    "manual": _("by hand"),
    "event": _("automatic"),
    "timer": _("by timer"),
    "version": _("moved to a new workflow version"),
}

MESSAGE_STATUS = {
    "pending": _("waiting"),
    "sending": _("sending"),
    "sent": _("delivered"),
    "failed": _("failed"),
    "dead": _("gave up"),
    "skipped": _("skipped: no address"),
}

#: What a notification is about, until the worker has written its subject.
EVENT = {
    "order_placed": _("Order placed"),
    "status_changed": _("Status changed"),
    "payment_changed": _("Payment changed"),
    "item_status_changed": _("Item status changed"),
    "courier_assigned": _("Courier assigned"),
    "timer_warning": _("Deadline coming"),
    "archive_ready": _("Print files ready"),
    "stock_checked": _("Stock checked"),
}
#: The other messages Ordo sends, as the template editor names them.
MESSAGE_EVENT = {
    **EVENT,
    "alert_opened": _("Back-in-stock alert opened"),
    "back_in_stock": _("Back in stock"),
    "claim_orders": _("Earlier orders to add to an account"),
    "confirm_email": _("E-mail address to confirm"),
    "order_message": _("Message on an order"),
    "password_reset": _("Password reset"),
    "webhook_disabled": _("Webhook switched off"),
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

DOCUMENT_KIND = {"invoice": _("Invoice"), "contract": _("Contract"), "act": _("Act of acceptance")}

ACTIVITY = {
    "note": _("Note"),
    "message": _("Message"),
    "claimed": _("Joined the customer's account"),
    "payment_channel_changed": _("Payment channel changed"),
    "manager_assigned": _("Manager assigned"),
    "contractor_assigned": _("Contractor assigned"),
    "courier_assigned": _("Courier assigned"),
    "issue_date_set": _("Issue date set"),
    "linked": _("Linked"),
    "unlinked": _("Link removed"),
    "items_moved": _("Items moved to a split order"),
    "items_edited": _("Items edited"),
    "details_edited": _("Details edited"),
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

#: What each guard asks of the order, as the workflow editor names it (GUARD above says why it failed).
GUARD_NAME = {
    "has_items": _("The order has items"),
    "paid_in_full": _("Paid in full"),
    "paid_or_deferred": _("Paid, or on deferred payment"),
    "all_items_final": _("Every item is finished"),
    "stock_checked": _("The stock check has finished"),
    "materials_in_stock": _("Every material is in stock"),
    "materials_short": _("Some material is short"),
}

#: What each effect does in the step's transaction, as the workflow editor names it.
EFFECT_NAME = {
    "check_stock": _("Check the stock in the background"),
    "release_stock": _("Give back the stock held for the order"),
    "consume_stock": _("Take the held stock out of the warehouse"),
    "take_materials": _("Hold the items' materials"),
    "set_issue_date": _("Set the issue date to now"),
    "credit_wallet": _("Credit the customer's wallet (a top-up)"),
    "refund_item": _("Refund the item"),
    "start_items": _("Start the order's items"),
    "issue_documents": _("Issue documents"),
    "correct_invoice": _("Correct the invoice"),
}

#: What an event rule of a workflow listens to (workflow.loader.KNOWN_EVENTS), as the editor names it.
RULE_EVENT = {
    "payment.paid": _("The order is paid in full"),
    "payment.partially_paid": _("Part of the order is paid"),
    "payment.refunded": _("The payment is refunded"),
    "payment.partially_refunded": _("Part of the payment is refunded"),
    "items.all_final": _("Every item is finished"),
    "stock.arrived": _("The stock the order waits for arrived"),
}

#: The parameters of guards and effects (workflow.edit.PARAMS), as the workflow editor names them.
PARAM_NAME = {
    "catalog_only": _("catalogue products only"),
    "kinds": _("which (invoice, contract, act)"),
    "transition": _("the items' step (default: start)"),
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
    "invalid_amount": _("Enter an amount above zero and no more than is owed."),
    "refund_exceeds_paid": _("A refund cannot exceed what was paid."),
    "nothing_to_refund": _("Nothing is left to refund."),
    "wallet_needs_account": _("Paying from the wallet needs an account."),
    "insufficient_funds": _("The wallet balance is too low."),
    "gateway_not_configured": _("Card payments are not set up yet."),
    "gateway_error": _("The card gateway did not answer; try again later."),
    "manual_channel": _("This channel is paid outside Ordo: staff record the payment."),
    "already_paid": _("The order is paid already."),
    "prices_locked": _("Prices cannot change any more."),
    "invalid_note": _("Write something in the note."),
    "invalid_message": _("Write your message (up to 5,000 characters)."),
    "invalid_courier": _("Check the courier: a name, and an e-mail address that looks like one."),
    "invalid_period": _("Dates are written as YYYY-MM-DD."),
    "invalid_checkout": _("Check the order form: the items, how you receive the order and the date."),
    "invalid_bulk": _("Choose from 1 to 1,000 orders for one action."),
    "amount_out_of_range": _("The amount is too large: amounts go up to 999 999 999 999.99."),
    "unknown_transition": _("This step does not exist for this order."),
    "unknown_type": _("Choose one of the order types."),
    "unknown_item": _("The order has no such item."),
    "no_item_workflow": _("The items of this order have no statuses of their own."),
    "idempotency_key_reused": _("This request key was used for another request."),
    "preset_invalid": _("The preset has mistakes; nothing was changed."),
    "status_in_use": _("Orders are in a status this version removes: say where each of them goes."),
    "version_conflict": _("Another version was published meanwhile: open the draft again."),
    "invalid_template": _("The template cannot be used; the reason is given."),
    "invalid_setting": _("The setting cannot be saved; the reason is given."),
    "unknown_partner": _("No active partner has this code."),
    "unknown_link": _("The order has no such link."),
    "split_refused": _("This order cannot be split: it is closed or has refunds."),
    "invalid_discount": _("Check the discount: a name, and an amount or a percent of at most 100."),
    "unknown_discount": _("The order has no such discount."),
    "channel_disabled": _("This payment channel is switched off."),
    "currency_mismatch": _("The amount is in another currency than the order."),
    "item_already_refunded": _("This item was refunded already."),
    "bad_signature": _("The signature does not verify."),
    "unknown_gateway": _("No such payment gateway."),
    "invalid_webhook": _("The payment gateway's message is not of the expected shape."),
    "unknown_customer": _("No such customer."),
    "customer_exists": _("An account with this e-mail exists already."),
    "invalid_member": _("Only people become members of organizations."),
    "partner_exists": _("This partner code is taken."),
    "invalid_partner": _("This user cannot be a partner."),
    "unknown_token": _("No such access key."),
    "invalid_claim": _("This link is not valid: it is for another account or older than three days."),
    "invalid_tiers": _("Check the discount tiers: each needs a name, a threshold and a percent."),
    "unknown_product": _("No product is sold under this SKU."),
    "invalid_product": _("Check the product: a SKU, a name and a price."),
    "product_exists": _("A product with this SKU exists already."),
    "invalid_stock": _("Check the quantities."),
    "invalid_import": _("The file cannot be imported: check its rows."),
    "items_locked": _("The items of the order can no longer change."),
    "materials_taken": _("The materials were taken from stock already: they cannot change."),
    "in_stock": _("The product is in stock now: order it straight away."),
    "invalid_alert": _("An e-mail address is needed to tell you."),
    "unknown_alert": _("This alert does not exist."),
    "document_exists": _("This document exists already; reissue it with a reason to change it."),
    "no_document": _("The order has no such document."),
    "unknown_document_kind": _("No such kind of document."),
    "invalid_file": _("The file cannot be accepted: check its type and size."),
}


def guard_message(code: str, fallback: str) -> str:
    return str(GUARD[code]) if code in GUARD else fallback


def error_message(code: str, fallback: str, extra: dict[str, Any] | None = None) -> str:
    """A refusal in the page's language; guards list each failed guard after the lead-in."""
    if code == "guards_failed" and extra and extra.get("failed_guards"):
        reasons = " ".join(guard_message(g["code"], g["message"]) for g in extra["failed_guards"])
        return f"{ERROR['guards_failed']} {reasons}"
    return str(ERROR[code]) if code in ERROR else fallback
