"""The API's renderer writes the values ninja's own renderer writes (compact UTF-8 text)."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
import zoneinfo

import pytest
from django.test import RequestFactory
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.renderers import JSONRenderer

from ordo.api.app import api
from ordo.api.render import RENDERER


class Colour(enum.Enum):
    RED = "red"


class Amount(decimal.Decimal):
    """A subclass: its conversion is not picked by the exact type."""


class Point(Schema):
    x: int
    at: datetime.datetime


WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
VALUES = {
    "decimal": decimal.Decimal("39.00"),
    "negative decimal": decimal.Decimal("-0.10"),
    "decimal subclass": Amount("1.5"),
    "utc with microseconds": datetime.datetime(2026, 12, 2, 10, 5, 7, 123456, tzinfo=datetime.UTC),
    "utc whole second": datetime.datetime(2026, 12, 2, 10, 5, 7, tzinfo=datetime.UTC),
    "warsaw": datetime.datetime(2026, 7, 1, 9, 0, 0, 5000, tzinfo=WARSAW),
    "naive": datetime.datetime(2026, 1, 1, 0, 0),
    "date": datetime.date(2026, 12, 2),
    "time": datetime.time(10, 5, 7, 250000),
    "duration": datetime.timedelta(days=3, hours=2),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy text": gettext_lazy("Cancelled"),
    "schema": Point(x=1, at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)),
    "text": "zamówienie «№ 5»",
    "nested": [{"a": decimal.Decimal("1"), "b": [datetime.date(2026, 1, 2), None, True, 1.5]}],
    "number keys": {1: "a", 2.5: "b"},
    "integer beyond 64 bits": 2**70,
    "float": 0.1 + 0.2,
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_api_renderer_writes_what_ninjas_writes(name):
    request = RequestFactory().get("/")
    body = {"value": VALUES[name], "number": 7}
    ours = RENDERER.render(request, body, response_status=200)
    assert json.loads(ours) == json.loads(JSONRenderer().render(request, body, response_status=200))


def test_api_renderer_writes_an_enum_by_its_value():
    """Where ninja's wrote ``str()`` of a plain Enum ("Colour.RED"); Django's choices, which are
    text or numbers, read the same both ways."""
    written = RENDERER.render(RequestFactory().get("/"), {"v": Colour.RED}, response_status=200)
    assert json.loads(written) == {"v": "red"}


def test_api_renderer_writes_text_as_utf8():
    written = RENDERER.render(RequestFactory().get("/"), {"text": "zamówienie «№ 5»"}, response_status=200)
    assert written.decode() == '{"text":"zamówienie «№ 5»"}'


def test_api_renderer_refuses_what_ninjas_refuses():
    request = RequestFactory().get("/")
    with pytest.raises(TypeError):
        RENDERER.render(request, {"value": object()}, response_status=200)


def test_api_answers_through_the_renderer():
    assert api.renderer is RENDERER
