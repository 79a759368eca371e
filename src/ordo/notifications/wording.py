"""Message templates admins write: per event, recipient, channel (e-mail, SMS) and language, in
place of the shipped wording (``phrases``). A template is checked when saved — a known event,
recipient, channel and language; Django template syntax that compiles; placeholders that exist —
and refused with the reason otherwise. Line endings are normalized, so paragraphs typed in a
browser (CRLF) stay paragraphs. A preview renders it with a real order, in any language, without
sending anything; a reset drops it, and the shipped wording speaks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from ordo.errors import DomainError
from ordo.notifications.models import Channel, Message, TemplateOverride
from ordo.notifications.outbox import order_as_it_is
from ordo.notifications.phrases import PHRASES, pick
from ordo.notifications.render import Rendered, render
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.permissions import Action, require
from ordo.workflow.snapshot import Actor

#: Every event that sends words: the shipped wording has a subject for each.
EVENTS = tuple(sorted({key.split(".")[0] for key in PHRASES["en"] if key.endswith(".subject")}))
#: "" is everyone without a template of their own.
RECIPIENTS = ("", "customer", "manager", "contractor", "courier", "admins", "subscriber")
CHANNELS = (Channel.EMAIL.value, Channel.SMS.value)
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

#: What a template may write, and what each stands for (shown beside the editor).
PLACEHOLDERS = {
    "number": _("the order's number"),
    "status": _("the order's status (or the item's), named in the message's language"),
    "previous": _("the status before"),
    "shop": _("the business's name (Settings)"),
    "payment": _("the payment status"),
    "item": _("the item's name (item events)"),
    "target": _("the item's link or target"),
    "courier": _("the courier's name"),
    "eta": _("the expected delivery or move time"),
    "comment": _("the comment given with the change"),
    "product": _("the product (stock alerts)"),
    "author": _("who wrote (messages on the order)"),
    "order.total": _("the order's total with its currency"),
    "order.paid": _("what has been paid"),
    "order.customer": _("the customer's name"),
    "order.placed": _("the day the order was placed"),
    "order.external_number": _("the order's number in another system"),
    "order.delivery_address": _("the delivery address"),
    "language": _("the message's language code"),
}
_KNOWN_ROOTS = {name.split(".")[0] for name in PLACEHOLDERS} | {"links", "forloop", "link"}
_VARIABLE = re.compile(r"{{\s*([A-Za-z_][\w]*)")


@dataclass(frozen=True)
class Key:
    event: str
    recipient: str
    channel: str
    language: str


def _refuse(reason: str, **details: object) -> DomainError:
    return DomainError(OrderErrorCode.INVALID_TEMPLATE, reason, **details)


def template_key(event: str, recipient: str, channel: str, language: str) -> Key:
    if event not in EVENTS:
        raise _refuse(f"Unknown event {event!r}; the events are {', '.join(EVENTS)}.", field="event")
    if recipient not in RECIPIENTS:
        raise _refuse(
            f"Unknown recipient {recipient!r}; the recipients are {', '.join(r or '(all)' for r in RECIPIENTS)}.",
            field="recipient",
        )
    if channel not in CHANNELS:
        raise _refuse(f"Templates are for {' and '.join(CHANNELS)}; not {channel!r}.", field="channel")
    if language not in LANGUAGES:
        raise _refuse(f"Unknown language {language!r}; the languages are {', '.join(LANGUAGES)}.", field="language")
    return Key(event, recipient, channel, language)


def template_check(subject: str, body: str) -> tuple[str, str]:
    """The subject (one line) and body (LF line endings) as kept, or the reason they cannot be."""
    subject = " ".join(subject.replace("\r", "\n").split())
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise _refuse("The template needs a body.", field="body")
    if len(subject) > 300:
        raise _refuse("The subject is at most 300 characters.", field="subject")
    for field, text in (("subject", subject), ("body", body)):
        try:
            Template(text)
        except TemplateSyntaxError as error:
            raise _refuse(f"The {field} is not a valid template: {error}", field=field) from None
        unknown = sorted({name for name in _VARIABLE.findall(text) if name not in _KNOWN_ROOTS})
        if unknown:
            raise _refuse(
                f"The {field} names placeholders that do not exist: {', '.join(unknown)}.", field=field, unknown=unknown
            )
    return subject, body


def template_save(
    *, actor: Actor, event: str, recipient: str, channel: str, language: str, subject: str, body: str
) -> TemplateOverride:
    require(actor, Action.CONFIGURE)
    key = template_key(event, recipient, channel, language)
    subject, body = template_check(subject, body)
    saved, _created = TemplateOverride.objects.update_or_create(
        event=key.event,
        recipient=key.recipient,
        channel=key.channel,
        language=key.language,
        defaults={"subject": subject, "body": body},
    )
    return saved


def template_reset(*, actor: Actor, event: str, recipient: str, channel: str, language: str) -> bool:
    """Drop the template: the shipped wording speaks again. False where there was none."""
    require(actor, Action.CONFIGURE)
    key = template_key(event, recipient, channel, language)
    deleted, _ = TemplateOverride.objects.filter(
        event=key.event, recipient=key.recipient, channel=key.channel, language=key.language
    ).delete()
    return bool(deleted)


def templates() -> QuerySet[TemplateOverride]:
    return TemplateOverride.objects.order_by("event", "recipient", "channel", "language")


def shipped(event: str, recipient: str, language: str) -> tuple[str, str]:
    """The shipped wording as a template (``{number}`` written ``{{ number }}``): where an admin
    starts from, and what a reset brings back."""

    def as_template(text: str) -> str:
        return re.sub(r"{(\w+)}", r"{{ \1 }}", text)

    who = recipient or "customer"
    lead = pick(language, event, "lead", who)
    reply = pick(language, event, "reply", who)
    body = "\n\n".join(part for part in (lead, reply) if part)
    return as_template(pick(language, event, "subject", who)), as_template(body)


def template_preview(
    *,
    actor: Actor,
    event: str,
    recipient: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    order: Order,
) -> Rendered:
    """The template rendered with ``order`` in ``language``, as it would be sent (nothing is)."""
    require(actor, Action.CONFIGURE)
    key = template_key(event, recipient, channel, language)
    subject, body = template_check(subject, body)
    items = list(order.items.all())
    last = order.history.exclude(from_status="").order_by("-id").first()
    context = {
        "number": order.number,
        "status": order.status,
        "from": last.from_status if last else "",
        "payment_status": order.payment_status,
        "at_event": order_as_it_is(order, items),
    }
    message = Message(
        event=key.event,
        order_id=order.pk,
        recipient=key.recipient or "customer",
        channel=key.channel,
        context=context,
    )
    return render(message, override=TemplateOverride(subject=subject, body=body), language=key.language)
