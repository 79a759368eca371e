"""Real peers on 127.0.0.1: an SMTP server (aiosmtpd); HTTP peers come from ``tests.peers``."""

from __future__ import annotations

from typing import Any

from ordo.notifications.models import Message


def outbox(**filters: Any) -> list[Message]:
    return list(Message.objects.filter(**filters).order_by("id"))
