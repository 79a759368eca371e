"""The business's own details and house rules, kept in the database by admins (the desk's
Settings page, ``PATCH /api/v1/settings``). Each one an admin has not set takes its ``ORDO_*``
environment variable, so a deployment's defaults still hold.

``business()`` is read by the documents (seller, bank, logo), the e-mails (``{{ shop }}``), the
courier links, assignment and the managers' visibility rule. A process trusts what it read for
``KEEP_FOR`` seconds; the process that saves forgets at once.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ordo.kept import Kept

#: How long a process trusts the settings it read (another process's change reaches it within it).
KEEP_FOR = 5.0

#: Largest logo kept for documents.
LOGO_MAX_BYTES = 512 * 1024
_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Business:
    name: str
    address: str
    tax_id: str
    bank: str
    email: str
    phone: str
    #: ``data:`` URL of a PNG or JPEG for documents, or "".
    logo: str
    delivery_estimate_hours: int
    courier_link_days: int
    payment_due_days: int
    #: ``all``: managers see every order; ``own``: only the orders they manage.
    manager_scope: str
    manager_auto_assign: bool
    contractor_auto_assign: bool


FIELDS = tuple(f.name for f in fields(Business))


def defaults() -> dict[str, Any]:
    """What each setting is where no admin has set it: the environment's ``ORDO_*`` values."""
    return {
        "name": settings.ORDO_BUSINESS_NAME,
        "address": settings.ORDO_BUSINESS_ADDRESS.replace("\\n", "\n"),
        "tax_id": settings.ORDO_BUSINESS_TAX_ID,
        "bank": settings.ORDO_BUSINESS_BANK.replace("\\n", "\n"),
        "email": settings.ORDO_BUSINESS_EMAIL,
        "phone": settings.ORDO_BUSINESS_PHONE,
        "logo": "",
        "delivery_estimate_hours": settings.ORDO_DELIVERY_ESTIMATE_HOURS,
        "courier_link_days": settings.ORDO_COURIER_LINK_DAYS,
        "payment_due_days": settings.ORDO_PAYMENT_DUE_DAYS,
        "manager_scope": settings.ORDO_MANAGER_SCOPE,
        "manager_auto_assign": settings.ORDO_MANAGER_AUTO_ASSIGN,
        "contractor_auto_assign": settings.ORDO_CONTRACTOR_AUTO_ASSIGN,
    }


def _business_read() -> Business:
    from ordo.business.models import Setting

    values = defaults()
    values.update({k: v for k, v in Setting.objects.values_list("key", "value") if k in values})
    return Business(**values)


BUSINESS: Kept[str, Business] = Kept("business settings", KEEP_FOR)
#: Read the settings afresh next time (one was saved here, or the environment's defaults changed).
forget_business = BUSINESS.forget


def business() -> Business:
    """The settings as they stand (one query at most every ``KEEP_FOR`` seconds per process)."""
    return BUSINESS.get("all", _business_read)


class Invalid(ValueError):
    """A value a setting cannot take; the message says why."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


_TEXT_LIMITS = {"name": 200, "address": 500, "tax_id": 40, "bank": 500, "email": 254, "phone": 40}
_NUMBERS = {"delivery_estimate_hours": (1, 24 * 90), "courier_link_days": (1, 90), "payment_due_days": (1, 365)}


def clean(key: str, value: Any) -> Any:
    """``value`` as setting ``key`` keeps it, or ``Invalid`` with the reason (pure)."""
    if key not in FIELDS:
        raise Invalid(key, _("not a setting (the settings are %(names)s)") % {"names": ", ".join(FIELDS)})
    if key in _TEXT_LIMITS:
        if not isinstance(value, str):
            raise Invalid(key, _("must be text"))
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > _TEXT_LIMITS[key]:
            raise Invalid(key, _("at most %(n)s characters") % {"n": _TEXT_LIMITS[key]})
        if key == "name" and not text:
            raise Invalid(key, _("the business needs a name"))
        if key == "email" and text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise Invalid(key, _("%(text)s is not an e-mail address") % {"text": text})
        if key in ("name", "tax_id", "email", "phone") and "\n" in text:
            raise Invalid(key, _("must be one line"))
        return text
    if key in _NUMBERS:
        low, high = _NUMBERS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(key, _("a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
        return value
    if key == "manager_scope":
        if value not in ("all", "own"):
            raise Invalid(key, _("'all' (managers see every order) or 'own' (the orders they manage)"))
        return value
    if key in ("manager_auto_assign", "contractor_auto_assign"):
        if not isinstance(value, bool):
            raise Invalid(key, _("true or false"))
        return value
    return logo_url(value)


def logo_url(value: Any) -> str:
    """A logo as a ``data:`` URL: given as one already, or as raw PNG/JPEG bytes; "" removes it."""
    if value in ("", None):
        return ""
    if isinstance(value, str):
        match = re.fullmatch(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)", value)
        if not match:
            raise Invalid("logo", _("a PNG or JPEG image as a data: URL"))
        try:
            value = base64.b64decode(match.group(2), validate=True)
        except ValueError:
            raise Invalid("logo", _("the image's base64 is broken")) from None
    if not isinstance(value, bytes):
        raise Invalid("logo", _("a PNG or JPEG image"))
    kind = next((t for magic, t in _LOGO_TYPES.items() if value.startswith(magic)), None)
    if kind is None:
        raise Invalid("logo", _("only PNG and JPEG images are kept"))
    if len(value) > LOGO_MAX_BYTES:
        raise Invalid("logo", _("at most %(kb)s KB") % {"kb": LOGO_MAX_BYTES // 1024})
    return f"data:{kind};base64,{base64.b64encode(value).decode()}"
