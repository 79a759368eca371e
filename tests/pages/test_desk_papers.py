"""Documents from the desk's card: issue and download invoices, packing slips and pick lists as
PDF (read back with pdftotext), a printable view, and one PDF of slips for many orders."""

from __future__ import annotations

import pytest

from ordo.catalog.services import catalog_import, stock_set
from ordo.documents.models import Document
from ordo.documents.slips import pick_rows
from tests.documents.test_documents import text_of as pdf_text
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop_order(load_preset, customer, place):
    load_preset("shop")
    order = place(customer, delivery_address="ul. Długa 5\n80-827 Gdańsk")
    return order


def test_manager_issues_an_invoice_from_the_card_and_downloads_it(shop_order, manager, browser_of):
    desk = browser_of(manager)
    response = desk.post(f"/desk/orders/{shop_order.number}/documents", {"kind": "invoice"}, **HTMX)
    document = Document.objects.get(order=shop_order)
    assert f"Invoice {document.number} issued." in text_of(response)
    card = desk.get(f"/desk/orders/{shop_order.number}").content.decode()
    link = f"/desk/orders/{shop_order.number}/documents/{document.pk}"
    assert link in card
    pdf = desk.get(link)
    assert pdf["Content-Type"] == "application/pdf"
    assert document.number in pdf_text(pdf.content)
    again = desk.post(f"/desk/orders/{shop_order.number}/documents", {"kind": "invoice"}, **HTMX)
    assert "This document exists already" in text_of(again)
    assert Document.objects.count() == 1


def test_a_contractor_may_not_issue_or_read_documents(shop_order, make_person, browser_of):
    from ordo.orders.models import Order

    contractor = make_person("carl-contractor", "contractor")
    Order.objects.filter(pk=shop_order.pk).update(contractor=contractor.user)
    desk = browser_of(contractor)
    desk.post(f"/desk/orders/{shop_order.number}/documents", {"kind": "invoice"}, **HTMX)
    assert not Document.objects.exists()
    card = desk.get(f"/desk/orders/{shop_order.number}").content.decode()
    assert "Issue: Invoice" not in card


def test_the_packing_slip_lists_the_items_and_the_address_without_prices(shop_order, manager, browser_of):
    pdf = browser_of(manager).get(f"/desk/orders/{shop_order.number}/packing.pdf")
    text = pdf_text(pdf.content)
    # In the customer's language: the shop preset's customers are written to in Polish.
    assert f"List przewozowy — zamówienie {shop_order.number}" in text
    assert "First thing" in text
    assert "Długa 5" in text
    assert "10.00" not in text
    assert "10,00" not in text


def test_the_pick_list_names_locations_in_walking_order_and_what_is_short(load_preset, customer, place):
    load_preset("shop")
    catalog_import("sku,name,price,category,location,on_hand\nA-1,First thing,10.00,,b2,1\n")
    stock_set(sku="A-1", location="a1", on_hand=0)
    order = place(customer, items=[{"sku": "A-1", "name": "First thing", "quantity": 3, "unit_price": "10.00"}])
    stock_set(sku="A-1", location="a1", on_hand=1)
    rows = pick_rows(order, list(order.items.all()))
    assert [(r.location, r.quantity, r.short) for r in rows] == [("a1", 1, False), ("b2", 1, False), ("", 1, True)]


def test_slips_for_many_orders_come_as_one_pdf_a_page_each(shop_order, customer, place, manager, browser_of):
    other = place(customer)
    response = browser_of(manager).post("/desk/bulk", {"number": [shop_order.number, other.number], "action": "slips"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"zamówienie {shop_order.number}" in text
    assert f"zamówienie {other.number}" in text


def test_the_printable_view_shows_the_order_with_its_sums(shop_order, manager, browser_of):
    text = text_of(browser_of(manager).get(f"/desk/orders/{shop_order.number}/print"))
    assert "First thing" in text
    assert "25.50" in text
