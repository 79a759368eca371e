"""One order's story as one list, oldest first: status changes (with actor and kind), payments and
refunds, notifications with their delivery state, assignments, links and notes. Staff see it all;
a customer sees what concerns them (statuses, money, documents), never who on the staff did what.
Six queries at most, whatever the order's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordo.notifications.models import Message
from ordo.orders.models import Order
from ordo.orders.presenters import history_rows
from ordo.orders.workflows import status_finder
from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.web import labels
from ordo.web.templatetags.ordo_tags import money
from ordo.workflow.definition import label_for

Audience = Literal["staff", "customer"]
#: What a customer's timeline keeps of the activity log.
CUSTOMER_ACTIVITY = {"refunded", "document_issued", "message"}
#: A message's heading by who reads the timeline and which side wrote it.
MESSAGE_TITLE = {
    ("staff", "customer"): gettext_lazy("Message from the customer"),
    ("staff", "staff"): gettext_lazy("Message to the customer"),
    ("customer", "customer"): gettext_lazy("Your message"),
    ("customer", "staff"): gettext_lazy("Message from the shop"),
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # status | money | message | activity
    title: str
    detail: str = ""
    actor: str = ""


def order_timeline(order: Order, *, audience: Audience, language: str) -> list[Entry]:
    find = status_finder(order)

    def label(code: str, item: bool = False) -> str:
        found = find(code, item)
        return found.label(language) if found else code

    staff = audience == "staff"
    entries: list[Entry] = []
    for row in history_rows(order, internal=staff):
        target = label(row["to"], item=row["item"] is not None)
        title = f"{row['item_name']}: {target}" if row["item_name"] else target
        # Staff read how the status changed (by hand, a rule, a timer); a customer reads the comment.
        how = str(labels.HISTORY_KIND.get(row["kind"], row["kind"])) if staff else ""
        detail = " · ".join(part for part in (how, row["comment"]) if part)
        entries.append(Entry(row["at"], "status", title, detail, who(row["actor"])))
    channels = {c.code: label_for(c.labels, language, c.code) for c in PaymentChannel.objects.all()}
    for entry in order.ledger.select_related("recorded_by").order_by("id"):
        if not staff and entry.state != LedgerEntry.State.CONFIRMED:
            continue
        title = f"{labels.LEDGER_KIND.get(entry.kind, entry.kind)}: {money(entry.amount, entry.currency)}"
        parts = [str(labels.LEDGER_STATE.get(entry.state, entry.state))]
        if entry.channel:
            parts.append(channels.get(entry.channel, entry.channel))
        if staff and entry.reference:
            parts.append(entry.reference)
        if staff and entry.flagged:
            parts.append(entry.flag_reason)
        actor = entry.recorded_by.get_username() if staff and entry.recorded_by else ""
        entries.append(Entry(entry.recorded_at, "money", title, " · ".join(parts), actor))
    if staff:
        for message in Message.objects.filter(order=order).order_by("id"):
            channel = labels.CHANNEL.get(message.channel, message.channel)
            state = labels.MESSAGE_STATUS.get(message.status, message.status)
            about = message.subject or labels.EVENT.get(message.event, message.event)
            title = f"{channel} → {message.address or message.recipient}: {about}"
            detail = _("%(state)s, attempts: %(attempts)s") % {"state": state, "attempts": message.attempts}
            if message.last_error and message.status != Message.Status.SENT:
                detail = f"{detail} · {message.last_error[:200]}"
            entries.append(Entry(message.sent_at or message.created_at, "message", title, detail))
    acts = [act for act in order.activity.order_by("id") if staff or act.kind in CUSTOMER_ACTIVITY]
    people = _usernames(acts)
    for act in acts:
        title = str(labels.ACTIVITY.get(act.kind, act.kind))
        if act.kind == "message":
            title = str(MESSAGE_TITLE.get((audience, act.detail.get("side", "")), title))
        detail = _activity_detail(act.kind, act.detail, people)
        entries.append(Entry(act.at, "activity", title, detail, who(act.actor_name) if staff else ""))
    entries.sort(key=lambda entry: entry.at)
    return entries


ASSIGNMENTS = ("manager_assigned", "contractor_assigned")


def who(actor_name: str) -> str:
    """Who did it, as a person reads it: "automatic" for Ordo itself (timers, event rules, the
    worker), the gateway or the courier by name; a staff member by their username."""
    if actor_name == "system":
        return str(labels.HISTORY_KIND["event"])
    for prefix, word in (("gateway: ", _("payment gateway %(name)s")), ("courier: ", _("courier %(name)s"))):
        if actor_name.startswith(prefix):
            return word % {"name": actor_name.removeprefix(prefix)}
    return actor_name


def _usernames(rows) -> dict[int, str]:
    """Who the assignment rows name, in one query."""
    ids = {row.detail.get(end) for row in rows if row.kind in ASSIGNMENTS for end in ("from", "to")}
    return dict(User.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "username"))


FIELD = {
    "external_number": gettext_lazy("external number"),
    "notes": gettext_lazy("notes"),
    "delivery_address": gettext_lazy("delivery address"),
}


def _item_change(row: list[str]) -> str:
    sku, what, before, after = [*row, "", "", "", ""][:4]
    if what == "added":
        return _("%(sku)s added: %(line)s") % {"sku": sku, "line": after}
    if what == "removed":
        return _("%(sku)s removed") % {"sku": sku}
    if what == "price":
        return _("%(sku)s price %(before)s → %(after)s") % {"sku": sku, "before": before, "after": after}
    return _("%(sku)s quantity %(before)s → %(after)s") % {"sku": sku, "before": before, "after": after}


def _activity_detail(kind: str, detail: dict, people: dict[int, str]) -> str:
    if kind in ASSIGNMENTS:
        return " → ".join(people.get(detail.get(end) or 0, "—") for end in ("from", "to"))
    if kind in ("note", "message"):
        return str(detail.get("text", ""))
    if kind in ("linked", "unlinked", "items_moved"):
        return f"№ {detail.get('order', '')} {detail.get('reason', '')}".strip()
    if kind == "document_issued":
        return f"{detail.get('number', '')} v{detail.get('version', 1)}"
    if kind == "courier_assigned":
        return str(detail.get("name", ""))
    if kind == "claimed":
        return str(detail.get("account", ""))
    if kind == "payment_channel_changed":
        return f"{detail.get('from') or '—'} → {detail.get('to')}"
    if kind in ("refunded", "refund_requested"):
        return f"{detail.get('amount', '')} → {detail.get('to', '')}"
    if kind in ("discount_added", "discount_removed"):
        return str(detail.get("name", ""))
    if kind == "items_edited":
        return "; ".join(_item_change(row) for row in detail.get("changes", []))
    if kind == "details_edited":
        return "; ".join(
            f"{FIELD.get(name, name)}: {change.get('from') or '—'} → {change.get('to') or '—'}"
            for name, change in detail.items()
        )
    if kind in ("payment_failed", "payment_flagged"):
        return str(detail.get("reason", ""))
    return ""
