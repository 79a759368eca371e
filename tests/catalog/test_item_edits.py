"""Editing an order's items through the one service the API, the desk and the portal call: totals
and discounts follow, one activity row says what changed, and every refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.catalog.services import LineEdit, order_items_edit
from ordo.errors import DomainError
from ordo.orders.discounts import discount_add
from ordo.orders.models import Activity, Order
from ordo.payments.services import payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_order(load_preset, customer, place):
    load_preset("shop")
    return place(customer)  # A-1 × 2 at 10.00, B-2 × 1 at 5.50


def edit(order, manager, *lines: LineEdit) -> Order:
    return order_items_edit(number=order.number, lines=list(lines), actor=manager.actor)


def items_of(order) -> list[tuple[str, int, str]]:
    return [(i.sku, i.quantity, str(i.unit_price)) for i in order.items.order_by("position")]


def test_manager_changes_quantity_and_price_and_the_totals_follow(shop_order, manager):
    order = edit(shop_order, manager, LineEdit("A-1", 3, Decimal("9.00")), LineEdit("B-2", 1))
    assert items_of(order) == [("A-1", 3, "9.00"), ("B-2", 1, "5.50")]
    assert (order.subtotal, order.total) == (Decimal("32.50"), Decimal("32.50"))
    act = Activity.objects.get(order=order, kind="items_edited")
    assert act.actor_name == manager.user.username
    assert act.detail["changes"] == [["A-1", "quantity", "2", "3"], ["A-1", "price", "10.00", "9.00"]]


def test_a_new_catalog_line_takes_the_catalog_price_and_a_removed_line_is_gone(shop_order, manager):
    order = edit(shop_order, manager, LineEdit("A-1", 2), LineEdit("MUG", 2))
    assert items_of(order) == [("A-1", 2, "10.00"), ("MUG", 2, "39.00")]
    assert order.total == Decimal("98.00")
    changes = Activity.objects.get(order=order, kind="items_edited").detail["changes"]
    assert ["B-2", "removed", "1", ""] in changes
    assert ["MUG", "added", "", "2 × 39.00"] in changes


def test_discounts_are_recomputed_when_the_goods_change(shop_order, manager):
    discount_add(number=shop_order.number, actor=manager.actor, name="Promo", kind="percent", value=Decimal("10"))
    order = edit(shop_order, manager, LineEdit("A-1", 1))
    assert (order.subtotal, order.discount, order.total) == (Decimal("10.00"), Decimal("1.00"), Decimal("9.00"))


def test_a_line_the_catalog_does_not_know_needs_a_type_that_takes_free_lines(shop_order, manager):
    with pytest.raises(DomainError) as refused:
        edit(shop_order, manager, LineEdit("CUSTOM", 1, Decimal("5.00"), "Engraving"))
    assert refused.value.code == "unknown_product"
    assert items_of(Order.objects.get(pk=shop_order.pk))[0] == ("A-1", 2, "10.00")


def test_free_lines_where_the_type_takes_them_need_a_name_and_a_price(load_preset, customer, manager, place):
    load_preset("furniture")
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        edit(order, manager, LineEdit("SHELF", 1))
    assert refused.value.code == "invalid_items"
    edited = edit(order, manager, LineEdit("A-1", 2), LineEdit("SHELF", 1, Decimal("120.00"), "Oak shelf"))
    assert ("SHELF", 1, "120.00") in items_of(edited)


def test_a_customer_may_not_set_a_price(load_preset, customer, place):
    load_preset("autoparts")
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        edit(order, customer, LineEdit("A-1", 2, Decimal("1.00")))
    assert refused.value.code == "forbidden"
    assert items_of(Order.objects.get(pk=order.pk))[0] == ("A-1", 2, "10.00")


def test_items_of_a_paid_order_are_refused_with_the_reason(shop_order, manager):
    payment_record(number=shop_order.number, amount=Decimal("5.00"), actor=manager.actor, channel="cash")
    with pytest.raises(DomainError) as refused:
        edit(shop_order, manager, LineEdit("A-1", 1))
    assert refused.value.code == "items_locked"
    assert "paid" in refused.value.message
    assert not Activity.objects.filter(kind="items_edited").exists()


def test_items_in_a_status_the_workflow_closes_are_refused(shop_order, manager):
    manager.api.fire(shop_order.number, "start")
    with pytest.raises(DomainError) as refused:
        edit(shop_order, manager, LineEdit("A-1", 1))
    assert refused.value.code == "items_locked"
    assert refused.value.details["status"] == Order.objects.get(pk=shop_order.pk).status


@pytest.mark.parametrize(
    "lines",
    [
        [LineEdit("A-1", 0)],
        [LineEdit("A-1", 1), LineEdit("A-1", 2)],
        [LineEdit("A-1", 1, Decimal("-1"))],
        [LineEdit("A-1", 1, Decimal("1.001"))],
        [LineEdit("A-1", 1, Decimal("1e15"))],
        [],
    ],
)
def test_nonsense_lines_are_refused_and_change_nothing(shop_order, manager, lines):
    with pytest.raises(DomainError) as refused:
        edit(shop_order, manager, *lines)
    assert refused.value.code == "invalid_items"
    assert items_of(Order.objects.get(pk=shop_order.pk)) == [("A-1", 2, "10.00"), ("B-2", 1, "5.50")]


def test_a_contractor_may_not_edit_items(shop_order, make_person):
    contractor = make_person("carl-contractor", "contractor")
    with pytest.raises(DomainError) as refused:
        edit(shop_order, contractor, LineEdit("A-1", 1))
    assert refused.value.code in ("forbidden", "not_found")


def test_details_edit_writes_what_changed_in_one_activity_row(shop_order, manager):
    from ordo.orders.services import order_update

    order_update(
        number=shop_order.number,
        actor=manager.actor,
        notes="Call before delivery",
        delivery_address="Długa 5, Gdańsk",
        external_number="",
    )
    act = Activity.objects.get(order=shop_order, kind="details_edited")
    assert set(act.detail) == {"notes", "delivery_address"}
    assert act.detail["delivery_address"] == {"from": "", "to": "Długa 5, Gdańsk"}


def test_items_with_stock_held_for_them_are_refused(load_preset, customer, manager, place):
    from ordo.catalog.models import Reservation, Stock
    from ordo.catalog.services import catalog_import

    load_preset("shop")
    catalog_import("sku,name,price,location,on_hand\nA-1,First thing,10.00,a1,5\n")
    order = place(customer)
    stock = Stock.objects.get(product__sku="A-1")
    item = order.items.get(sku="A-1")
    Stock.objects.filter(pk=stock.pk).update(reserved=2)
    from django.utils import timezone

    Reservation.objects.create(order=order, item=item, stock=stock, quantity=2, at=timezone.now())
    with pytest.raises(DomainError) as refused:
        edit(order, manager, LineEdit("B-2", 1))
    assert refused.value.code == "items_locked"
    assert Reservation.objects.filter(order=order, state="held").count() == 1
