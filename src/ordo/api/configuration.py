"""``/config``: the whole configuration as the preset TOML, for owners who script their setup."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from ordo.accounts.roles import actor_for
from ordo.api import schemas as s
from ordo.configuration import config_export, config_import
from ordo.orders.permissions import Action, require

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
