"""Notification delivery: messages per second into a local SMTP server (aiosmtpd) with one and two
``ordo worker`` processes, and the time from a status change to its e-mail arriving."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from bench.report import Row


class _Inbox:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        key = ""
        for line in envelope.content.split(b"\r\n"):
            if line.startswith(b"X-Ordo-Message:"):
                key = line.split(b":", 1)[1].strip().decode()
                break
        with self.lock:
            self.count += 1
            self.arrived.setdefault(key, time.time())
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(n: int, smtp_url: str) -> list[subprocess.Popen]:
    env = {**os.environ, "ORDO_EMAIL_URL": smtp_url, "ORDO_LOG_LEVEL": "ERROR"}
    return [subprocess.Popen([sys.executable, "-m", "ordo.cli", "worker", "--batch", "100"], env=env) for _ in range(n)]


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def run(*, messages: int = 2000, changes: int = 100) -> list[Row]:
    from aiosmtpd.controller import Controller
    from django.utils import timezone

    from ordo.accounts.models import Customer
    from ordo.notifications.models import Message
    from ordo.orders.models import Order
    from ordo.orders.services import order_transition
    from ordo.workflow.snapshot import Actor

    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{port}"
    Customer.objects.update(email="buyer@example.org")
    Message.objects.filter(status="pending").update(status="skipped")  # what earlier benchmarks queued
    order = Order.objects.order_by("id").first()
    assert order is not None
    rows: list[Row] = []
    try:
        for count in (1, 2):
            now = timezone.now()
            Message.objects.bulk_create(
                [
                    Message(
                        event="status_changed",
                        order=order,
                        recipient="customer",
                        channel="email",
                        context={"number": order.number, "status": order.status},
                        dedupe_key=f"bench:{count}:{i}",
                        available_at=now,
                        created_at=now,
                    )
                    for i in range(messages)
                ],
                batch_size=1000,
            )
            before = inbox.count
            started = time.perf_counter()
            workers = _workers(count, smtp_url)
            while inbox.count - before < messages:
                time.sleep(0.05)
            rate = messages / (time.perf_counter() - started)
            _stop(workers)
            print(f"delivery: {messages} e-mails with {count} worker(s): {rate:,.0f}/s")
            rows.append(Row(f"e-mails delivered/s, {count} worker(s)", rate, "/s"))

        # Latency on the embedded default: one worker polling every ORDO_WORKER_POLL_SECONDS.
        workers = _workers(1, smtp_url)
        time.sleep(2)
        admin = Actor(role="admin", name="bench")
        committed: dict[str, float] = {}
        numbers = list(Order.objects.filter(status__in=["new", "cancelled"]).values_list("number", "status")[:changes])
        for number, status in numbers:
            moved = order_transition(number=number, transition="cancel" if status == "new" else "reopen", actor=admin)
            committed[f"{number}:status_changed:s{moved.status_seq}:customer:email"] = time.time()
            time.sleep(0.05)
        deadline = time.time() + 30
        while time.time() < deadline and not all(key in inbox.arrived for key in committed):
            time.sleep(0.05)
        _stop(workers)
        waits = sorted((inbox.arrived[k] - t) * 1000 for k, t in committed.items() if k in inbox.arrived)
        median, p99 = statistics.median(waits), waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        print(
            f"status change → e-mail: median {median:.0f} ms, p99 {p99:.0f} ms ({len(waits)}/{len(committed)} arrived)"
        )
        rows.append(Row("status change → e-mail, median", median, "ms"))
        rows.append(Row("status change → e-mail, p99", p99, "ms"))
    finally:
        controller.stop()
    return rows
