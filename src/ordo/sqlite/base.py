"""Django's SQLite backend with the write transactions of every thread and process queued on a
lock file beside the database (``flock``) before ``BEGIN IMMEDIATE``.

Without it, a writer that finds the database locked sleeps in SQLite's busy handler — 1, 2, 5,
10, 15, 20, 25… ms between tries — however soon the lock is free again: under a few concurrent
API requests the write lock sat idle while waiters slept, and both throughput and the latency
tail suffered (bench/http.py). A waiter on ``flock`` is woken by the kernel the moment the holder
commits or rolls back, in the order they came. The busy handler (the ``timeout`` option) still
covers writers that do not take the lock file: a plain ``sqlite3`` shell, or a statement run
outside a transaction.

The lock is held from ``BEGIN`` to ``COMMIT``/``ROLLBACK`` of the outermost ``atomic`` block; a
closed connection (or a dead process) drops it with its file descriptor. In-memory databases
take no lock. A process's checkpointer thread (checkpoint.py) queues on the same lock to copy the
last pages of the write-ahead log.

Its cursors also remember each statement's translation from Django's ``%s`` placeholders to
SQLite's ``?``: Django runs a regular expression over the text of every statement it sends, the
same few statements again and again on the hot paths. And it sends ``BEGIN IMMEDIATE`` on the
driver's connection rather than through a cursor of its own, unless queries are being logged."""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base

from ordo.sqlite.checkpoint import keep_log_short, leave_checkpoints, writers_lock_path

# The stubs do not describe the private transaction hooks this overrides.
_Django: Any = base.DatabaseWrapper


@functools.lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class Cursor(base.SQLiteCursorWrapper):
    """Django's SQLite cursor, with each statement's ``?`` form remembered (``_qmark``) and sent
    straight to the driver when its parameters come as a list or tuple — as Ordo's statements
    and the ORM's do; a mapping's named placeholders, or no parameters at all, go Django's way."""

    def execute(self, query: str, params: Any = None) -> Any:
        if type(params) is list or type(params) is tuple:
            return sqlite3.Cursor.execute(self, _qmark(query), params)
        return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if type(param_list) is list and (not param_list or type(param_list[0]) in (list, tuple)):
            return sqlite3.Cursor.executemany(self, _qmark(query), param_list)
        return super().executemany(query, param_list)

    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(_Django):
    _write_lock: int | None = None
    _locked = False

    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=Cursor)

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        self._drop_lock_file()
        if not self.is_in_memory_db():
            keep_log_short(connection)
            leave_checkpoints(connection)
            if self.transaction_mode == "IMMEDIATE":
                self._write_lock = os.open(writers_lock_path(self.settings_dict["NAME"]), os.O_RDWR | os.O_CREAT, 0o600)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self._write_lock is not None:
            fcntl.flock(self._write_lock, fcntl.LOCK_EX)
            self._locked = True
        try:
            if self.queries_logged:
                super()._start_transaction_under_autocommit()  # through a cursor that logs it
            else:
                # On the driver's connection: Django opens a cursor for each BEGIN (~9 µs).
                with self.wrap_database_errors:
                    self.connection.execute(f"BEGIN {self.transaction_mode or ''}")
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._drop_lock_file()

    def _release(self) -> None:
        if self._locked and self._write_lock is not None:
            self._locked = False
            fcntl.flock(self._write_lock, fcntl.LOCK_UN)

    def _drop_lock_file(self) -> None:
        if self._write_lock is not None:
            os.close(self._write_lock)  # drops the lock with it
            self._write_lock, self._locked = None, False
