"""Messages on an order (seed 000: the customer asks the manager "via the site"): each side writes
where the order is, and the other side gets it by e-mail through the real SMTP server."""

from __future__ import annotations

import pytest
from django.test import Client

from ordo.notifications.models import Message
from ordo.orders.models import Activity
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db
PARTS = [{"sku": "PANEL", "name": "Панель 18 мм", "quantity": 2, "unit_price": "1000.00"}]


@pytest.fixture
def furniture_order(load_preset, customer, manager):
    load_preset("furniture")
    number = customer.api.post("/orders", {"items": PARTS, "payment_channel": "cash"}).body["number"]
    manager.api.patch(f"/orders/{number}", {"manager": manager.user.pk})
    return number


def test_a_question_reaches_the_manager_and_the_answer_reaches_the_customer(
    furniture_order, customer, manager, smtp, drain
):
    number = furniture_order
    asking = Client(HTTP_ACCEPT_LANGUAGE="ru")
    asking.force_login(customer.user)
    asking.post(f"/orders/{number}/message", {"text": "Можно ли сделать кромку белой?\r\n\r\nСпасибо!"})
    answering = Client()
    answering.force_login(manager.user)
    answering.post(f"/desk/orders/{number}/message", {"text": "Да, белая кромка без доплаты."})
    drain()

    question = smtp.inbox.to(manager.user.email)
    assert smtp.inbox.subjects(manager.user.email) == [f"Order {number}: the customer {customer.customer.name} wrote"]
    body = question[0].get_body(("plain",)).get_content()
    assert "Можно ли сделать кромку белой?" in body
    assert "Спасибо!" in body
    assert f"/desk/orders/{number}" in body
    assert (
        smtp.inbox.subjects(customer.customer.email)[-1]
        == f"Заказ {number}: сообщение от {manager.user.get_username()}"
    )
    answer = smtp.inbox.to(customer.customer.email)[-1]
    assert "Да, белая кромка без доплаты." in answer.get_body(("plain",)).get_content()

    page = text_of(asking.get(f"/orders/{number}"))
    assert "Ваше сообщение" in page
    assert "Сообщение от магазина" in page
    assert "Да, белая кромка без доплаты." in page


def test_without_a_manager_the_question_goes_to_the_admins(load_preset, customer, admin):
    load_preset("furniture")
    number = customer.api.post("/orders", {"items": PARTS}).body["number"]
    client = Client()
    client.force_login(customer.user)
    client.post(f"/orders/{number}/message", {"text": "Когда будет готово?"})
    assert Message.objects.get(event="order_message").recipient == "admins"


def test_an_empty_message_is_refused_and_writes_nothing(furniture_order, customer):
    client = Client()
    client.force_login(customer.user)
    response = client.post(f"/orders/{furniture_order}/message", {"text": "   "}, follow=True)
    assert "Write your message" in text_of(response)
    assert not Activity.objects.filter(kind="message").exists()
    assert not Message.objects.filter(event="order_message").exists()


def test_nobody_writes_on_an_order_they_do_not_see_and_contractors_do_not_write(
    furniture_order, other_customer, make_person
):
    stranger = Client()
    stranger.force_login(other_customer.user)
    stranger.post(f"/orders/{furniture_order}/message", {"text": "hello"})
    contractor = make_person("carl-contractor", "contractor")
    worker = Client()
    worker.force_login(contractor.user)
    worker.post(f"/desk/orders/{furniture_order}/message", {"text": "hello"})
    assert not Activity.objects.filter(kind="message").exists()


def test_staff_see_whose_message_it_is_and_notes_stay_internal(furniture_order, customer, manager):
    client = Client()
    client.force_login(customer.user)
    client.post(f"/orders/{furniture_order}/message", {"text": "Вопрос"})
    desk = Client()
    desk.force_login(manager.user)
    desk.post(f"/desk/orders/{furniture_order}/note", {"text": "Клиент спрашивал про кромку"})
    card = text_of(desk.get(f"/desk/orders/{furniture_order}"))
    assert "Message from the customer" in card
    assert "Вопрос" in card
    assert "Клиент спрашивал про кромку" not in text_of(client.get(f"/orders/{furniture_order}"))
