"""Copying SQLite's write-ahead log back into the database file off the request path.

Left to itself, SQLite checkpoints in the commit that takes the log past 1,000 pages: that commit
copies the pages into the database file and syncs it before it returns, and in Ordo it still holds
the writers' lock while it does (base.py), so every other writer waits as well. Measured with
bench/services.py: about one transition in sixty paid 6–10 ms for it, the p99 of a transition was
6–10 ms against 1.1 ms without, and transitions per second were 10–40 % lower.

Each long-running Ordo process on SQLite (every ``ordo serve`` web process, ``ordo worker``)
starts one ``Checkpointer`` thread instead. Every 0.1 s it copies what the log holds without taking
any lock (a PASSIVE checkpoint runs beside readers and the writer); once the log is over 1,000
pages it then takes the writers' lock for a moment to copy the few pages written meanwhile, so that
the next writer starts the log over from its beginning — a log that writes keep reaching during
every pass would otherwise never be wholly copied, and would only grow. The connections of such a
process leave checkpoints to the thread: their own automatic checkpoint waits for a backstop of
16,384 pages (64 MiB at SQLite's 4 KiB pages), reached only if the thread falls far behind. Short
commands (``migrate``, ``shell``, loading a preset) keep SQLite's default.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: How often the thread copies the log.
EVERY_SECONDS = 0.1
#: A log this long is started over: SQLite's own checkpoint threshold, in pages.
RESTART_PAGES = 1_000
#: Where this process's connections checkpoint by themselves after all (the thread fell behind).
BACKSTOP_PAGES = 16_384
#: The size the log file is cut back to when a writer starts it over (SQLite's
#: ``journal_size_limit``). Without it the file keeps the size of its longest stretch — a burst
#: of writes, or a long read (an export) that kept the log from being copied — for good.
LOG_KEPT_BYTES = 16 * 1024 * 1024

_running: Checkpointer | None = None


def writers_lock_path(database: str) -> str:
    """The lock file beside ``database`` that writers queue on (base.py)."""
    return f"{database}-writers"


@dataclass(frozen=True)
class Pass:
    """One pass: the pages the log held, how many of them are now in the database file, and
    whether the writers' lock was taken to copy the last of them."""

    logged: int
    copied: int
    locked: bool


class Checkpointer:
    """Copies the log of the SQLite database at ``path`` every ``every`` seconds on a thread of
    its own (``start()``/``stop()``), or once (``run_pass()``)."""

    def __init__(self, path: str, *, every: float = EVERY_SECONDS, restart_pages: int = RESTART_PAGES):
        self.path = path
        self.every = every
        self.restart_pages = restart_pages
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sqlite-checkpoint", daemon=True)
        self._connection: sqlite3.Connection | None = None

    def run_pass(self) -> Pass:
        logged, copied = self._checkpoint()
        if logged < self.restart_pages:
            return Pass(logged, copied, locked=False)
        # Writers may have added pages since: copy them while no writer can, and the next one
        # finds the whole log in the database file and starts it over.
        lock = os.open(writers_lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            logged, copied = self._checkpoint()
        finally:
            os.close(lock)  # drops the lock with it
        return Pass(logged, copied, locked=True)

    def _checkpoint(self) -> tuple[int, int]:
        if self._connection is None:
            # Its own connection, outside Django: one thread uses it at a time (the loop, or a test).
            self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        _busy, logged, copied = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return max(logged, 0), max(copied, 0)  # -1 each when the database is not in WAL mode

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _loop(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self.run_pass()
            except sqlite3.Error:
                # The connections' backstop checkpoints meanwhile; the next pass tries again.
                log.exception("sqlite checkpoint: a pass failed")


def start_for(connection: Any) -> Checkpointer | None:
    """Start this process's checkpointer for Django ``connection`` if it is a SQLite file database
    (once per process; None otherwise), and have the process's connections leave checkpoints to it
    from now on — the calling thread's own open connection included."""
    global _running
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    if _running is None or not _running.thread.is_alive():
        _running = Checkpointer(connection.settings_dict["NAME"])
        _running.start()
    if connection.connection is not None:
        leave_checkpoints(connection.connection)
    return _running


def stop() -> None:
    """Stop this process's checkpointer; connections opened from now on checkpoint by themselves."""
    global _running
    if _running is not None:
        _running.stop()
        _running = None


def keep_log_short(raw: sqlite3.Connection, limit_bytes: int = LOG_KEPT_BYTES) -> None:
    """Have ``raw`` cut the log file back to ``limit_bytes`` whenever it starts the log over."""
    raw.execute(f"PRAGMA journal_size_limit={int(limit_bytes)}")


def leave_checkpoints(raw: sqlite3.Connection) -> None:
    """Have ``raw`` leave checkpoints to this process's checkpointer if one runs."""
    if _running is not None and _running.thread.is_alive():
        raw.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
