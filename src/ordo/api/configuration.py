"""``/config`` (the whole configuration as the preset TOML) and ``/settings`` (the business's own
details and house rules), for owners who script their setup."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from ordo.accounts.roles import actor_for
from ordo.api import schemas as s
from ordo.api.types import Text
from ordo.business.details import business, defaults
from ordo.business.models import Setting
from ordo.configuration import business_changes, business_update, config_export, config_import
from ordo.errors import DomainError
from ordo.notifications import wording
from ordo.notifications.models import TemplateOverride
from ordo.orders.errors import OrderErrorCode
from ordo.orders.permissions import Action, require
from ordo.orders.selectors import orders_visible_to

router = Router(tags=["configuration"])


@router.get(
    "/config",
    response={200: None, **s.ERRORS},
    summary="Export the configuration",
    openapi_extra={"responses": {200: {"content": {"application/toml": {"schema": {"type": "string"}}}}}},
)
def export_config(request: HttpRequest):
    """Order types with their checkout, the current version of every workflow, payment channels,
    VAT rates and category classes, discount tiers: a preset file ``PUT /config`` (or ``ordo
    preset load``) reads back."""
    require(actor_for(request.user), Action.CONFIGURE)
    response = HttpResponse(config_export(), content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ordo-config.toml"'
    return response


@router.put("/config", response={200: s.ConfigLoaded, 422: s.ErrorOut, **s.ERRORS}, summary="Import a configuration")
def import_config(request: HttpRequest, payload: s.ConfigIn):
    """Load a preset file, validated as a whole: all or nothing (422 lists every problem). A
    changed workflow becomes its next version; orders already placed keep theirs."""
    require(actor_for(request.user), Action.CONFIGURE)
    loaded = config_import(payload.toml)
    return {"preset": loaded.code, "created": loaded.created, "updated": loaded.updated, "unchanged": loaded.unchanged}


def _settings() -> dict[str, Any]:
    found = business()
    stored = set(Setting.objects.values_list("key", flat=True))
    return {
        "values": asdict(found),
        "defaults": {k: v for k, v in defaults().items()},
        "set_here": sorted(stored),
        "history": [
            {"key": c.key, "old": c.old, "new": c.new, "at": c.at, "by": c.by_name} for c in business_changes()
        ],
    }


@router.get("/settings", response={200: s.BusinessOut, **s.ERRORS}, summary="The business's settings")
def get_settings(request: HttpRequest):
    """Name, address, tax ID, bank, contact, logo (a ``data:`` URL), delivery estimate, courier
    link lifetime, payment due days, managers' scope and auto-assignment: each as it stands, its
    environment default, whether an admin set it here, and the latest changes with who and when."""
    require(actor_for(request.user), Action.CONFIGURE)
    return _settings()


@router.patch(
    "/settings", response={200: s.BusinessOut, 422: s.ErrorOut, **s.ERRORS}, summary="Change the business's settings"
)
def patch_settings(request: HttpRequest, payload: s.BusinessPatch):
    """Only the settings named change; a refused value is named in ``fields`` and nothing is saved."""
    user = request.user if isinstance(request.user, User) else None
    business_update(changes=payload.model_dump(exclude_unset=True), actor=actor_for(request.user), user=user)
    return _settings()


# -- message templates --------------------------------------------------------------------------------


def _template(t: TemplateOverride) -> dict[str, Any]:
    return {
        "event": t.event,
        "recipient": t.recipient,
        "channel": t.channel,
        "language": t.language,
        "subject": t.subject,
        "body": t.body,
    }


@router.get("/templates", response={200: s.TemplatesOut, **s.ERRORS}, summary="Message templates")
def list_templates(request: HttpRequest):
    """The templates admins wrote, and what a template may name: the events, recipients,
    channels, languages and placeholders (each with what it stands for)."""
    require(actor_for(request.user), Action.CONFIGURE)
    return {
        "events": list(wording.EVENTS),
        "recipients": list(wording.RECIPIENTS),
        "channels": list(wording.CHANNELS),
        "languages": list(wording.LANGUAGES),
        "placeholders": {name: str(text) for name, text in wording.PLACEHOLDERS.items()},
        "templates": [_template(t) for t in wording.templates()],
    }


@router.get("/templates/shipped", response={200: s.ShippedOut, 422: s.ErrorOut, **s.ERRORS}, summary="Shipped text")
def shipped_template(request: HttpRequest, event: Text, language: Text, recipient: Text = ""):
    """The wording Ordo ships for an event, as a template to start from (and what a reset restores)."""
    require(actor_for(request.user), Action.CONFIGURE)
    wording.template_key(event, recipient, "email", language)
    subject, body = wording.shipped(event, recipient, language)
    return {"subject": subject, "body": body}


@router.put("/templates", response={200: s.TemplateOut, 422: s.ErrorOut, **s.ERRORS}, summary="Save a template")
def put_template(request: HttpRequest, payload: s.TemplateIn):
    """Checked first: a known event, recipient, channel and language, a template that compiles and
    names only placeholders that exist (422 ``invalid_template`` with the reason otherwise)."""
    saved = wording.template_save(actor=actor_for(request.user), **payload.model_dump())
    return _template(saved)


@router.delete("/templates", response={204: None, 404: s.ErrorOut, **s.ERRORS}, summary="Reset to the shipped text")
def delete_template(request: HttpRequest, event: Text, channel: Text, language: Text, recipient: Text = ""):
    if not wording.template_reset(
        actor=actor_for(request.user), event=event, recipient=recipient, channel=channel, language=language
    ):
        raise DomainError(OrderErrorCode.NOT_FOUND, "No template of that event, recipient, channel and language.")
    return Status(204, None)


@router.post(
    "/templates/preview", response={200: s.PreviewOut, 422: s.ErrorOut, **s.ERRORS}, summary="Preview a template"
)
def preview_template(request: HttpRequest, payload: s.PreviewIn):
    """The template rendered with a real order in the chosen language, as it would be sent
    (nothing is sent, nothing saved)."""
    order = orders_visible_to(request.user).filter(number=payload.order).first()
    if order is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Order {payload.order} not found.")
    rendered = wording.template_preview(
        actor=actor_for(request.user), order=order, **payload.model_dump(exclude={"order"})
    )
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
