"""Turning an outbox row into words: who it goes to, in which language, and what it says."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from ordo.accounts.models import Customer, Role
from ordo.business.details import business
from ordo.money import money_text
from ordo.notifications.models import Channel, Message, TemplateOverride
from ordo.notifications.phrases import STAFF, phrase, pick
from ordo.orders.models import Order
from ordo.orders.selectors import tracking_url
from ordo.orders.workflows import compiled

SMS_LIMIT = 480


@dataclass
class Rendered:
    addresses: list[str]
    language: str
    subject: str = ""
    text: str = ""
    html: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _staff_language(user: User | None) -> str:
    profile = getattr(user, "profile", None) if user else None
    return (profile.language if profile else "") or settings.LANGUAGE_CODE


def _admins() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(profile__role=Role.ADMIN))
        .exclude(email="")
        .select_related("profile")
    )


def recipients(message: Message, order: Order | None) -> tuple[list[str], str]:
    """The addresses (e-mails or phone numbers) and language of a message's recipient."""
    sms = message.channel == Channel.SMS
    who = message.recipient
    if who == "admins":
        admins = _admins()
        return ([] if sms else [u.email for u in admins]), settings.LANGUAGE_CODE
    if who == "subscriber":
        # Someone who is not (or not only) a customer: the message carries the address.
        address = message.context.get("address", "")
        return ([address] if address and not sms else []), message.context.get("language") or settings.LANGUAGE_CODE
    if order is None:
        return [], settings.LANGUAGE_CODE
    if who == "customer":
        customer = order.customer
        addresses = [customer.phone if sms else customer.email]
        if customer.kind == Customer.Kind.ORGANIZATION and order.created_by_id is not None:
            # Seed 001: an organization's order is answered by the person who placed it too (the
            # organization may have no mailbox of its own, and then nobody would be asked).
            person = Customer.objects.filter(user_id=order.created_by_id, organizations=customer).first()
            if person is not None:
                addresses.append(person.phone if sms else person.email)
        addresses = list(dict.fromkeys(a for a in addresses if a))
        return addresses, customer.language or order.language
    if who == "courier":
        courier = order.courier
        if courier is None:
            return [], order.language
        address = courier.phone if sms else courier.email
        return ([address] if address else []), courier.language or order.language
    user = order.manager if who == "manager" else order.contractor if who == "contractor" else None
    if user is None or sms or not user.email:
        return [], _staff_language(user)
    return [user.email], _staff_language(user)


def _when(value: str | None, language: str) -> str:
    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    with translation.override(language):
        return formats.date_format(moment, "DATETIME_FORMAT")


def render(message: Message, *, override: TemplateOverride | None = None, language: str = "") -> Rendered:
    """The message's words. ``override`` and ``language`` are for a template's preview: that
    wording (not yet saved) in that language, for a message that is not sent."""
    order = (
        Order.objects.select_related("customer", "manager__profile", "contractor__profile", "courier", "workflow")
        .filter(pk=message.order_id)
        .first()
        if message.order_id
        else None
    )
    addresses, their_language = recipients(message, order)
    language = (language or their_language).split("-")[0]
    ctx = message.context
    who = message.recipient
    workflow = compiled(order.workflow) if order else None
    item_workflow = compiled(order.item_workflow) if order and order.item_workflow is not None else None

    def status_label(code: str | None, item: bool = False) -> str:
        flow = item_workflow if item else workflow
        found = flow.status(code) if flow and code else None
        return found.label(language) if found else (code or "")

    item = None
    if order and ctx.get("item"):
        item = order.items.filter(pk=ctx["item"]).first()
    fields = {
        "number": order.number if order else ctx.get("number", ""),
        "status": status_label(ctx.get("status"), item=message.event == "item_status_changed"),
        "previous": status_label(ctx.get("from"), item=message.event == "item_status_changed"),
        "shop": business().name,
        "payment": phrase(language, f"payment.{ctx.get('payment_status', '')}") or ctx.get("payment_status", ""),
        "item": item.name if item else "",
        "target": (item.target if item else "") or ctx.get("target", ""),
        "courier": order.courier.name if order and order.courier else "",
        "eta": _when(ctx.get("eta"), language),
        "comment": ctx.get("comment", ""),
        "product": ctx.get("product", ""),
        "author": ctx.get("author", ""),
    }
    event = message.event
    subject = pick(language, event, "subject", who).format(**fields)
    paragraphs = [pick(language, event, "lead", who).format(**fields)]
    if event == "status_changed" and who not in STAFF:
        extra = phrase(language, f"status_changed.{ctx.get('status')}")
        if extra:
            paragraphs.append(extra)
    if event == "stock_checked":
        short = ctx.get("short", [])
        paragraphs.append(phrase(language, "stock_checked.short" if short else "stock_checked.all"))
        paragraphs += [f"{line['name']} ({line['sku']}): {line['reserved']} / {line['quantity']}" for line in short]
    if event == "order_message":
        paragraphs += [p for p in str(ctx.get("text", "")).split("\n\n") if p.strip()]
        paragraphs.append(pick(language, event, "reply", who).format(**fields))
    if fields["comment"]:
        paragraphs.append(f"{phrase(language, 'label.comment')}: {fields['comment']}")

    links = []
    headers = {}
    if ctx.get("reset"):
        links.append({"label": phrase(language, "label.reset"), "url": ctx["reset"]})
    if ctx.get("claim"):
        label = "label.confirm" if event == "confirm_email" else "label.claim"
        links.append({"label": phrase(language, label), "url": ctx["claim"]})
    if ctx.get("unsubscribe"):
        links.append({"label": phrase(language, "label.unsubscribe"), "url": ctx["unsubscribe"]})
        # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to the link.
        headers = {"List-Unsubscribe": f"<{ctx['unsubscribe']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    if order is not None:
        if who == "customer":
            links.append({"label": phrase(language, "label.track"), "url": tracking_url(order)})
        elif who == "courier" and ctx.get("link"):
            from ordo.delivery.links import courier_url

            links.append({"label": phrase(language, "label.link"), "url": courier_url(int(ctx["link"]))})
        elif who in STAFF:
            links.append(
                {
                    "label": phrase(language, "label.card"),
                    "url": f"{settings.ORDO_PUBLIC_URL}/desk/orders/{order.number}",
                }
            )
            if ctx.get("archive"):
                links.append({"label": phrase(language, "label.archive"), "url": ctx["archive"]})

    override = override or _override(message, language)
    if override is not None:
        template_context = {**fields, "order": _order_fields(order, language), "links": links, "language": language}
        if override.subject:
            subject = " ".join(Template(override.subject).render(Context(template_context)).split())
        body = Template(override.body).render(Context(template_context)).replace("\r\n", "\n")
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]

    if message.channel == Channel.SMS:
        text = " ".join([fields["shop"] + ":", *paragraphs, *(link["url"] for link in links)])
        return Rendered(addresses, language, text=text[:SMS_LIMIT])

    state = _order_at_event(ctx, order)
    if ctx.get("status") and message.event != "item_status_changed":
        # Several steps in one transaction share one snapshot; each message names its own status.
        state["status"] = ctx["status"]
    items = state["items"]
    courier_view = who == "courier"
    total = money_text(Decimal(state["total"]), state["currency"], language) if order else ""
    lines = [*paragraphs, ""]
    if order is not None:
        lines.append(f"{phrase(language, 'label.order')}: {order.number} — {status_label(state['status'])}")
        if courier_view and state["address"]:
            lines.append(f"{phrase(language, 'label.address')}: {state['address']}")
        if courier_view and order.customer.phone:
            lines.append(f"{phrase(language, 'label.phone')}: {order.customer.phone}")
        lines.append(f"{phrase(language, 'label.items')}:")
        lines += [f"  - {name} × {quantity}" + (f" → {target}" if target else "") for name, quantity, target in items]
        if state["more_items"]:
            lines.append(f"  … +{state['more_items']}")
        lines.append(f"{phrase(language, 'label.total')}: {total}")
    lines += [f"{link['label']}: {link['url']}" for link in links]
    html = render_to_string(
        "notifications/email.html",
        {
            "language": language,
            "subject": subject,
            "shop": fields["shop"],
            "paragraphs": paragraphs,
            "order": order,
            "status_label": status_label(state["status"]) if order else "",
            "address": state["address"] if order and courier_view else "",
            "phone": order.customer.phone if order and courier_view else "",
            "items": [{"name": n, "quantity": q, "target": t} for n, q, t in items],
            "more_items": state["more_items"],
            "total": total,
            "links": links,
            "labels": {
                k: phrase(language, f"label.{k}") for k in ("order", "status", "items", "total", "address", "phone")
            },
        },
    )
    text = "\n".join(lines).strip() + "\n"
    return Rendered(addresses, language, subject=subject, text=text, html=html, headers=headers)


def _order_fields(order: Order | None, language: str) -> dict[str, Any]:
    """What a template may read of the order as ``{{ order.… }}``: plain values, never the model
    (whose relations reach the customer's account and more)."""
    if order is None:
        return {}
    with translation.override(language):
        placed = formats.date_format(timezone.localtime(order.placed_at), "DATE_FORMAT")
    return {
        "number": order.number,
        "total": money_text(order.total, order.currency, language),
        "paid": money_text(order.paid, order.currency, language),
        "currency": order.currency,
        "customer": order.customer.name,
        "external_number": order.external_number,
        "placed": placed,
        "delivery_address": order.delivery_address,
    }


def _order_at_event(ctx: dict[str, Any], order: Order | None) -> dict[str, Any]:
    """The order as it was when the message's event happened (stored with the message); for
    messages written before Ordo kept that, the order as it is now."""
    if ctx.get("at_event"):
        return dict(ctx["at_event"])
    items = list(order.items.all()) if order else []
    return {
        "status": order.status if order else "",
        "total": str(order.total) if order else "0",
        "currency": order.currency if order else "",
        "items": [[i.name, i.quantity, i.target] for i in items],
        "more_items": 0,
        "address": order.delivery_address if order else "",
    }


def _override(message: Message, language: str) -> TemplateOverride | None:
    candidates = TemplateOverride.objects.filter(
        event=message.event, channel=message.channel, language=language, recipient__in=[message.recipient, ""]
    )
    return sorted(candidates, key=lambda o: o.recipient == "")[0] if candidates else None


def webhook_payload(message: Message) -> dict[str, Any]:
    """What an integrator receives: the event, its facts, and the order as it is now."""
    order = Order.objects.filter(pk=message.order_id).first() if message.order_id else None
    data: dict[str, Any] = dict(message.context)
    if order is not None:
        data["order"] = {
            "number": order.number,
            "status": order.status,
            "payment_status": order.payment_status,
            "currency": order.currency,
            "total": str(order.total),
            "paid": str(order.paid),
            "external_number": order.external_number,
        }
    return {
        "id": message.dedupe_key,
        "event": message.event,
        "created_at": message.created_at.isoformat(),
        "data": data,
    }
