"""``db.row_by`` reads a row by a key through a prepared statement: the same instance the ORM's
``filter(<key>=value).first()`` builds (dates, decimals and JSON converted alike), the lowest id
when several rows share the key, None when none does."""

from __future__ import annotations

import pytest

from ordo.accounts.models import Customer
from ordo.db import row_by
from ordo.orders.models import Order

pytestmark = pytest.mark.django_db


def fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_a_row_by_its_key_is_the_one_the_orm_reads(load_preset, customer, place):
    load_preset("shop")
    order = place(customer)
    found = row_by(Order, "number", order.number)
    assert found is not None
    assert fields(found) == fields(Order.objects.filter(number=order.number).first())
    assert not found._state.adding
    assert row_by(Customer, "user", customer.user.pk) == customer.customer


def test_several_rows_under_one_key_give_the_first_and_none_give_none(load_preset, customer, place):
    load_preset("shop")
    first, _second = place(customer), place(customer)
    assert row_by(Order, "customer", customer.customer.pk).pk == first.pk
    assert row_by(Order, "number", 999_999) is None
    assert row_by(Customer, "id", 10**9) is None
