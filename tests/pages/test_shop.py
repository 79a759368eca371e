"""The portal's shop: catalogue, cart kept across visits, checkout for customers and guests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from ordo.accounts.models import Customer
from ordo.catalog.services import product_create, stock_set
from ordo.notifications.models import Message
from ordo.orders.models import Order
from ordo.portal.models import Cart
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


def _stock(rows):
    for sku, name, price, units, category in rows:
        product_create(sku=sku, name=name, price=Decimal(price), category=category)
        if units is not None:
            stock_set(sku=sku, location="main", on_hand=units)


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    _stock(
        [
            ("MUG-01", "Kubek ceramiczny", "39.00", 5, "Kubki"),
            ("TEA-200", "Herbata zielona", "54.50", 3, "Herbata"),
            ("MUG-02", "Kubek termiczny", "89.00", 0, "Kubki"),
        ]
    )


@pytest.fixture
def autoparts(load_preset):
    load_preset("autoparts")
    _stock(
        [
            ("OC-90", "Фильтр масляный OC 90", "640.00", 10, "Фильтры"),
            ("SVC-FIT", "Установка", "1500.00", None, "Услуги"),
            ("SVC-DIAG", "Диагностика", "1200.00", None, "Услуги"),
        ]
    )


def test_catalogue_lists_products_with_stock_state_and_filters_by_category(shop):
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    page = text_of(client.get("/shop"))
    assert "Kubek ceramiczny" in page
    assert "Herbata zielona" in page
    assert "Brak w magazynie" in page or "Out of stock" in page
    only_mugs = text_of(client.get("/shop", {"category": "Kubki"}))
    assert "Kubek ceramiczny" in only_mugs
    assert "Herbata zielona" not in only_mugs
    found = text_of(client.get("/shop", {"q": "herbata"}))
    assert "Herbata zielona" in found
    assert "Kubek" not in found


def test_a_guest_cart_is_kept_across_visits_and_joins_the_account_at_sign_in(shop, customer):
    client = Client()
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "2"})
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    assert "Kubek ceramiczny" in text_of(client.get("/shop/cart"))
    key = client.session["ordo_cart"]
    assert Cart.objects.get(key=key).lines == [{"sku": "MUG-01", "quantity": 3, "target": ""}]
    client.force_login(customer.user)
    client.get("/shop/cart")
    assert Cart.objects.get(customer=customer.customer).lines == [{"sku": "MUG-01", "quantity": 3, "target": ""}]
    assert not Cart.objects.filter(key=key).exists()
    # Another device of the same customer sees the same cart.
    other = Client()
    other.force_login(customer.user)
    assert "Kubek ceramiczny" in text_of(other.get("/shop/cart"))


def test_cart_quantities_change_and_lines_leave(shop, customer):
    client = Client()
    client.force_login(customer.user)
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    client.post("/shop/add", {"sku": "TEA-200", "quantity": "1"})
    client.post("/shop/cart", {"qty:0": "4", "qty:1": "1", "remove:1": "1"})
    assert Cart.objects.get(customer=customer.customer).lines == [{"sku": "MUG-01", "quantity": 4, "target": ""}]


def test_unknown_or_retired_products_do_not_enter_the_cart(shop, customer):
    client = Client()
    client.force_login(customer.user)
    response = client.post("/shop/add", {"sku": "NOPE", "quantity": "1"}, follow=True)
    assert "No product is sold under this SKU." in text_of(response)
    assert not Cart.objects.filter(customer=customer.customer).exists()


def test_a_guest_buys_with_courier_delivery_and_gets_the_link_by_email(shop):
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "2"})
    response = client.post(
        "/shop/checkout",
        {
            "name": "Ola Nowak",
            "email": "ola@example.org",
            "phone": "+48 600 100 200",
            "shipping": "courier",
            "address": "ul. Długa 5, Gdańsk",
            "channel": "cash",
            "notes": "Proszę dzwonić",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/track/{order.tracking_token}"
    assert (order.source, order.payment_channel, order.delivery_address) == ("site", "cash", "ul. Długa 5, Gdańsk")
    assert order.checkout == {"shipping": "courier"}
    assert order.total == Decimal("78.00")
    assert order.notes == "Proszę dzwonić"
    assert (order.customer.name, order.customer.email, order.customer.user) == ("Ola Nowak", "ola@example.org", None)
    placed = Message.objects.get(event="order_placed", recipient="customer", channel="email")
    assert placed.order_id == order.pk
    assert not Cart.objects.exists(), "the cart empties once its order is placed"
    page = text_of(client.get(response["Location"]))
    assert str(order.number) in page


def test_checkout_refuses_what_the_shipping_option_needs_and_places_nothing(shop):
    client = Client()
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    form = {"name": "A", "email": "a@example.org", "channel": "cash"}
    no_address = client.post("/shop/checkout", {**form, "shipping": "courier"})
    assert "Give the delivery address." in text_of(no_address)
    no_place = client.post("/shop/checkout", {**form, "shipping": "pickup"})
    assert "Choose the pickup place." in text_of(no_place)
    no_option = client.post("/shop/checkout", form)
    assert no_option.status_code == 200
    assert not Order.objects.exists()
    assert client.post("/shop/checkout", {**form, "shipping": "pickup", "place": "shop"}).status_code == 302
    assert Order.objects.get().checkout == {"shipping": "pickup", "place": "shop"}


def test_a_card_channel_is_not_offered_while_no_card_gateway_is_configured(shop, settings):
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = ""
    client = Client()
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    page = client.get("/shop/checkout").content.decode()
    assert 'value="cash"' in page
    assert 'value="card"' not in page
    response = client.post(
        "/shop/checkout",
        {"name": "A", "email": "a@example.org", "shipping": "pickup", "place": "shop", "channel": "card"},
    )
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_the_honeypot_and_the_rate_limit_stop_automated_checkouts(shop, settings):
    settings.ORDO_PUBLIC_FORM_LIMIT = 2
    form = {"name": "A", "email": "a@example.org", "shipping": "pickup", "place": "shop", "channel": "cash"}
    bot = Client()
    bot.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    assert "Too many orders" in text_of(bot.post("/shop/checkout", {**form, "website": "http://spam.example"}))
    assert not Order.objects.exists()
    placed = 0
    for _ in range(3):
        client = Client()
        client.post("/shop/add", {"sku": "TEA-200", "quantity": "1"})
        if client.post("/shop/checkout", form).status_code == 302:
            placed += 1
    assert placed == 1, "the bot's try counted against the address: one more order fits in the hour"


def test_registered_only_shops_send_guests_to_sign_in_with_the_cart_kept(autoparts):
    client = Client()
    client.post("/shop/add", {"sku": "OC-90", "quantity": "1"})
    response = client.get("/shop/checkout")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin")
    assert Cart.objects.get().lines[0]["sku"] == "OC-90"


def test_autoparts_checkout_keeps_pickup_point_planned_date_and_services(autoparts, customer, manager):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(customer.user)
    client.post("/shop/add", {"sku": "OC-90", "quantity": "2"})
    page = text_of(client.get("/shop/checkout"))
    assert "Пункт выдачи" in page
    assert "Установка" in page
    planned = date.today() + timedelta(days=5)
    response = client.post(
        "/shop/checkout",
        {
            "shipping": "pickup",
            "place": "north",
            "planned_date": planned.isoformat(),
            "services": ["SVC-FIT"],
            "channel": "invoice",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.number}"
    assert order.checkout == {"shipping": "pickup", "place": "north", "planned_date": planned.isoformat()}
    assert sorted((i.sku, i.quantity, i.unit_price) for i in order.items.all()) == [
        ("OC-90", 2, Decimal("640.00")),
        ("SVC-FIT", 1, Decimal("1500.00")),
    ]
    assert order.manager is not None, "seed 001: every customer gets a personal manager"
    assert "Северный склад" in text_of(client.get(f"/orders/{order.number}"))


def test_a_planned_date_in_the_past_is_refused(autoparts, customer):
    client = Client()
    client.force_login(customer.user)
    client.post("/shop/add", {"sku": "OC-90", "quantity": "1"})
    response = client.post(
        "/shop/checkout",
        {"shipping": "courier", "address": "Lenina 1", "planned_date": "2000-01-01", "channel": "invoice"},
    )
    assert "The planned date cannot be in the past." in text_of(response)
    assert not Order.objects.exists()


def test_prices_show_the_customers_discount_tier(shop, customer, fund_wallet):
    from ordo.orders.models import DiscountTier

    DiscountTier.objects.create(name="Gold", currency="PLN", threshold=Decimal("0"), percent=Decimal("10"))
    client = Client()
    client.force_login(customer.user)
    page = text_of(client.get("/shop", {"q": "MUG-01"}))
    assert "35,10" in page or "35.10" in page


def test_staff_are_sent_to_the_desk(shop, manager):
    client = Client()
    client.force_login(manager.user)
    assert client.get("/shop")["Location"] == "/desk/"


def test_guest_record_takes_the_page_language(shop):
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.post("/shop/add", {"sku": "MUG-01", "quantity": "1"})
    client.post(
        "/shop/checkout",
        {"name": "Aino", "email": "aino@example.org", "shipping": "pickup", "place": "shop", "channel": "cash"},
    )
    assert Customer.objects.get(email="aino@example.org").language == "fi"
