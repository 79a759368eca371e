"""Text search as people type it: any case in any alphabet, phone numbers by their digits.

SQLite's ``LIKE`` and ``LOWER()`` fold ASCII letters only, so "иван" never found "Иван" there.
``Folded`` and ``Digits`` are SQL functions that behave alike on both databases: on PostgreSQL
``LOWER()`` (Unicode-aware) and ``regexp_replace``; on SQLite two Python functions registered on
every new connection (``str.casefold`` and the ASCII digits of the text).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

_NOT_DIGITS = re.compile(r"[^0-9]")


def fold(text: str | None) -> str:
    """Text as search compares it: case-folded, so "WIŚNIEWSKA" and "wiśniewska" are one."""
    return (text or "").casefold()


def digits(text: str | None) -> str:
    """The ASCII digits of a phone number however it was typed: "+48 600-100 200" → "48600100200"."""
    return _NOT_DIGITS.sub("", text or "")


class Folded(Func):
    function = "ordo_fold"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="LOWER", **extra)


class Digits(Func):
    function = "ordo_digits"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="regexp_replace(%(expressions)s, '[^0-9]', '', 'g')", **extra)


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("ordo_fold", 1, fold, deterministic=True)
        connection.connection.create_function("ordo_digits", 1, digits, deterministic=True)


def install() -> None:
    """Register the SQLite functions on every connection opened from now on (called at start-up)."""
    connection_created.connect(_register, dispatch_uid="ordo.search")
