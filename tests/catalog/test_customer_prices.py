"""A customer's prices come from the catalog: lines the catalog does not know are refused unless the
order type takes free lines (custom work that staff price in review)."""

from __future__ import annotations

import pytest

from ordo.orders.models import Order
from tests.conftest import sell

pytestmark = pytest.mark.django_db


def test_a_customer_cannot_name_their_own_price_for_a_sku_outside_the_catalog(load_preset, customer):
    load_preset("shop")
    cheap = {"sku": "TV-65", "name": "Television", "quantity": 1, "unit_price": "0.01"}
    response = customer.api.post("/orders", {"items": [cheap]})
    assert response.status == 422, response.body
    assert (response.body["error"], response.body["skus"]) == ("unknown_product", ["TV-65"])
    assert Order.objects.count() == 0


def test_a_customer_pays_the_catalog_price_whatever_they_send(load_preset, customer):
    load_preset("shop")
    sell({"sku": "TV-65", "name": "Television", "unit_price": "2999.00"})
    line = {"sku": "TV-65", "name": "Cheap TV", "quantity": 2, "unit_price": "0.01"}
    order = customer.api.post("/orders", {"items": [line]}).body
    assert (order["items"][0]["name"], order["items"][0]["unit_price"]) == ("Television", "2999.00")
    assert order["totals"]["subtotal"] == "5998.00"


def test_free_lines_where_the_preset_takes_custom_work(load_preset, customer):
    load_preset("furniture")
    line = {"sku": "WARDROBE-CUSTOM", "name": "Wardrobe 2.4 m, oak", "quantity": 1, "unit_price": "84000.00"}
    response = customer.api.post("/orders", {"items": [line]})
    assert response.status == 201, response.body
    assert response.body["status"]["code"] == "draft"  # the manager reviews it before it can be paid


def test_staff_still_enter_any_line(load_preset, manager, customer):
    load_preset("shop")
    line = {"sku": "REPAIR", "name": "Repair on site", "quantity": 1, "unit_price": "120.00"}
    response = manager.api.post("/orders", {"customer": customer.customer.pk, "items": [line]})
    assert response.status == 201, response.body
