"""Seed 003 from the guest's first click: three services bought without an account, each for its
own link; the order's link arrives by e-mail and shows the order, item by item, with no login."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from ordo.catalog.services import product_create
from ordo.orders.models import Order
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db
SERVICES = (
    ("FOLLOW-1K", "1000 followers", "12.00"),
    ("LIKES-500", "500 likes", "4.50"),
    ("VIEWS-10K", "10 000 views", "9.90"),
)


@pytest.fixture(autouse=True)
def smm(load_preset):
    load_preset("smm")
    for sku, name, price in SERVICES:
        product_create(sku=sku, name=name, price=Decimal(price), category="Instagram")


def test_a_guest_buys_three_services_and_follows_them_by_the_link(smtp, drain, settings):
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = ""  # no card gateway here: PayPal is offered, the card is not
    guest = Client(HTTP_ACCEPT_LANGUAGE="fi")
    for (sku, _, _), target in zip(
        SERVICES, ("https://example.org/@aino", "https://example.org/@aino/p/1", "https://example.org/v/9"), strict=True
    ):
        guest.post("/shop/add", {"sku": sku, "quantity": "1", "target": target})
    checkout = guest.get("/shop/checkout").content.decode()
    assert 'value="paypal"' in checkout
    assert 'value="card"' not in checkout
    assert 'value="wallet"' not in checkout, "a guest has no wallet"
    placed = guest.post("/shop/checkout", {"name": "Aino", "email": "aino@example.org", "channel": "paypal"})
    order = Order.objects.get()
    assert placed["Location"] == f"/track/{order.tracking_token}"
    assert sorted(i.target for i in order.items.all()) == [
        "https://example.org/@aino",
        "https://example.org/@aino/p/1",
        "https://example.org/v/9",
    ]
    assert order.subtotal == Decimal("26.40")

    drain()
    (mail,) = smtp.inbox.to("aino@example.org")
    link = re.search(r"http://127\.0\.0\.1:8000(/track/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    page = text_of(Client(HTTP_ACCEPT_LANGUAGE="fi").get(link))
    assert f"Tilaus {order.number}" in page
    assert "https://example.org/@aino/p/1" in page
    assert "Aino" not in page, "the tracking page shows nothing personal"


def test_a_service_without_its_link_is_not_ordered():
    guest = Client()
    guest.post("/shop/add", {"sku": "FOLLOW-1K", "quantity": "1"})
    response = guest.post("/shop/checkout", {"name": "A", "email": "a@example.org", "channel": "paypal"})
    assert response.status_code == 200
    assert "Give the link each service is for" in text_of(response)
    assert not Order.objects.exists()
