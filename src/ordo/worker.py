"""``ordo worker``: the background loop that runs jobs, delivers the outbox and moves due orders.

Run any number of them on PostgreSQL. SIGTERM or SIGINT stops the loop after the message in hand;
rows claimed but not yet tried are given back at once.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid

from django.conf import settings
from django.db import close_old_connections, connection

from ordo.jobs.runner import run_due
from ordo.notifications.channels import email
from ordo.notifications.relay import claim, deliver, hold, release
from ordo.orders.queue import start_waiting_items
from ordo.orders.timers import sweep
from ordo.payments.refunds import submit_pending_refunds
from ordo.sqlite import checkpoint

log = logging.getLogger(__name__)


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGTERM when the parent process dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the loop's parent check still stops it
        log.warning("worker: the parent-death signal is not available")


PR_SET_PDEATHSIG = 1


class Worker:
    def __init__(
        self, *, batch: int = 50, poll: float | None = None, name: str | None = None, parent: int | None = None
    ):
        """``parent``: the pid of the process that started this worker (``ordo serve``); the worker
        stops when that process is gone, however it died, instead of running on with old code."""
        self.parent = parent
        self.batch = batch
        self.poll = settings.ORDO_WORKER_POLL_SECONDS if poll is None else poll
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        #: Set by SIGTERM/SIGINT (``_on_signal``): a flag, because a signal handler must take no lock.
        self.signalled = False
        self.last_sweep = float("-inf")

    def run_once(self) -> int:
        """Run due jobs, then claim one batch of due messages and try each (jobs write messages,
        such as the stock check's "please confirm"); returns how many jobs and messages were tried."""
        ran = run_due(worker=self.name) if not self.stopped() else 0
        messages = claim(worker=self.name, limit=self.batch)
        done = 0
        renewed = time.monotonic()
        mail = email.Session()
        try:
            for message in messages:
                if self.stopped():
                    break
                done += 1
                if time.monotonic() - renewed > settings.ORDO_WORKER_LEASE_SECONDS / 3:
                    # A slow mail server: keep the whole rest of the batch ours.
                    hold(worker=self.name, ids=[m.pk for m in messages[done - 1 :]])
                    renewed = time.monotonic()
                if not hold(worker=self.name, ids=[message.pk]):
                    continue  # the lease ran out and another worker took the row: it is theirs
                deliver(message, worker=self.name, mail=mail)
        finally:
            mail.close()
        if done < len(messages):
            release(worker=self.name, ids=[m.pk for m in messages[done:]])
        return ran + done

    def sweep_if_due(self) -> None:
        """Run the timer sweep every ``ORDO_TIMER_SWEEP_SECONDS`` (60)."""
        now = time.monotonic()
        if now - self.last_sweep < settings.ORDO_TIMER_SWEEP_SECONDS:
            return
        self.last_sweep = now
        result = sweep()
        if result.moved or result.warned:
            log.info("timers: moved %s, warned %s", result.moved, result.warned)

    def background_passes(self) -> int:
        """Work the outbox does not cover: waiting items whose target freed up, card refunds to submit."""
        return start_waiting_items() + submit_pending_refunds()

    def orphaned(self) -> bool:
        """Has the parent this worker was started by died (it was re-parented)?"""
        return self.parent is not None and os.getppid() != self.parent

    def stopped(self) -> bool:
        """Asked to stop: by a signal, or by another thread (``stopping.set()``)."""
        return self.signalled or self.stopping.is_set()

    def _on_signal(self, *_: object) -> None:
        """SIGTERM or SIGINT. Only a flag: ``Event.set()`` takes the event's lock, which the main
        thread may hold at that very moment inside ``stopping.wait`` — the worker then waited on
        itself forever (seen once in CI: a stopped worker still alive minutes later). The loop
        notices the flag within one poll."""
        self.signalled = True

    def run_forever(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        if self.parent is not None:
            _die_with_parent()
        log.warning("worker %s started", self.name)
        # On SQLite the worker's own commits leave checkpoints to a thread, as the web processes'
        # do, rather than copying the log while holding the writers' lock.
        checkpoint.start_for(connection)
        try:
            self._loop()
        finally:
            checkpoint.stop()
        log.warning("worker %s stopped", self.name)

    def _loop(self) -> None:
        while not self.stopped():
            if self.orphaned():
                log.warning("worker %s: its parent %s is gone; stopping", self.name, self.parent)
                break
            close_old_connections()
            try:
                self.sweep_if_due()
                busy = self.run_once() + self.background_passes()
            except Exception:
                log.exception("worker %s: a round failed; trying again", self.name)
                busy = 0
            if not busy:
                self.stopping.wait(self.poll)
