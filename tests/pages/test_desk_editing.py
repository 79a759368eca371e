"""Editing an order from the desk's card: items with the catalogue picker, details, discounts.
Each form is one service call; the card comes back with the result next to it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.orders.models import Activity, Order, OrderItem
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop_order(load_preset, customer, place):
    load_preset("shop")
    return place(customer)  # A-1 × 2 at 10.00, B-2 × 1 at 5.50


def lines(*rows: tuple[str, str, str, str]) -> dict[str, list[str]]:
    return {
        "line_sku": [r[0] for r in rows],
        "line_name": [r[1] for r in rows],
        "line_qty": [r[2] for r in rows],
        "line_price": [r[3] for r in rows],
    }


def test_the_card_offers_the_item_editor_with_the_lines_and_their_total(shop_order, manager, browser_of):
    page = browser_of(manager).get(f"/desk/orders/{shop_order.number}").content.decode()
    assert 'id="edit-items"' in page
    assert 'value="A-1"' in page
    assert 'value="10.00"' in page
    assert "25.50" in page


def test_manager_saves_new_quantities_and_a_picked_line_and_sees_the_new_total(shop_order, manager, browser_of):
    desk = browser_of(manager)
    response = desk.post(
        f"/desk/orders/{shop_order.number}/items",
        lines(("A-1", "First thing", "3", "10.00"), ("B-2", "Second thing", "0", "5.50"), ("MUG", "", "1", "")),
        **HTMX,
    )
    order = Order.objects.get(pk=shop_order.pk)
    assert [(i.sku, i.quantity) for i in order.items.order_by("position")] == [("A-1", 3), ("MUG", 1)]
    assert order.total == Decimal("69.00")
    text = text_of(response)
    assert "Items saved; the total is" in text
    assert "69.00" in text
    assert "MUG added: 1 × 39.00" in text_of(desk.get(f"/desk/orders/{shop_order.number}"))


def test_saving_items_of_a_started_order_says_why_not_and_changes_nothing(shop_order, manager, browser_of):
    manager.api.fire(shop_order.number, "start")
    desk = browser_of(manager)
    card = text_of(desk.get(f"/desk/orders/{shop_order.number}"))
    assert "Items can be changed while the order is: New." in card
    response = desk.post(f"/desk/orders/{shop_order.number}/items", lines(("A-1", "", "1", "")), **HTMX)
    assert "no longer lets its items change" in text_of(response) or "can no longer change" in text_of(response)
    assert Order.objects.get(pk=shop_order.pk).total == Decimal("25.50")


def test_a_bad_row_is_named_and_nothing_changes(shop_order, manager, browser_of):
    response = browser_of(manager).post(
        f"/desk/orders/{shop_order.number}/items", lines(("A-1", "", "two", "")), **HTMX
    )
    assert "Row 1: the quantity is a whole number of at least 1." in text_of(response)
    assert not Activity.objects.filter(kind="items_edited").exists()


def test_manager_edits_address_notes_and_external_number(shop_order, manager, browser_of):
    desk = browser_of(manager)
    desk.post(
        f"/desk/orders/{shop_order.number}/details",
        {"external_number": "EXT-7", "notes": "Fragile", "delivery_address": "Kaivokatu 1, Helsinki"},
        **HTMX,
    )
    order = Order.objects.get(pk=shop_order.pk)
    assert (order.external_number, order.notes, order.delivery_address) == ("EXT-7", "Fragile", "Kaivokatu 1, Helsinki")
    card = text_of(desk.get(f"/desk/orders/{shop_order.number}"))
    assert "Details edited" in card
    assert "external number:" in card


def test_manager_adds_and_removes_a_discount_from_the_card(shop_order, manager, browser_of):
    desk = browser_of(manager)
    desk.post(f"/desk/orders/{shop_order.number}/discounts", {"name": "Loyal", "kind": "amount", "value": "5,50"})
    order = Order.objects.get(pk=shop_order.pk)
    assert (order.discount, order.total) == (Decimal("5.50"), Decimal("20.00"))
    row = order.discounts.get()
    desk.post(f"/desk/orders/{shop_order.number}/discounts/{row.pk}/delete")
    assert Order.objects.get(pk=shop_order.pk).total == Decimal("25.50")


def test_a_contractor_sees_no_editor_and_is_refused(shop_order, make_person, browser_of):
    contractor = make_person("carl-contractor", "contractor")
    Order.objects.filter(pk=shop_order.pk).update(contractor=contractor.user)
    desk = browser_of(contractor)
    page = desk.get(f"/desk/orders/{shop_order.number}").content.decode()
    assert 'id="edit-items"' not in page
    assert 'id="edit-details"' not in page
    response = desk.post(f"/desk/orders/{shop_order.number}/items", lines(("A-1", "", "9", "")), **HTMX)
    assert "may not" in text_of(response) or "Only" in text_of(response)
    assert Order.objects.get(pk=shop_order.pk).items.get(sku="A-1").quantity == 2


def test_the_picker_finds_products_by_name_in_any_case_and_alphabet(load_preset, manager, browser_of):
    from ordo.catalog.models import Product

    load_preset("shop")
    Product.objects.create(sku="ŁYŻ-1", name="Łyżka stołowa", price=Decimal("7.00"))
    desk = browser_of(manager)
    found = desk.get("/desk/products/pick", {"product_q": "ŁYŻKA", "currency": "PLN"}).content.decode()
    assert 'data-sku="ŁYŻ-1"' in found
    assert 'data-price="7.00"' in found
    assert "No product matches." in text_of(desk.get("/desk/products/pick", {"product_q": "zzz"}))


def test_order_entry_takes_a_catalogue_sku_alone_and_any_number_of_lines(load_preset, manager, browser_of):
    load_preset("shop")
    rows = [("MUG", "", "1", ""), *((f"X-{n}", f"Thing {n}", "1", "1.00") for n in range(12))]
    response = browser_of(manager).post(
        "/desk/orders/new",
        {"name": "Pat", "kind": "person", "type": "regular", **lines(*rows)},
    )
    assert response.status_code == 302, text_of(response)
    order = Order.objects.get()
    assert order.items.count() == 13
    assert order.items.get(sku="MUG").unit_price == Decimal("39.00")
    assert order.subtotal == Decimal("51.00")


def test_a_dangerous_step_without_javascript_is_asked_about_on_a_page_first(shop_order, manager, browser_of):
    desk = browser_of(manager)
    asked = desk.post(
        f"/desk/orders/{shop_order.number}/transition", {"transition": "cancel", "expected_status": "new"}
    )
    assert "Cancel: are you sure?" in text_of(asked)
    assert Order.objects.get(pk=shop_order.pk).status == "new"
    desk.post(
        f"/desk/orders/{shop_order.number}/transition",
        {"transition": "cancel", "expected_status": "new", "confirmed": "1"},
    )
    assert Order.objects.get(pk=shop_order.pk).status == "cancelled"


def test_a_plain_step_fires_without_a_question(shop_order, manager, browser_of):
    browser_of(manager).post(
        f"/desk/orders/{shop_order.number}/transition", {"transition": "start", "expected_status": "new"}
    )
    assert Order.objects.get(pk=shop_order.pk).status == "in_progress"


def test_a_clerk_chooses_the_vat_class_of_a_line_outside_the_catalogue(load_preset, manager, browser_of):
    load_preset("shop")
    desk = browser_of(manager, "pl")
    form = desk.get("/desk/orders/new").content.decode()
    assert "Stawka obniżona · 8 %" in form or "Reduced rate · 8 %" in form
    response = desk.post(
        "/desk/orders/new",
        {
            "name": "Pat Caller",
            "email": "pat@example.org",
            "kind": "person",
            "type": "regular",
            "payment_channel": "",
            "line_sku": ["BOOK", "CARD"],
            "line_name": ["Książka", "Kartka"],
            "line_qty": ["1", "1"],
            "line_price": ["40.00", "12.30"],
            "line_tax": ["super_reduced", ""],
        },
    )
    assert response.status_code == 302
    assert [i.tax_rate for i in OrderItem.objects.order_by("position")] == [Decimal("5.00"), Decimal("23.00")]


def test_a_free_line_added_in_the_card_keeps_the_class_chosen_for_it(load_preset, customer, place, manager, browser_of):
    load_preset("furniture")
    order = place(customer)
    desk = browser_of(manager)
    card = desk.get(f"/desk/orders/{order.number}").content.decode()
    assert 'name="line_tax"' in card
    items = [(i.sku, i.name, str(i.quantity), f"{i.unit_price:.2f}", "") for i in order.items.order_by("position")]
    items.append(("BOOK", "Каталог", "1", "110.00", "reduced"))
    desk.post(
        f"/desk/orders/{order.number}/items",
        {
            name: [row[n] for row in items]
            for n, name in enumerate(("line_sku", "line_name", "line_qty", "line_price", "line_tax"))
        },
    )
    assert OrderItem.objects.get(order=order, sku="BOOK").tax_rate == Decimal("10.00")
    items[-1] = ("BOOK2", "Каталог", "1", "110.00", "luxury")
    desk.post(
        f"/desk/orders/{order.number}/items",
        {
            name: [row[n] for row in items]
            for n, name in enumerate(("line_sku", "line_name", "line_qty", "line_price", "line_tax"))
        },
    )
    assert not OrderItem.objects.filter(order=order, sku="BOOK2").exists()
