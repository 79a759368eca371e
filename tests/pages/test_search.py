"""Search that finds people: any case in any alphabet on SQLite and PostgreSQL alike, phone numbers
by their digits however typed, and orders by an item's SKU."""

from __future__ import annotations

import pytest
from django.test import Client

from ordo.accounts.models import Customer
from ordo.accounts.selectors import customers_matching

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Иван Петров", "ivan@example.org", "+7 900 123-45-67"),
    ("Anna WIŚNIEWSKA", "anna.w@example.pl", "+48 600 100 200"),
    ("Matti Meikäläinen", "MATTI@Example.FI", "040-123 4567"),
]


@pytest.fixture
def people(db):
    return {name: Customer.objects.create(name=name, email=email, phone=phone) for name, email, phone in PEOPLE}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("иван", "Иван Петров"),
        ("ПЕТРОВ", "Иван Петров"),
        ("wiśniewska", "Anna WIŚNIEWSKA"),
        ("WIŚNIEWSKA", "Anna WIŚNIEWSKA"),
        ("meikäläinen", "Matti Meikäläinen"),
        ("matti@example.fi", "Matti Meikäläinen"),
        ("600 100 200", "Anna WIŚNIEWSKA"),
        ("+48600100200", "Anna WIŚNIEWSKA"),
        ("(900) 1234567", "Иван Петров"),
        ("0401234567", "Matti Meikäläinen"),
    ],
)
def test_customers_are_found_however_they_are_typed(people, typed, found):
    assert [c.name for c in customers_matching(typed)] == [found]


def test_a_short_run_of_digits_is_not_taken_for_a_phone_number(people):
    assert list(customers_matching("12")) == []


def test_the_desk_finds_orders_by_a_lower_case_name_a_typed_phone_and_a_sku(load_preset, manager, people):
    load_preset("shop")
    ivan = people["Иван Петров"]
    line = {"sku": "BP-443", "name": "Brake pads", "quantity": 1, "unit_price": "3200.00"}
    number = manager.api.post("/orders", {"customer": ivan.pk, "items": [line]}).body["number"]
    other = manager.api.post(
        "/orders", {"customer": people["Anna WIŚNIEWSKA"].pk, "items": [{**line, "sku": "OC-90"}]}
    ).body["number"]
    client = Client()
    client.force_login(manager.user)
    for typed in ("иван", "+7 (900) 123 45 67", "BP-443"):
        page = client.get("/desk/", {"q": typed}).content.decode()
        assert f"№ {number}" in page or f">{number}<" in page, typed
        assert str(other) not in page, typed
    assert manager.api.get("/orders", q="петров").body["items"][0]["number"] == number
    picker = client.get("/desk/customers", {"who": "wiśniew"}).content.decode()
    assert "Anna WIŚNIEWSKA" in picker
    assert [c["name"] for c in manager.api.get("/customers", q="ИВАН").body] == ["Иван Петров"]


def test_orders_are_found_by_their_delivery_address_in_any_case(load_preset, manager, people):
    from ordo.orders.services import order_update

    load_preset("shop")
    line = {"sku": "BP-443", "name": "Brake pads", "quantity": 1, "unit_price": "3200.00"}
    placed = manager.api.post(
        "/orders",
        {"customer": people["Иван Петров"].pk, "items": [line], "delivery_address": "ul. DŁUGA 5, Gdańsk"},
    ).body["number"]
    edited = manager.api.post("/orders", {"customer": people["Anna WIŚNIEWSKA"].pk, "items": [line]}).body["number"]
    order_update(number=edited, actor=manager.actor, delivery_address="Kaivokatu 12 B, Helsinki")
    client = Client()
    client.force_login(manager.user)
    for typed, number, other in (("długa 5", placed, edited), ("KAIVOKATU 12", edited, placed)):
        page = client.get("/desk/", {"q": typed}).content.decode()
        assert f">{number}<" in page, typed
        assert f">{other}<" not in page, typed
