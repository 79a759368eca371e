"""Customers, products and couriers for staff in the desk, each behind its action of the one
permission rule, and the customer directory behind the visibility rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.accounts.models import Customer
from ordo.catalog.models import Product, Stock
from ordo.delivery.models import Courier
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(load_preset, customer, place):
    load_preset("shop")
    Customer.objects.create(name="Иван Петров", phone="+7 900 123-45-67")
    Customer.objects.create(name="ANNA WIŚNIEWSKA", email="anna@example.pl", phone="+48 600 100 200")
    place(customer)


@pytest.mark.parametrize(
    ("typed", "found"),
    [("иван", "Иван Петров"), ("wiśniewska", "ANNA WIŚNIEWSKA"), ("600 100 200", "ANNA WIŚNIEWSKA")],
)
def test_the_customer_list_finds_people_in_any_case_alphabet_and_phone_format(
    people, manager, browser_of, typed, found
):
    text = text_of(browser_of(manager).get("/desk/people", {"q": typed}))
    assert found in text
    assert "cora-customer" not in text


def test_the_profile_shows_contacts_orders_wallet_and_takes_notes(people, manager, customer, browser_of, fund_wallet):
    fund_wallet(customer.customer, "15.00", "PLN")
    desk = browser_of(manager)
    page = text_of(desk.get(f"/desk/people/{customer.customer.pk}"))
    assert "1 order" in page
    assert "PLN\xa015.00" in page or "15.00" in page
    desk.post(
        f"/desk/people/{customer.customer.pk}/edit",
        {"name": "Cora C.", "phone": "+48 500 000 000", "notes": "Prefers calls after 5 pm", "language": "pl"},
    )
    saved = Customer.objects.get(pk=customer.customer.pk)
    assert (saved.name, saved.phone, saved.notes, saved.language) == (
        "Cora C.",
        "+48 500 000 000",
        "Prefers calls after 5 pm",
        "pl",
    )
    assert "Prefers calls after 5 pm" in text_of(desk.get(f"/desk/people/{saved.pk}"))


def test_an_email_another_customer_holds_is_refused_and_nothing_changes(people, manager, browser_of):
    ivan = Customer.objects.get(name="Иван Петров")
    response = browser_of(manager).post(
        f"/desk/people/{ivan.pk}/edit", {"name": "Ivan", "email": "ANNA@example.pl"}, follow=True
    )
    assert "An account with this e-mail exists already." in text_of(response)
    assert Customer.objects.get(pk=ivan.pk).name == "Иван Петров"


def test_contractors_have_no_customer_product_or_courier_pages(people, make_person, browser_of):
    contractor = make_person("carl-contractor", "contractor")
    desk = browser_of(contractor)
    menu = desk.get("/desk/").content.decode()
    assert "/desk/people" not in menu
    assert "/desk/couriers" not in menu
    for path in ("/desk/people", "/desk/products", "/desk/couriers"):
        response = desk.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/desk/"


def test_a_manager_of_own_scope_sees_only_their_customers(people, make_person, browser_of, settings):
    settings.ORDO_MANAGER_SCOPE = "own"
    own = make_person("olga-manager", "manager")
    mine = Customer.objects.create(name="Olga client", registered_by=own.user)
    text = text_of(browser_of(own).get("/desk/people"))
    assert "Olga client" in text
    assert "Иван Петров" not in text
    assert browser_of(own).get(f"/desk/people/{Customer.objects.get(name='Иван Петров').pk}").status_code == 404
    assert browser_of(own).get(f"/desk/people/{mine.pk}").status_code == 200


def test_products_show_stock_by_location_and_take_receipts_and_counts(load_preset, manager, browser_of):
    load_preset("shop")
    desk = browser_of(manager)
    desk.post("/desk/products/new", {"sku": "TEA-1", "name": "Green tea", "price": "12,50"})
    assert Product.objects.get(sku="TEA-1").price == Decimal("12.50")
    desk.post("/desk/products/stock", {"sku": "TEA-1", "location": "a1", "quantity": "10", "mode": "receive"})
    desk.post("/desk/products/stock", {"sku": "TEA-1", "location": "a1", "quantity": "4", "mode": "receive"})
    desk.post("/desk/products/stock", {"sku": "TEA-1", "location": "b2", "quantity": "3", "mode": "count"})
    assert dict(Stock.objects.filter(product__sku="TEA-1").values_list("location__code", "on_hand")) == {
        "a1": 14,
        "b2": 3,
    }
    page = text_of(desk.get("/desk/products", {"q": "green"}))
    assert "a1: 14" in page
    assert "b2: 3" in page


def test_a_bad_receipt_says_why(load_preset, manager, browser_of):
    load_preset("shop")
    response = browser_of(manager).post(
        "/desk/products/stock", {"sku": "NOPE", "location": "a1", "quantity": "2"}, follow=True
    )
    assert "No product is sold under this SKU." in text_of(response)


def test_the_csv_import_from_the_desk_adds_products_and_counts(load_preset, manager, browser_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    load_preset("shop")
    csv = b"sku,name,price,location,on_hand\nKAWA-1,Kawa ziarnista,39.00,a1,7\n"
    response = browser_of(manager).post(
        "/desk/products/import", {"file": SimpleUploadedFile("c.csv", csv, "text/csv")}, follow=True
    )
    assert "Imported: 1 new, 0 updated." in text_of(response)
    assert Stock.objects.get(product__sku="KAWA-1").on_hand == 7


def test_a_manager_adds_a_courier_and_switches_one_off(load_preset, manager, browser_of):
    load_preset("shop")
    desk = browser_of(manager)
    response = desk.post(
        "/desk/couriers/new",
        {"name": "Piotr Kurier", "email": "piotr@example.pl", "phone": "+48 501 000 000"},
        follow=True,
    )
    assert "Courier Piotr Kurier added." in text_of(response)
    courier = Courier.objects.get(name="Piotr Kurier")
    desk.post(f"/desk/couriers/{courier.pk}/active", {"active": "0"})
    assert Courier.objects.get(pk=courier.pk).active is False
    bad = desk.post("/desk/couriers/new", {"name": "", "email": "nope"}, follow=True)
    assert "Check the courier" in text_of(bad)


def test_new_order_from_the_profile_starts_with_the_customer_chosen(people, manager, customer, browser_of):
    page = browser_of(manager).get("/desk/orders/new", {"customer": customer.customer.pk}).content.decode()
    assert f'value="{customer.customer.pk}" checked' in page
