"""SMS through Vonage (formerly Nexmo) or Twilio, speaking each provider's HTTP API.

``ORDO_SMS_PROVIDER`` picks one; ``ORDO_SMS_BASE_URL`` points elsewhere than the provider's own
host (a local stub in tests). Credentials: ``ORDO_SMS_API_KEY`` / ``ORDO_SMS_API_SECRET``
(Vonage key and secret, or Twilio account SID and auth token).
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings

from ordo.notifications.channels import DeliveryError
from ordo.notifications.channels.http import post

VONAGE_URL = "https://rest.nexmo.com"
TWILIO_URL = "https://api.twilio.com"
#: Vonage statuses worth retrying: throttled, internal error, communication failed.
VONAGE_TRANSIENT = {"1", "5", "13"}


def send(*, to: str, text: str, reference: str) -> None:
    provider = settings.ORDO_SMS_PROVIDER
    if provider == "vonage":
        _vonage(to, text, reference)
    elif provider == "twilio":
        _twilio(to, text)
    else:
        raise DeliveryError(f"SMS provider {provider!r} is not vonage or twilio", permanent=True)


def _vonage(to: str, text: str, reference: str) -> None:
    base = (settings.ORDO_SMS_BASE_URL or VONAGE_URL).rstrip("/")
    form = {
        "api_key": settings.ORDO_SMS_API_KEY,
        "api_secret": settings.ORDO_SMS_API_SECRET,
        "from": settings.ORDO_SMS_FROM,
        "to": to.lstrip("+").replace(" ", ""),
        "text": text,
        "type": "unicode",
        "client-ref": reference[:40],
    }
    reply = post(
        f"{base}/sms/json",
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    if reply.status >= 500 or reply.status == 429:
        raise DeliveryError(f"Vonage HTTP {reply.status}", permanent=False)
    body = reply.json()
    messages = body.get("messages") if isinstance(body, dict) else None
    if reply.status != 200 or not messages:
        raise DeliveryError(f"Vonage HTTP {reply.status}: {reply.body[:200]!r}", permanent=True)
    for part in messages:
        status = str(part.get("status"))
        if status != "0":
            error = part.get("error-text", "")
            raise DeliveryError(f"Vonage status {status}: {error}", permanent=status not in VONAGE_TRANSIENT)


def _twilio(to: str, text: str) -> None:
    base = (settings.ORDO_SMS_BASE_URL or TWILIO_URL).rstrip("/")
    sid, token = settings.ORDO_SMS_API_KEY, settings.ORDO_SMS_API_SECRET
    credentials = base64.b64encode(f"{sid}:{token}".encode()).decode()
    reply = post(
        f"{base}/2010-04-01/Accounts/{sid}/Messages.json",
        urlencode({"To": to.replace(" ", ""), "From": settings.ORDO_SMS_FROM, "Body": text}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {credentials}"},
    )
    if reply.status in (200, 201):
        return
    body = reply.json()
    detail = f"{body.get('code')}: {body.get('message')}" if isinstance(body, dict) else repr(reply.body[:200])
    raise DeliveryError(f"Twilio HTTP {reply.status} {detail}", permanent=reply.status < 500 and reply.status != 429)
