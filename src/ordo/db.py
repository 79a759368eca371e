"""Database helpers for the hot paths of every write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q


def _insert_sql(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.name) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})", fields


_statements: dict[tuple[type[models.Model], str], tuple[str, list[models.Field]]] = {}


def insert_rows(rows: Sequence[models.Model]) -> None:
    """INSERT rows of one model that nobody needs the ids of (history, outbox, items).

    Same values as ``bulk_create`` — each goes through its field's ``pre_save`` and
    ``get_db_prep_save`` — but the statement is built once per model and process: for one or two
    rows per transaction, compiling the ORM's INSERT took longer than running it (measured on
    SQLite: transitions with their history and outbox rows went from 1,519/s to 1,966/s).
    """
    if not rows:
        return
    model = type(rows[0])
    key = (model, connection.vendor)
    if key not in _statements:
        _statements[key] = _insert_sql(model)
    sql, fields = _statements[key]
    params = [[f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def adapt(model: type[models.Model], name: str, value: object) -> object:
    """A value as the database takes it for ``model.name`` (for constants shared by many rows)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_db_prep_save(value, connection)


def insert_many(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    constants: dict[str, object] | None = None,
) -> None:
    """INSERT many rows given as tuples of already adapted values for ``columns``.

    Every other field takes its value from ``constants`` or its default, adapted once for the
    whole batch. For the timer sweep, where building and converting a model instance per row
    cost more than the database's own work.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    constants = constants or {}
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    position = {name: i for i, name in enumerate(columns)}
    plan: list[tuple[int | None, object]] = []
    for f in fields:
        if f.name in position or f.attname in position:
            plan.append((position.get(f.name, position.get(f.attname)), None))
        else:
            value = constants[f.name] if f.name in constants else f.get_default()
            plan.append((None, f.get_db_prep_save(value, connection)))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column or f.name) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    params: list[Any] = [[row[i] if i is not None else constant for i, constant in plan] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 50:
            # COPY streams the rows in one command: for big batches (the sweep) many times faster
            # than one INSERT per row, even pipelined.
            columns = ", ".join(quote(f.column or f.name) for f in fields)
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(sql, params)


def lease_claim(
    model: type[models.Model], *, waiting: str, leased: str, worker: str, limit: int, now: datetime
) -> list[int]:
    """Claim up to ``limit`` due rows of a queue table (outbox messages, jobs) for ``worker``.

    Due: ``waiting`` rows whose ``available_at`` has come, and ``leased`` rows whose lease ran out
    (their worker died). Claimed rows are leased for ``ORDO_WORKER_LEASE_SECONDS``. On PostgreSQL,
    SKIP LOCKED lets many workers claim side by side; SQLite has one writer at a time anyway.
    """
    lease = timedelta(seconds=settings.ORDO_WORKER_LEASE_SECONDS)
    manager = model._default_manager
    with transaction.atomic():
        due = manager.filter(
            Q(status=waiting, available_at__lte=now) | Q(status=leased, leased_until__lt=now)
        ).order_by("available_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            manager.filter(id__in=ids).update(status=leased, leased_until=now + lease, lease_owner=worker)
    return ids


def lease_renew(model: type[models.Model], *, leased: str, worker: str, ids: Sequence[int], now: datetime) -> int:
    """Extend the lease of the rows among ``ids`` that ``worker`` still holds; returns how many.
    A worker renews before it sends each row and, every third of a lease, the rest of its batch, so
    no lease runs out while the rows are in its hands (and one taken over is never sent twice)."""
    if not ids:
        return 0
    lease = timedelta(seconds=settings.ORDO_WORKER_LEASE_SECONDS)
    return model._default_manager.filter(id__in=list(ids), status=leased, lease_owner=worker).update(
        leased_until=now + lease
    )


def insert_new(model: type[models.Model], rows: Sequence[models.Model], *, returning: str) -> list[Any]:
    """INSERT rows, skipping those that a unique constraint already holds (``ON CONFLICT DO
    NOTHING``); returns ``returning`` of the rows actually inserted. Two processes marking the same
    rows at once each learn which marks are theirs (SQLite 3.35+ and PostgreSQL)."""
    if not rows:
        return []
    sql, fields = _insert_sql(model)
    column = model._meta.get_field(returning)
    assert isinstance(column, models.Field)
    quote = connection.ops.quote_name
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    sql = sql.split(" VALUES ")[0] + f" VALUES {values} ON CONFLICT DO NOTHING RETURNING {quote(column.attname)}"
    params = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
