"""Seed 001 from the customer's first click: the shop, checkout with a pickup point, a planned date
and a service, the reserve confirmed, the invoice and contract downloaded at once, a question to
the personal manager."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from ordo.catalog.services import product_create, stock_set
from ordo.documents.models import Document
from ordo.jobs.runner import run_due
from ordo.notifications.models import Message
from ordo.orders.models import Order
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def autoparts(load_preset):
    load_preset("autoparts")
    for sku, name, price, units in (
        ("OC-90", "Фильтр масляный OC 90", "640.00", 10),
        ("SVC-FIT", "Установка на СТО партнёра", "1500.00", None),
        ("SVC-DIAG", "Диагностика подвески", "1200.00", None),
    ):
        product_create(sku=sku, name=name, price=Decimal(price))
        if units is not None:
            stock_set(sku=sku, location="main", on_hand=units)


def test_a_customer_orders_confirms_downloads_documents_and_writes_to_the_manager(customer, manager):
    browser = Client(HTTP_ACCEPT_LANGUAGE="ru")
    browser.force_login(customer.user)
    assert "Фильтр масляный OC 90" in text_of(browser.get("/shop", {"q": "фильтр"}))
    browser.post("/shop/add", {"sku": "OC-90", "quantity": "2"})
    planned = date.today() + timedelta(days=3)
    placed = browser.post(
        "/shop/checkout",
        {
            "shipping": "pickup",
            "place": "centre",
            "planned_date": planned.isoformat(),
            "services": ["SVC-FIT"],
            "channel": "invoice",
            "notes": "Позвоните перед выдачей",
        },
    )
    order = Order.objects.get()
    assert placed["Location"] == f"/orders/{order.number}"
    assert order.total == Decimal("2780.00")
    assert order.manager_id == manager.user.pk, "a customer who signed up alone gets the least busy manager"
    page = text_of(browser.get(f"/orders/{order.number}"))
    assert "Магазин в центре" in page
    assert "Ваш менеджер" in text_of(browser.get("/"))

    browser.post(f"/orders/{order.number}/transition", {"transition": "reserve", "expected_status": "new"})
    run_due(worker="test")  # the background stock check asks the customer to confirm
    browser.post(f"/orders/{order.number}/transition", {"transition": "confirm", "expected_status": "reserve"})
    order.refresh_from_db()
    assert order.status == "in_work"

    documents = {d.kind: d for d in Document.objects.filter(order=order)}
    assert sorted(documents) == ["contract", "invoice"]
    page = browser.get(f"/orders/{order.number}").content.decode()
    for document in documents.values():
        link = f"/api/v1/orders/{order.number}/documents/{document.pk}/pdf"
        assert link in page
        pdf = browser.get(link)
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"

    browser.post(f"/orders/{order.number}/message", {"text": "Можно забрать в субботу?"})
    question = Message.objects.get(event="order_message")
    assert (question.recipient, question.order_id) == ("manager", order.pk)


def test_documents_by_rule_are_issued_once(customer, manager):
    number = customer.api.post(
        "/orders", {"items": [{"sku": "OC-90", "name": "Фильтр", "quantity": 1, "unit_price": "640.00"}]}
    ).body["number"]
    customer.api.fire(number, "reserve")
    run_due(worker="test")
    customer.api.fire(number, "confirm")
    assert Document.objects.filter(order__number=number).count() == 2
    listed = customer.api.get(f"/orders/{number}/documents").body
    assert sorted(d["kind"] for d in listed) == ["contract", "invoice"]
