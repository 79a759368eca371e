"""The whole configuration as the preset TOML, out and back in; and the business's own settings.

``config_export`` writes what the database holds in the shape ``ordo preset load`` reads: the order
types with their checkout, the current version of every workflow, the payment channels, the VAT
rates and category classes, and the discount tiers. ``config_import`` loads such a file like any
preset (all or nothing; a changed workflow becomes its next version). Exporting, importing into an
empty database and exporting again gives the same file (a test holds it for every shipped preset).

Keys are written in one fixed order (the code first, then the rest by name), so the file does not
depend on the database: PostgreSQL's ``jsonb`` keeps a definition's keys in another order than SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import tomli_w
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ordo.business.details import Business, Invalid, business, clean, forget_business
from ordo.business.models import Setting, SettingChange
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import DiscountTier, OrderType
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.workflows import PresetLoaded, preset_load
from ordo.payments.models import PaymentChannel
from ordo.taxes.models import CategoryClass, TaxRate
from ordo.workflow.loader import PresetError, format_duration, preset_from_dict
from ordo.workflow.snapshot import Actor

#: Keys written before the others (in this order); the rest follow by name.
FIRST = ("code", "scope", "initial", "status", "event", "on", "from", "to", "after", "fire", "name", "labels")


def _ordered(value: Any) -> Any:
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (FIRST.index(k) if k in FIRST else len(FIRST), k))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list | tuple):
        return [_ordered(v) for v in value]
    return value


def _number(value: Decimal) -> str:
    """``23``, ``25.5``: as a preset writes a percent or an amount (a string, exact)."""
    return format(value.normalize(), "f")


def config_dict() -> dict[str, Any]:
    """The configuration as the data of a preset file (see the module's text)."""
    types = list(OrderType.objects.select_related("workflow", "item_workflow").order_by("code"))
    if not types:
        raise DomainError(OrderErrorCode.NOT_FOUND, "Nothing is configured yet: load a preset first.")
    main = next((t for t in types if t.code == "regular"), types[0])
    presets = Counter(t.workflow.preset for t in types if t.workflow.preset)
    code = presets.most_common(1)[0][0] if presets else "ordo"
    data: dict[str, Any] = {
        "preset": {"code": code, "labels": {"en": code}, "language": main.language, "currency": main.currency}
    }
    if main.tax_country:
        data["taxes"] = _taxes(main)
    data["types"] = {t.code: _type(t, main) for t in types}
    checkouts = {t.code: t.checkout for t in types if t.checkout}
    if checkouts:
        data["checkout"] = checkouts
    data["payment_channels"] = [_channel(c) for c in PaymentChannel.objects.order_by("position", "code")]
    tiers = DiscountTier.objects.filter(currency=main.currency).order_by("threshold")
    if tiers:
        data["discount_tiers"] = [
            {"name": t.name, "threshold": _number(t.threshold), "percent": _number(t.percent)} for t in tiers
        ]
    rows = WorkflowRow.objects.filter(current=True).order_by("scope", "code")
    data["workflows"] = [{**row.definition, "code": row.code} for row in rows]
    return _ordered(data)


def config_export() -> str:
    return tomli_w.dumps(config_dict())


def _type(order_type: OrderType, main: OrderType) -> dict[str, Any]:
    found: dict[str, Any] = {"workflow": order_type.workflow.code}
    if order_type.item_workflow is not None:
        found["items"] = order_type.item_workflow.code
    if order_type.customer_kind:
        found["customer"] = order_type.customer_kind
    if order_type.execution_time is not None:
        found["execution_time"] = format_duration(order_type.execution_time)
    if not order_type.delivery:
        found["delivery"] = False
    if order_type.free_lines:
        found["free_lines"] = True
    if order_type.personal_manager:
        found["personal_manager"] = True
    if order_type.labels:
        found["labels"] = dict(order_type.labels)
    if order_type.prices_include_tax != main.prices_include_tax:
        found["prices"] = "gross" if order_type.prices_include_tax else "net"
    return found


def _taxes(main: OrderType) -> dict[str, Any]:
    rates = TaxRate.objects.filter(country=main.tax_country).order_by("tax_class", "valid_from")
    taxes: dict[str, Any] = {
        "country": main.tax_country,
        "rounding": main.tax_rounding,
        "prices": "gross" if main.prices_include_tax else "net",
        "rates": [
            {
                "class": r.tax_class,
                "rate": "exempt" if r.rate is None else _number(r.rate),
                "from": r.valid_from,
            }
            for r in rates
        ],
    }
    categories = dict(CategoryClass.objects.order_by("category").values_list("category", "tax_class"))
    if categories:
        taxes["categories"] = categories
    return taxes


def _channel(channel: PaymentChannel) -> dict[str, Any]:
    found: dict[str, Any] = {"code": channel.code, "labels": dict(channel.labels)}
    if channel.gateway:
        found["gateway"] = channel.gateway
    if channel.fee_percent:
        found["fee_percent"] = _number(channel.fee_percent)
    if channel.fee_fixed:
        found["fee_fixed"] = _number(channel.fee_fixed)
    if not channel.fees_refundable:
        found["fees_refundable"] = False
    if channel.on_delivery:
        found["on_delivery"] = True
    return found


def config_import(text: str) -> PresetLoaded:
    """Load an exported (or hand-written) configuration: validated as a whole, all or nothing."""
    import tomllib

    from ordo.orders.effects import EFFECTS

    try:
        data = tomllib.loads(text)
        preset = preset_from_dict(data, effects=set(EFFECTS))
    except tomllib.TOMLDecodeError as error:
        raise DomainError(OrderErrorCode.PRESET_INVALID, f"Not valid TOML: {error}.", problems=[str(error)]) from error
    except PresetError as error:
        raise DomainError(
            OrderErrorCode.PRESET_INVALID, str(error), problems=[str(p) for p in error.problems]
        ) from error
    return preset_load(preset=preset)


# -- the business's own settings --------------------------------------------------------------------


def _shown(key: str, value: Any) -> Any:
    """A value as the change log keeps it (a logo by its size, not its bytes)."""
    if key == "logo":
        return f"image, {len(value) * 3 // 4 // 1024} KB" if value else ""
    return value


def business_update(*, changes: Mapping[str, Any], actor: Actor, user: User | None = None) -> Business:
    """Change some of the business's settings: each is checked (every refusal named, nothing
    saved), and each change is recorded with who and when. Applies at once in this process and
    within ``business.details.KEEP_FOR`` seconds in the others."""
    require(actor, Action.CONFIGURE)
    cleaned: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for key, value in changes.items():
        try:
            cleaned[key] = clean(key, value)
        except Invalid as error:
            refused[error.key] = error.reason
    if refused:
        raise DomainError(
            OrderErrorCode.INVALID_SETTING,
            "; ".join(f"{key}: {reason}" for key, reason in refused.items()),
            fields=refused,
        )
    forget_business()
    current = business()
    now = timezone.now()
    with transaction.atomic():
        for key, value in cleaned.items():
            old = getattr(current, key)
            if value == old:
                continue
            Setting.objects.update_or_create(key=key, defaults={"value": value})
            SettingChange.objects.create(
                key=key,
                old=_shown(key, old),
                new=_shown(key, value),
                at=now,
                by=user,
                by_name=actor.name or actor.role,
            )
    return business()  # each saved setting made this process forget what it kept (business.apps)


def business_changes(limit: int = 50) -> list[SettingChange]:
    return list(SettingChange.objects.select_related("by")[:limit])
