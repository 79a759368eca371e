"""The hot paths adapt a row's values by shortcuts (``db._adapted``): each must give exactly what
the field's own ``get_db_prep_save`` gives, on the database the tests run on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, models

from ordo.db import _FIELD, _JSON, _adapted, _how, _insert_shape, _moment, read_shape
from ordo.notifications.models import Message
from ordo.orders.models import Activity, Order, OrderItem, StatusChange, Stay

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2026, 12, 2, 4, 5, 6, 789012, tzinfo=UTC),
    datetime(2026, 7, 1, 23, 59, 59, tzinfo=ZoneInfo("Europe/Warsaw")),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2026, 1, 1, tzinfo=UTC),
]
DECIMALS = [Decimal("0"), Decimal("12.50"), Decimal("-3"), Decimal("1E+2"), Decimal("0.001"), Decimal("99999999.99")]
TEXTS = ["", "text", "Łódź 5/7"]
NUMBERS = [0, 7, -1, 2**40]


def candidates(field: models.Field) -> list:
    if isinstance(field, models.DateTimeField):
        return MOMENTS
    if isinstance(field, models.DecimalField):
        return DECIMALS
    if isinstance(field, models.BooleanField):
        return [True, False]
    if isinstance(field, models.CharField | models.TextField):
        return TEXTS
    return NUMBERS


@pytest.mark.parametrize("model", [Order, OrderItem, StatusChange, Stay, Activity, Message])
def test_every_shortcut_gives_what_the_field_itself_gives(model):
    checked, moment = 0, _moment()
    for field in model._meta.concrete_fields:
        how = _how(field)
        if how in (_FIELD, _JSON):
            continue  # adapted by the field itself; JSON's text is compared once read back, below
        for value in [None, *candidates(field)]:
            assert _adapted(field, how, value, moment) == field.get_db_prep_save(value, connection), (field.name, value)
            checked += 1
    assert checked


def _json_written(adapted):
    """What a JSON column holds once written: SQLite's text, or what PostgreSQL's ``Jsonb`` sends."""
    if isinstance(adapted, str):
        return json.loads(adapted)
    dumps = adapted.dumps or json.dumps
    written = dumps(adapted.obj)
    return json.loads(written)


JSON_VALUES = [
    {},
    [],
    {"order": 5, "status": "Отменён", "paid": "39.00", "lines": [{"sku": "MUG-01", "quantity": 2.5}], "none": None},
    [1, -0.1, 0.1 + 0.2, 1e16, True, False, None, 'ż\n"quoted"'],
    {1: "number key", "nested": {"deep": [[[]]]}},
    {"big": 2**70},
]


@pytest.mark.parametrize("value", JSON_VALUES, ids=range(len(JSON_VALUES)))
def test_a_json_columns_dict_or_list_reads_back_as_the_field_writes_it(value):
    field = Message._meta.get_field("context")
    assert _how(field) == _JSON
    ours = _adapted(field, _JSON, value, _moment())
    assert _json_written(ours) == _json_written(field.get_db_prep_save(value, connection))


def test_a_json_column_refuses_what_the_field_refuses():
    field = Message._meta.get_field("context")
    with pytest.raises(TypeError):
        _json_written(_adapted(field, _JSON, {"amount": Decimal("1.00")}, _moment()))


def test_a_json_columns_other_values_go_through_the_field():
    field = Message._meta.get_field("context")
    assert _adapted(field, _JSON, None, _moment()) is None
    assert _json_written(_adapted(field, _JSON, "text", _moment())) == "text"


def test_a_moment_written_again_and_again_is_adapted_each_time_as_the_field_would():
    """On SQLite the texts of recent moments are kept for the next rows (one unit's "now" goes
    into several, between the moments it read): each is still the field's own text, for the same
    instant given in another zone too, and after more moments than are kept."""
    moment, field = _moment(), StatusChange._meta.get_field("at")
    same_instant = MOMENTS[0].astimezone(ZoneInfo("Asia/Tokyo"))
    many = [MOMENTS[0] + timedelta(seconds=i) for i in range(300)]
    for value in [*MOMENTS, *MOMENTS, MOMENTS[0], same_instant, MOMENTS[0], MOMENTS[-1], *many, *many, same_instant]:
        assert _adapted(field, _how(field), value, moment) == field.get_db_prep_save(value, connection), value


@pytest.mark.parametrize("model", [OrderItem, StatusChange, Stay, Activity, Message])
@pytest.mark.parametrize("given", ["nothing", "everything"])
def test_a_row_given_as_a_mapping_is_adapted_as_the_model_built_from_it(model, given):
    """``Shape.values_from`` (the hot paths' rows as plain mappings, defaults adapted once per
    shape) gives what ``Shape.values`` gives for the model instance built from the same mapping:
    each field left out takes its default, each given value its adaptation."""
    _sql, shape = _insert_shape(model)
    row: dict = {}
    if given == "everything":
        for field in shape.fields:
            if isinstance(field, models.ForeignKey):
                row[field.attname] = 7
            elif isinstance(field, models.JSONField):
                row[field.attname] = {"a": [1, "ż"]}
            elif field.choices:
                row[field.attname] = field.choices[-1][0]
            else:
                row[field.attname] = candidates(field)[1]
    built = model(**row)
    automatic = [
        i for i, f in enumerate(shape.fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    expected, got = shape.values(built), shape.values_from(row)
    for i in automatic:
        expected[i] = got[i] = None  # the time now, taken a moment apart
    assert [_plain(v) for v in got] == [_plain(v) for v in expected]


def _plain(value):
    """A value the driver wraps (psycopg's ``Jsonb``, which has no equality) as what it wraps."""
    return getattr(value, "obj", value)


def _fields(order: Order) -> dict:
    return {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}


def test_a_placed_order_holds_what_was_written_and_what_init_would_give(load_preset, customer, place):
    """``db.insert_created`` makes the order without ``Model.__init__``: the instance placing
    returns holds what the database then holds, field by field, and what ``Order(**values)``
    would hold — defaults included — with the customer it was given kept."""
    load_preset("shop")
    order = place(customer, notes="by the door")
    assert _fields(order) == _fields(Order.objects.get(pk=order.pk))
    given = {name: value for name, value in _fields(order).items() if name not in ("id", "payment_status", "paid")}
    assert _fields(Order(id=order.pk, **given)) == _fields(order)
    assert order.payment_status == "unpaid"  # a default: not given when placing
    assert order._state.fields_cache["customer"] == customer.customer
    assert not order._state.adding


def test_a_default_worked_out_each_time_is_taken_once_for_the_row_and_the_instance(
    load_preset, customer, place, monkeypatch
):
    """A field left out whose default is called (a new value each time) gets one value: the one
    written is the one the instance holds."""
    from itertools import count

    from ordo import db

    load_preset("shop")
    values = {name: value for name, value in _fields(place(customer)).items() if name not in ("id", "notes")}
    values.update(number=values["number"] + 1, tracking_token="another-token")
    taken = count()
    field = Order._meta.get_field("notes")
    monkeypatch.setattr(field, "default", lambda: f"note {next(taken)}")
    monkeypatch.setitem(field.__dict__, "_get_default", field.default)  # Django caches what get_default calls
    monkeypatch.setattr(db, "_statements", {})  # the shapes are worked out again with this default
    monkeypatch.setattr(db, "_created", {})
    made = db.insert_created(Order, values)
    assert made.notes == Order.objects.get(pk=made.pk).notes == "note 0"


@pytest.mark.parametrize("model", [Order, OrderItem, StatusChange, Message])
def test_a_row_read_through_a_shape_is_the_instance_the_orm_reads(model, load_preset, customer, place):
    """``ReadShape.build`` converts a plain cursor's row by shortcuts of Django's converters
    (moments on SQLite): every field of what it builds equals, value and type, what the ORM reads
    — moments with their zone, decimals with their places, JSON, booleans and NULLs."""
    load_preset("shop")
    order = place(customer)
    order.issued_at = datetime(2026, 7, 1, 23, 59, 59, 123456, tzinfo=ZoneInfo("Europe/Warsaw"))
    order.save(update_fields=["issued_at"])
    shape = read_shape(model, "r")
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {shape.columns} FROM {table} r ORDER BY r.id")
        rows = cursor.fetchall()
    read = list(model._default_manager.order_by("id"))
    assert rows
    assert len(rows) == len(read)
    for row, expected in zip(rows, read, strict=True):
        built = shape.build(row)
        for field in model._meta.concrete_fields:
            got, want = getattr(built, field.attname), getattr(expected, field.attname)
            assert (got, type(got)) == (want, type(want)), (model.__name__, field.name)
            if isinstance(want, datetime):
                assert got.utcoffset() == want.utcoffset(), field.name


def test_rows_written_with_returning_are_the_instances_the_orm_reads(load_preset, customer, place):
    """``db.insert_returning`` gives each row back as reading it would: its id, every field
    (defaults included) with its value and type — a decimal with its column's places — in the
    order the rows were given, whichever order the database returns the ids in."""
    from ordo import db

    load_preset("shop")
    order = place(customer)
    rows = [
        {"order_id": order.pk, "position": 12, "sku": "Z", "name": "Last", "quantity": 1, "unit_price": Decimal("7")},
        {"order_id": order.pk, "position": 10, "sku": "X", "name": "One", "quantity": 2, "unit_price": Decimal("39.5")},
        {
            "order_id": order.pk,
            "position": 11,
            "sku": "Y",
            "name": "Taxed",
            "quantity": 3,
            "unit_price": Decimal("0.05"),
            "tax_rate": Decimal("23"),
        },
    ]
    with db.batched():
        written = db.insert_returning(OrderItem, rows, key="position")
    made = written()
    assert [item.position for item in made] == [12, 10, 11]
    for item in made:
        expected = OrderItem.objects.get(pk=item.pk)
        for field in OrderItem._meta.concrete_fields:
            got, want = getattr(item, field.attname), getattr(expected, field.attname)
            assert (str(got), type(got)) == (str(want), type(want)), field.name
        assert not item._state.adding


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores decimals as numbers")
def test_a_remembered_decimal_is_what_django_converts_the_number_to(load_preset):
    """A decimal column's numbers are converted once and remembered: asked again — and after
    other numbers — each gives what Django's own converter gives, places and sign included, a
    float zero of either sign each time as Django has it."""
    shape = read_shape(Order, "r")
    _index, converters, column = next(c for c in shape.converters if shape.attnames[c[0]] == "subtotal")
    (remembered,) = converters
    django_converts = connection.ops.get_decimalfield_converter(column)
    numbers = [0, 0.0, -0.0, 1, 1.0, 39.5, 0.001, 0.005, 12345678.91, 211.5, -3.25, 10**9]
    for number in [*numbers, *reversed(numbers), *numbers]:
        got, want = remembered(number, column, connection), django_converts(number, column, connection)
        assert (str(got), type(got)) == (str(want), type(want)), number
