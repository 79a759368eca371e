"""Real peers on 127.0.0.1: an SMTP server (aiosmtpd); HTTP peers come from ``tests.peers``."""

from __future__ import annotations

import email
import threading
import time
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordo.notifications.models import Message
from ordo.worker import Worker
from tests.peers import free_port


class Inbox:
    """An aiosmtpd handler keeping every message; addresses containing "bounce" are refused (550)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]).strip() for m in self.to(address)]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.ORDO_EMAIL_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def drain():
    """Run the worker in-process until nothing is due; returns how many attempts it made."""

    def run(limit: int = 100) -> int:
        worker = Worker(poll=0, name="test-worker")
        total = 0
        for _ in range(limit):
            tried = worker.run_once()
            total += tried
            if not tried:
                return total
        raise AssertionError("the worker never ran dry")

    return run


def outbox(**filters: Any) -> list[Message]:
    return list(Message.objects.filter(**filters).order_by("id"))
