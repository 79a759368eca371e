"""Outgoing webhooks: JSON POSTs signed like Stripe's: ``Ordo-Signature: t=<unix time>,v1=<hex>``
where v1 = HMAC-SHA256(secret, "<t>.<body>"). Receivers check the signature and the age of t."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from ordo.notifications.channels import DeliveryError
from ordo.notifications.channels.http import post


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def send(*, url: str, secret: str, payload: dict[str, Any], event: str, idempotency_key: str) -> None:
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    reply = post(
        url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": "Ordo-Webhooks/1",
            "Ordo-Event": event,
            "Ordo-Signature": signature(secret, int(time.time()), body),
            "Idempotency-Key": idempotency_key,
        },
    )
    if 200 <= reply.status < 300:
        return
    # 3xx and 4xx say the receiver will not take it as it is: retrying the same request won't help.
    raise DeliveryError(f"HTTP {reply.status}: {reply.body[:200]!r}", permanent=reply.status < 500)
