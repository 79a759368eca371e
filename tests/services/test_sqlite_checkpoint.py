"""SQLite's write-ahead log is copied back by a thread of the process, not by the commit that
fills it (ordo/sqlite/checkpoint.py)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from ordo.sqlite import checkpoint
from ordo.sqlite.checkpoint import BACKSTOP_PAGES, LOG_KEPT_BYTES, Checkpointer, keep_log_short, writers_lock_path

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL has no write-ahead log to copy")


def _database(tmp_path: Path) -> tuple[str, sqlite3.Connection]:
    """A WAL database whose own connection never checkpoints, with one table to write to."""
    path = str(tmp_path / "log.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    return path, db


def _write(db: sqlite3.Connection, rows: int) -> None:
    """``rows`` transactions, each a page or more of the log."""
    for _ in range(rows):
        db.execute("INSERT INTO t (body) VALUES (?)", ["x" * 5000])


def _log_pages(db: sqlite3.Connection) -> int:
    """Pages in the log now (a checkpoint that finds nothing new to copy copies nothing)."""
    return int(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_a_short_log_is_copied_without_the_writers_lock(tmp_path):
    path, db = _database(tmp_path)
    _write(db, 5)
    done = Checkpointer(path, restart_pages=1_000).run_pass()
    assert done.logged > 0
    assert done.copied == done.logged
    assert not done.locked


def test_a_long_log_is_started_over_by_the_next_writer(tmp_path):
    path, db = _database(tmp_path)
    _write(db, 60)
    done = Checkpointer(path, restart_pages=50).run_pass()
    assert done.locked
    assert done.copied == done.logged >= 60
    _write(db, 1)
    assert _log_pages(db) < 5  # the writer started the log over instead of appending to it


def test_pages_the_lock_free_copy_left_are_copied_under_the_writers_lock(tmp_path):
    """The lock-free copy cannot take pages a reader still needs (or a writer adds meanwhile):
    the locked copy takes them, so the log still starts over (never, without it, under steady
    reads and writes)."""
    path, db = _database(tmp_path)
    _write(db, 30)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # reads at the log's current end
    _write(db, 30)
    copier = Checkpointer(path, restart_pages=50)
    lock_free = copier._checkpoint
    passes: list[tuple[int, int]] = []

    def copy_then_let_the_reader_go() -> tuple[int, int]:
        passes.append(lock_free())
        if reader.in_transaction:
            reader.execute("COMMIT")
        return passes[-1]

    copier._checkpoint = copy_then_let_the_reader_go  # type: ignore[method-assign]
    done = copier.run_pass()
    logged, copied = passes[0]
    assert copied < logged  # the lock-free copy stopped at the reader's pages
    assert done.locked
    assert done.copied == done.logged == logged
    _write(db, 1)
    assert _log_pages(db) < 5


def test_the_locked_copy_waits_for_the_writer_in_its_transaction(tmp_path):
    """The checkpointer queues on the lock writers hold from BEGIN to COMMIT (base.py)."""
    path, db = _database(tmp_path)
    _write(db, 60)
    held = os.open(writers_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)
    copier = Checkpointer(path, restart_pages=50)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(copier.run_pass()))
    worker.start()
    worker.join(timeout=0.2)  # bounded: the pass must still be queued when it ends
    assert worker.is_alive()
    assert not result
    os.close(held)
    worker.join()
    assert result[0].locked


def test_a_log_grown_by_a_burst_is_cut_back_when_it_starts_over(tmp_path):
    path, db = _database(tmp_path)
    keep_log_short(db, limit_bytes=256 * 1024)
    db.execute("BEGIN")
    _write(db, 300)  # about 1.5 MB of log in one transaction
    db.execute("COMMIT")
    log = Path(f"{path}-wal")
    assert log.stat().st_size > 1_000_000
    Checkpointer(path, restart_pages=50).run_pass()
    _write(db, 1)  # starts the log over
    assert log.stat().st_size <= 256 * 1024


def _fresh_pragma(name: str) -> int:
    """``PRAGMA name`` on a connection Ordo opens now."""
    fresh = connections.create_connection("default")
    try:
        fresh.ensure_connection()
        with fresh.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return int(cursor.fetchone()[0])
    finally:
        fresh.close()


@pytest.mark.django_db
def test_ordos_connections_cut_the_log_back():
    assert _fresh_pragma("journal_size_limit") == LOG_KEPT_BYTES


@pytest.mark.django_db
def test_a_process_with_a_checkpointer_leaves_checkpoints_to_it():
    assert _fresh_pragma("wal_autocheckpoint") == 1000  # SQLite's own: the commit that fills the log copies it
    running = checkpoint.start_for(connection)
    try:
        assert running is not None
        assert running.thread.is_alive()
        assert checkpoint.start_for(connection) is running  # one per process
        assert _fresh_pragma("wal_autocheckpoint") == BACKSTOP_PAGES
    finally:
        checkpoint.stop()
    assert not running.thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_each_web_process_starts_its_checkpointer():
    from ordo.server import _web_process_ready

    _web_process_ready(None)
    try:
        assert checkpoint._running is not None
        assert checkpoint._running.thread.is_alive()
    finally:
        checkpoint.stop()


@pytest.mark.django_db(transaction=True)
def test_the_worker_checkpoints_while_it_runs_and_stops_with_it(monkeypatch):
    from ordo.worker import Worker

    worker = Worker(poll=0)
    seen = []

    def one_round() -> int:
        seen.append(checkpoint._running is not None and checkpoint._running.thread.is_alive())
        worker.stopping.set()
        return 0

    monkeypatch.setattr(worker, "run_once", one_round)
    loop = threading.Thread(target=worker.run_forever)  # off the main thread: no signal handlers
    loop.start()
    loop.join()
    assert seen == [True]
    assert checkpoint._running is None
