"""Database helpers for the hot paths of every write."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.dateparse import parse_datetime

_M = TypeVar("_M", bound=models.Model)


@functools.cache
def vendor() -> str:
    """The database's vendor (``sqlite``, ``postgresql``), which keys every hot statement's cache:
    one per process, so it is asked once. Through ``django.db.connection`` each asking looked the
    thread's connection up again in asgiref's ``Local`` (about 2 µs; some thirty times a
    transition with its answer)."""
    return str(connections[DEFAULT_DB_ALIAS].vendor)


# -- statements through a kept cursor ------------------------------------------------------------


#: Where a connection keeps the hot paths' cursor, with the database connection it belongs to.
_KEPT = "_ordo_kept_cursor"


def _kept_cursor(db: Any) -> tuple[Any, bool]:
    """The connection's cursor for the hot paths' statements, and whether it was opened for this
    statement alone. Django's ``cursor()`` and its ``close()`` took about 9 µs together, three
    times a short statement (a transition ran seven).

    Kept: the driver's own cursor (Ordo's on SQLite, psycopg's), run without Django's wrapper
    around it — its three calls, checks and error context took 5 µs of a 13 µs statement;
    ``_Statement`` does what they did. A new one is kept once the connection was closed and
    opened again.

    Fresh: Django's cursor, closed after its statement, while queries are being logged (DEBUG, or
    a test's ``assertNumQueries``) or wrapped (``connection.execute_wrapper``), so each
    statement is still seen."""
    if db.queries_logged or db.execute_wrappers:
        return db.cursor(), True
    kept = db.__dict__.get(_KEPT)
    if kept is None or kept[0] is not db.connection:
        cursor = db.cursor().cursor  # connects first, when the connection is not open yet
        kept = db.__dict__[_KEPT] = (db.connection, cursor)
    return kept[1], False


#: The thread's connection while a block holds it (``one_connection``).
_HELD = threading.local()


class one_connection:  # named as the function it is used as: ``with one_connection():``
    """The statements of the block (``execute``, ``fetch_all``…) take the thread's connection
    looked up once, at its start: each ``connections["default"]`` is a walk through asgiref's
    ``Local`` (about 2 µs; a transition's unit runs seven statements). A class rather than a
    generator: ``contextmanager``'s machinery cost as much as the lookups it saved."""

    __slots__ = ("previous",)

    def __enter__(self) -> None:
        self.previous = getattr(_HELD, "db", None)
        _HELD.db = connections[DEFAULT_DB_ALIAS]

    def __exit__(self, *_: object) -> None:
        _HELD.db = self.previous


class _Statement:
    """``with _Statement() as cursor``: a cursor for the hot paths' statements (``_kept_cursor``).

    On the kept driver's cursor it does what Django's wrapper would: the connection's health check
    (``CONN_HEALTH_CHECKS``) first, no statement in a transaction an error has broken, and the
    driver's errors raised as Django's (``IntegrityError``…) — only when one is raised, so a
    statement that succeeds pays for none of it."""

    __slots__ = ("cursor", "db", "fresh")

    def __enter__(self) -> Any:
        db = self.db = getattr(_HELD, "db", None) or connections[DEFAULT_DB_ALIAS]
        db.close_if_health_check_failed()
        db.validate_no_broken_transaction()
        self.cursor, self.fresh = _kept_cursor(db)
        return self.cursor

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if self.fresh:
            self.cursor.close()
        elif kind is not None:
            self.db.wrap_database_errors.__exit__(kind, error, trace)


def execute(sql: str, params: Sequence[Any] = ()) -> None:
    """Run a statement that returns no rows, through the kept cursor."""
    with _Statement() as cursor:
        cursor.execute(sql, params)


def execute_many(sql: str, params: Sequence[Sequence[Any]]) -> None:
    """Run a statement once for each parameter row, through the kept cursor."""
    with _Statement() as cursor:
        cursor.executemany(sql, params)


def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Every row a statement returns, through the kept cursor. Always every row: a SELECT left
    half-read would hold its SQLite read snapshot open for as long as the cursor is kept."""
    with _Statement() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_one(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """The row of a statement that returns at most one (by a key, ``LIMIT 1``, ``RETURNING``)."""
    found = fetch_all(sql, params)
    return found[0] if found else None


def _insert_sql(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.name) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})", fields


#: Fields whose Python value is already what the database takes (no adaptation, no pre_save).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


_AS_THEY_ARE = (str, int, bool)

#: How a column's value becomes what the database takes: as it is (a plain field's str, int, bool
#: or None), a Decimal, an aware datetime or a JSON column's dict or list by the shortcuts below,
#: or by the field's own adaptation.
_DIRECT, _DECIMAL, _MOMENT, _JSON, _FIELD = range(5)

#: A field's default that is worked out each time it is taken (a callable: now, a new dict…).
_CALLED = object()


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return isinstance(target, models.AutoField | models.IntegerField)
    return isinstance(field, _PLAIN) and not isinstance(field, models.DateField | models.DecimalField)


def _how(field: models.Field) -> int:
    if _is_plain(field):
        return _DIRECT
    if isinstance(field, models.DecimalField):
        return _DECIMAL
    if isinstance(field, models.DateTimeField):
        return _MOMENT
    if isinstance(field, models.JSONField) and field.encoder is None:
        return _JSON
    return _FIELD


class Shape:
    """A model's row as the hot paths write it, worked out once per model and process: for each
    column, where its value comes from and how it is adapted. ``values`` gives what
    ``bulk_create`` would send (pre_save and get_db_prep_save for the fields that need them),
    without building the ORM's statement each time."""

    def __init__(self, model: type[models.Model], fields: list[models.Field]):
        self.model = model
        self.fields = fields
        self.moment = _moment()
        #: (attname, field, how it is adapted, needs pre_save, its default adapted or _CALLED).
        self.steps: list[tuple[str, models.Field, int, bool, Any]] = []
        for f in fields:
            needs_pre_save = bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
            how = _how(f)
            # A default that is not called (a constant, or none: None or "") is adapted once here.
            default = _CALLED if callable(f.default) else _adapted(f, how, f.get_default(), self.moment)
            self.steps.append((f.attname, f, how, needs_pre_save, default))
        #: The fields whose default is worked out each time it is taken (``_given``).
        self.called = [(attname, field) for attname, field, _h, _p, default in self.steps if default is _CALLED]

    @functools.cached_property
    def as_made(self) -> tuple[dict[str, Any], list[tuple[str, Decimal]]]:
        """What ``_made`` sets besides the values written, worked out once per shape: the defaults
        that are not called (Django hands out that same value each time it is asked) and each
        decimal column's places as the exponent ``quantize`` takes (``0.01``)."""
        constants = {
            attname: field.get_default() for attname, field, _h, _p, default in self.steps if default is not _CALLED
        }
        places = [
            (attname, Decimal(1).scaleb(-field.decimal_places))
            for attname, field, how, _p, _d in self.steps
            if how == _DECIMAL and isinstance(field, models.DecimalField)
        ]
        return constants, places

    def values(self, row: models.Model, *, add: bool = True) -> list[Any]:
        out = []
        for attname, field, how, needs_pre_save, _default in self.steps:
            value = field.pre_save(row, add=add) if needs_pre_save else getattr(row, attname)
            out.append(_adapted(field, how, value, self.moment))
        return out

    def values_from(self, row: Mapping[str, Any]) -> list[Any]:
        """What ``values`` gives for the model built from ``row`` (attribute name → value; a field
        it leaves out takes its default, an ``auto_now`` one the time now), without building it."""
        out = []
        now = None
        for attname, field, how, needs_pre_save, default in self.steps:
            if needs_pre_save:
                value = now = now or timezone.now()
            elif attname in row:
                value = row[attname]
                if value is None or (how == _DIRECT and type(value) in _AS_THEY_ARE):
                    out.append(value)  # the commonest case, without a call
                    continue
            elif default is not _CALLED:
                out.append(default)
                continue
            else:
                value = field.get_default()
            out.append(_adapted(field, how, value, self.moment))
        return out


def _adapted(field: models.Field, how: int, value: Any, moment: Callable[[datetime], Any] | None) -> Any:
    """A value as the database takes it — what ``field.get_db_prep_save`` gives, by a shortcut for
    the values the hot paths write most (tests/services/test_db_values.py holds the two equal): a
    plain field's str, int, bool or None as it is; a finite Decimal as it is (Django hands it to
    the driver unchanged); an aware datetime as ``moment`` (``_moment``) has it; a JSON column's
    dict or list as ``_json_adapter`` writes it (the same once read back)."""
    kind = type(value)
    if how == _FIELD:
        return field.get_db_prep_save(value, connection)
    if how == _JSON and (kind is dict or kind is list):
        return _json_adapter()(value)
    if value is None or (how == _DIRECT and kind in _AS_THEY_ARE):
        return value
    if how == _DECIMAL and kind is Decimal and value.is_finite():
        return value
    if how == _MOMENT and moment is not None and kind is datetime and value.tzinfo is not None:
        return moment(value)
    return field.get_db_prep_save(value, connection)


@functools.cache
def _moment() -> Callable[[datetime], Any] | None:
    """How this connection's database takes an aware datetime (worked out once per process, one
    for every shape): as it is on PostgreSQL, as text in the connection's zone on SQLite; None:
    by the field."""
    if not settings.USE_TZ:
        return None
    if vendor() == "postgresql":
        return lambda value: value
    if vendor() == "sqlite":
        zone = connection.timezone
        # A unit of work writes its one "now" into several rows of several tables, between the
        # moments it read (a stay's start): the texts of the last few instants are kept, for all
        # the shapes. By the instant (equal datetimes are one instant, whatever their zone, and
        # give one text here): keeping only the last one missed five times in six in a transition.
        texts: dict[datetime, str] = {}

        def as_text(value: datetime) -> str:
            text = texts.get(value)
            if text is None:
                if len(texts) >= 32:
                    texts.clear()
                text = texts[value] = str(value.astimezone(zone).replace(tzinfo=None))
            return text

        return as_text
    return None


def _json_bytes(value: Any) -> bytes:
    """A dict's or a list's JSON, by orjson: an outbox row's context took a tenth of a transition's
    Python through the standard library's encoder. It gives what that one gives once read back
    (keys that are not text written as text); what orjson refuses — an integer beyond 64 bits, a
    value JSON has no type for — goes to the standard library's, which writes or refuses it as
    the field would. The text is compact UTF-8."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value).encode()


@functools.cache
def _json_adapter() -> Callable[[Any], Any]:
    """How a JSON column (a ``JSONField`` with no encoder of its own) takes a dict or a list on
    this connection's database: what ``get_db_prep_save`` gives, written by ``_json_bytes`` —
    text on SQLite, psycopg's ``Jsonb`` on PostgreSQL."""
    if vendor() == "postgresql":
        from django.db.backends.postgresql.psycopg_any import Jsonb

        return lambda value: Jsonb(value, dumps=_json_bytes)
    return lambda value: _json_bytes(value).decode()


_statements: dict[tuple[type[models.Model], str], tuple[str, Shape]] = {}


def _insert_shape(model: type[models.Model]) -> tuple[str, Shape]:
    key = (model, vendor())
    if key not in _statements:
        sql, fields = _insert_sql(model)
        _statements[key] = (sql, Shape(model, fields))
    return _statements[key]


def insert_rows(rows: Sequence[models.Model]) -> None:
    """INSERT rows of one model that nobody needs the ids of (history, outbox, items).

    Same values as ``bulk_create`` — each goes through its field's ``pre_save`` and
    ``get_db_prep_save`` where the field needs it — but the statement and the row's shape are built
    once per model and process: for one or two rows per transaction, compiling the ORM's INSERT took
    longer than running it (measured on SQLite: transitions with their history and outbox rows went
    from 1,519/s to 1,966/s).
    """
    if not rows:
        return
    sql, shape = _insert_shape(type(rows[0]))
    execute_many(sql, [shape.values(row) for row in rows])


def insert_plain(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """``insert_rows`` for rows given as plain mappings (attribute name → value) rather than model
    instances: the hot paths' items, history, stays and outbox rows, which nobody reads back as
    models — building one cost more than adapting its values."""
    if not rows:
        return
    sql, shape = _insert_shape(model)
    execute_many(sql, [shape.values_from(row) for row in rows])


@contextmanager
def _pipeline() -> Iterator[None]:
    """PostgreSQL: the statements of the block in one psycopg pipeline, answered in one round trip
    when it ends; one that fails raises as Django's error then."""
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


@contextmanager
def batched() -> Iterator[None]:
    """Writes whose results nobody reads, sent together: on PostgreSQL in one pipeline, answered in
    one round trip when the block ends rather than one per statement; elsewhere as they come. A
    statement that fails raises as Django's error when the block ends (the caller's transaction
    then rolls back as usual). Read nothing inside: a read waits for all before it."""
    if vendor() != "postgresql":
        with one_connection():
            yield
        return
    with one_connection(), _pipeline():
        yield


def read_together(reads: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each of several reads that do not wait for one another: on PostgreSQL sent in
    one psycopg pipeline and answered in one round trip (the API answer's five reads: 0.8 ms
    against 1.6–1.9 ms one by one, once the statements are prepared), elsewhere one by one
    (``fetch_all``). Each is logged and counted like any query while queries are logged."""
    if not reads:
        return []
    if vendor() != "postgresql":
        return [fetch_all(sql, params) for sql, params in reads]
    cursors = []
    with _pipeline():
        for sql, params in reads:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            cursors.append(cursor)
    try:
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


_created: dict[tuple[type[models.Model], str], tuple[str, Shape, models.Field]] = {}


def _created_shape(model: type[models.Model]) -> tuple[str, Shape, models.Field]:
    """``insert_created``'s INSERT … RETURNING id, the row's shape and its key, checked and built
    once per model and process."""
    key = (model, vendor())
    if key not in _created:
        sql, shape = _insert_shape(model)
        assert not any(pre_save for _a, _f, _h, pre_save, _d in shape.steps), f"{model.__name__} has auto_now fields"
        assert not signals.pre_init.has_listeners(model), f"{model.__name__} has pre_init receivers"
        assert not signals.post_init.has_listeners(model), f"{model.__name__} has post_init receivers"
        pk = model._meta.pk
        assert pk is not None
        _created[key] = (f"{sql} RETURNING {connection.ops.quote_name(pk.column or pk.name)}", shape, pk)
    return _created[key]


def insert_created(model: type[_M], values: Mapping[str, Any], *, related: Mapping[str, Any] = {}) -> _M:
    """``model.objects.create(**values)`` for the hot paths, with ``values`` by attribute name
    (``customer_id``, not ``customer``; ``related`` then hands over the objects already at hand,
    as ``create(customer=…)`` would keep them). The row is written from the mapping
    (``Shape.values_from``) and the instance made as ``Model.__init__`` leaves one — each field not
    given takes its default — without calling it: for an order's forty fields, ``__init__`` and
    reading the values back off the instance took longer than the INSERT with its indexes.

    For models with no ``auto_now`` field and no pre_init/post_init receiver (asserted): their
    instance holds exactly what is written (tests/services/test_db_values.py)."""
    returning, shape, pk = _created_shape(model)
    given = _given(shape, values)
    returned = fetch_one(returning, shape.values_from(given))
    assert returned is not None
    instance = _made(shape, given, pk, returned[0])
    instance._state.fields_cache.update(related)
    return instance


def _given(shape: Shape, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """``values`` with each default worked out each time (a new dict, the time now) that they
    leave out taken once, for the row and the instance alike; a constant one ``values_from``
    adapts as it was adapted once per shape."""
    called = {attname: field.get_default() for attname, field in shape.called if attname not in values}
    return {**values, **called} if called else values


def _made(shape: Shape, given: Mapping[str, Any], pk: models.Field, key: Any) -> Any:
    """The instance of a row written from ``given`` with the id ``key``, as reading it back would
    make it: each field not given takes its default, and a decimal has its column's places (a
    price sent as ``39.5`` reads back as ``39.50``)."""
    instance = _as_read(shape.model, connection.alias)
    kept = instance.__dict__
    constants, places = shape.as_made
    kept.update(constants)
    kept.update(given)
    for attname, exponent in places:
        value = kept[attname]
        if type(value) is Decimal and value.is_finite():
            kept[attname] = value.quantize(exponent)
    kept[pk.attname] = key
    return instance


def insert_returning(model: type[_M], rows: Sequence[Mapping[str, Any]], *, key: str) -> Callable[[], list[_M]]:
    """``insert_plain`` for rows whose instances are wanted back with their ids, as
    ``insert_created`` makes one: one ``INSERT … VALUES (…), (…) RETURNING`` the id and ``key``, a
    column that tells the rows apart (each id goes to its row whatever order the database returns
    them in). Inside ``batched()`` the statement goes with the others; the instances, in the rows'
    order, come from the function returned, called after the block. A placement's answer then
    need not read its items back."""
    if not rows:
        return list
    statement, shape, pk = _returning_shape(model, len(rows), key)
    given = [_given(shape, row) for row in rows]
    params = [value for row in given for value in shape.values_from(row)]

    def made(returned: Sequence[tuple[Any, ...]]) -> list[_M]:
        ids = {row_key: row_id for row_id, row_key in returned}
        return [_made(shape, row, pk, ids[row[key]]) for row in given]

    if vendor() != "postgresql":
        written = made(fetch_all(statement, params))
        return lambda: written
    # Its own cursor, read once the pipeline has answered (as ``read_together`` reads).
    cursor = connection.cursor()
    cursor.execute(statement, params)

    def after() -> list[_M]:
        try:
            return made(cursor.fetchall())
        finally:
            cursor.close()

    return after


_returning: dict[tuple[type[models.Model], str, int, str], tuple[str, Shape, models.Field]] = {}


def _returning_shape(model: type[models.Model], count: int, key: str) -> tuple[str, Shape, models.Field]:
    """``insert_returning``'s statement for ``count`` rows, checked and built once per model, row
    count and process."""
    cache_key = (model, vendor(), count, key)
    if cache_key not in _returning:
        pk = _created_shape(model)[2]  # the model checked as ``insert_created`` checks it
        sql, shape = _insert_shape(model)
        head, _, one = sql.partition(" VALUES ")
        field = model._meta.get_field(key)
        assert isinstance(field, models.Field)
        quote = connection.ops.quote_name
        returning = f"{quote(pk.column or pk.name)}, {quote(field.column or field.name)}"
        _returning[cache_key] = (f"{head} VALUES {', '.join([one] * count)} RETURNING {returning}", shape, pk)
    return _returning[cache_key]


_updates: dict[tuple[type[models.Model], str, tuple[str, ...]], tuple[str, Shape]] = {}


def update_fields(row: models.Model, names: Sequence[str]) -> None:
    """UPDATE these fields of a row by its id: ``save(update_fields=...)`` with the statement and
    shape built once per field set and process (the ORM's own took longer than the UPDATE)."""
    model = type(row)
    key = (model, vendor(), tuple(names))
    if key not in _updates:
        fields: list[models.Field] = []
        for name in names:
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field)
            fields.append(field)
        quote = connection.ops.quote_name
        pk = model._meta.pk
        assert pk is not None
        assignments = ", ".join(f"{quote(f.column or f.name)} = %s" for f in fields)
        sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column or pk.name)} = %s"
        _updates[key] = (sql, Shape(model, fields))
    sql, shape = _updates[key]
    execute(sql, [*shape.values(row, add=False), row.pk])


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
        if vendor() == "postgresql" and len(rows) > 50:
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
    sql, shape = _insert_shape(model)
    column = model._meta.get_field(returning)
    assert isinstance(column, models.Field)
    quote = connection.ops.quote_name
    values = ", ".join(["(" + ", ".join(["%s"] * len(shape.fields)) + ")"] * len(rows))
    sql = sql.split(" VALUES ")[0] + f" VALUES {values} ON CONFLICT DO NOTHING RETURNING {quote(column.attname)}"
    params = [value for row in rows for value in shape.values(row)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@functools.cache
def _built_directly(model: type[models.Model]) -> bool:
    """Whether an instance of ``model`` may be made without ``Model.__init__`` (``_as_read``): no
    pre_init/post_init receiver would miss it. Asked once per model and process."""
    return not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))


def _as_read(model: type[_M], db: str) -> _M:
    """An instance as a read from database ``db`` leaves it, with nothing set on it yet: what
    ``Model.__init__`` would make, without working out every field's default."""
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    return instance


class ReadShape:
    """A model's row as the hot paths read it, worked out once per model and process: the columns
    to select and, for each that needs one, the converters the ORM would apply (dates on SQLite,
    decimals, JSON), so a plain cursor's row becomes the same model instance ``from_db`` builds."""

    def __init__(self, model: type[models.Model], alias: str):
        quote = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        self.model = model
        #: The connection's alias, kept: asking the connection proxy costs more than building a row.
        self.db = connection.alias
        self.attnames = [f.attname for f in fields]
        self.width = len(fields)
        self.columns = ", ".join(f"{alias}.{quote(f.column or f.name)}" for f in fields)
        self.converters: list[tuple[int, list[Any], Any]] = []
        for i, f in enumerate(fields):
            column = f.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((i, [_quicker(convert) for convert in found], column))

        # With no pre_init/post_init receiver, an instance is what Model.__init__ leaves: its state
        # and the row's values by attribute name — set directly, a third of the time.
        self.direct = _built_directly(model)

    def build(self, row: Sequence[Any]) -> Any:
        values = list(row[: self.width])
        for i, converters, column in self.converters:
            value = values[i]
            for convert in converters:
                value = convert(value, column, connection)
            values[i] = value
        if not self.direct:
            return self.model.from_db(self.db, self.attnames, values)
        instance = _as_read(self.model, self.db)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        return instance


def _quicker(convert: Callable[..., Any]) -> Callable[..., Any]:
    """``convert``, or a quicker one that gives the same where one is known: SQLite's moments
    (``convert_datetimefield_value``) asked for the settings and the connection's zone, through
    two lazy proxies, for each of the dozen moments of a hot path's rows (a fifth of building
    them); its decimals are remembered (``_remembered``). tests/services/test_db_values.py holds
    the rows built equal to the ORM's."""
    if vendor() != "sqlite":
        return convert
    if ".get_decimalfield_converter." in getattr(convert, "__qualname__", ""):
        return _remembered(convert)
    if getattr(convert, "__name__", "") != "convert_datetimefield_value" or not settings.USE_TZ:
        return convert
    zone = connection.timezone

    def moment(value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = parse_datetime(value)
        return value if value.utcoffset() is not None else value.replace(tzinfo=zone)

    return moment


def _remembered(convert: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite's converter of one decimal column (a number stored as an integer or a float, made a
    ``Decimal`` with the column's places), remembering what it gave for the last numbers it saw:
    an order's row holds seven sums, most of them 0 and the rest repeated from its lines, and each
    conversion (a float's digits, then ``quantize``) took a microsecond. A ``Decimal`` cannot
    change, so one serves every row that holds the number. A float zero is converted each time:
    ``-0.0`` equals ``0.0`` as a key but not as a decimal."""
    seen: dict[int | float, Decimal] = {}

    def decimal(value: Any, expression: Any, connection: Any) -> Any:
        if value is None or (type(value) is float and value == 0):
            return convert(value, expression, connection)
        found = seen.get(value)
        if found is None:
            if len(seen) >= 4096:
                seen.clear()
            found = seen[value] = convert(value, expression, connection)
        return found

    return decimal


def stand_in(model: type[_M], **values: Any) -> _M:
    """An instance holding only ``values``, as ``model.objects.only(*values)`` reads one (a field
    left out is read when first asked for), made without ``Model.__init__``, which works out
    every other field's default: the workflows' stand-ins of an answer took 3 % of its request."""
    if not _built_directly(model):
        return model(**values)
    instance = _as_read(model, DEFAULT_DB_ALIAS)
    instance.__dict__.update(values)
    return instance


def joined(instance: models.Model, name: str, row: models.Model | None) -> None:
    """Hand ``instance.<name>`` (a foreign key or a one-to-one, from either side) its row, as
    ``select_related`` leaves it: in the instance's cache of related rows, without the
    descriptor's checks of an assignment (its type, the database router, the key set again) —
    the caller read the row by that key."""
    instance._state.fields_cache[name] = row


def related_rows(instance: models.Model, name: str) -> list[Any]:
    """``list(instance.<name>.all())`` (a reverse foreign key): the rows prefetched onto the
    instance when they were (``prefetch_related``, an API answer's reads), without building the
    related manager and its queryset to reach them (a fifth of drawing an order); else read."""
    kept = getattr(instance, "_prefetched_objects_cache", {}).get(name)
    if kept is not None and kept._result_cache is not None:
        return list(kept._result_cache)
    return list(getattr(instance, name).all())


_reads: dict[tuple[type[models.Model], str, str], ReadShape] = {}


def read_shape(model: type[models.Model], alias: str) -> ReadShape:
    key = (model, alias, vendor())
    if key not in _reads:
        _reads[key] = ReadShape(model, alias)
    return _reads[key]


_by: dict[tuple[type[models.Model], str, str], tuple[str, models.Field, ReadShape]] = {}


def row_by(model: type[_M], name: str, value: Any) -> _M | None:
    """``model.objects.filter(<name>=value).first()``: the row whose field ``name`` (a key, or a
    unique column) holds ``value``, the lowest id if several, by one plain statement and a shape
    worked out once per model, field and process. For the hot paths' reads by a key, where the ORM
    took longer compiling the query than the database took running it (416 µs against 60 µs)."""
    key = (model, name, vendor())
    if key not in _by:
        field, pk = model._meta.get_field(name), model._meta.pk
        assert isinstance(field, models.Field)
        assert pk is not None
        shape = read_shape(model, "r")
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {shape.columns} FROM {quote(model._meta.db_table)} r "
            f"WHERE r.{quote(field.column or field.name)} = %s ORDER BY r.{quote(pk.column or pk.name)} LIMIT 1"
        )
        _by[key] = (sql, field, shape)
    sql, field, shape = _by[key]
    row = fetch_one(sql, [field.get_db_prep_value(value, connection)])
    return None if row is None else shape.build(row)
