"""Couriers: assignment tells the courier (with a signed link) and the customer (who and when);
the link opens the order and confirms delivery once; tampered, expired, used or replaced links do nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from ordo.delivery.models import Courier
from ordo.orders.models import Order
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(load_preset, manager):
    load_preset("shop")
    body = {
        "items": [{"sku": "MUG", "name": "Kubek", "quantity": 2, "unit_price": "39.00"}],
        "customer": {"name": "Jan Kowalski", "email": "jan@example.org", "phone": "+48 600 100 200"},
        "delivery_address": "ul. Długa 1\n00-001 Warszawa",
    }
    number = manager.api.post("/orders", body).body["number"]
    manager.api.fire(number, "start")
    manager.api.fire(number, "ship")
    return number


@pytest.fixture
def courier():
    return Courier.objects.create(name="Piotr Szybki", email="piotr@couriers.test", phone="+48 700 000 000")


def assign(manager, number, courier_id):
    response = manager.api.patch(f"/orders/{number}", {"courier": courier_id})
    assert response.status == 200, response.body
    return response.body


def link_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:8000(/courier/\S+)", text).group(1)


def test_assignment_tells_courier_and_customer(shipped, manager, courier, smtp, drain):
    order = assign(manager, shipped, courier.pk)
    assert order["courier"]["name"] == "Piotr Szybki"
    drain()
    (job,) = smtp.inbox.to("piotr@couriers.test")
    text = job.get_body(("plain",)).get_content()
    assert "ul. Długa 1" in text
    assert "+48 600 100 200" in text
    assert "/courier/" in text
    told = smtp.inbox.to("jan@example.org")[-1]
    assert str(told["Subject"]).strip() == f"Zamówienie {shipped}: dostawa"
    assert "Piotr Szybki" in told.get_body(("plain",)).get_content()
    assert "Szacowany czas dostawy" in told.get_body(("plain",)).get_content()


def test_the_link_shows_the_order_and_confirms_delivery_once(shipped, manager, courier, smtp, drain):
    assign(manager, shipped, courier.pk)
    drain()
    path = link_in(smtp.inbox.to("piotr@couriers.test")[0])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ul. Długa 1" in html
    assert "Oznacz jako dostarczone" in html
    # The shared style sheet and layout, in the link's language, with no account controls.
    assert '<html lang="pl">' in html
    assert "ordo/ordo.css" in html
    assert 'name="language"' not in html
    assert "signout" not in html
    token = browser.cookies["csrftoken"].value
    # Seed 002: one tap asks "handed over?"; nothing changes until the courier confirms.
    asked = browser.post(path, {"csrfmiddlewaretoken": token, "transition": "deliver"})
    assert 'name="confirmed"' in asked.content.decode()
    assert Order.objects.get(number=shipped).status == "shipped"
    done = browser.post(path, {"csrfmiddlewaretoken": token, "transition": "deliver", "confirmed": "1"})
    assert done.status_code == 200
    assert f"zamówienie {shipped} oznaczono jako dostarczone" in done.content.decode()
    assert Order.objects.get(number=shipped).status == "delivered"
    history = manager.api.get(f"/orders/{shipped}/history").body[-1]
    assert (history["to"], history["actor"], history["kind"]) == ("delivered", "courier: Piotr Szybki", "manual")

    again = browser.post(path, {"csrfmiddlewaretoken": token, "transition": "deliver", "confirmed": "1"})
    assert again.status_code == 410
    assert "już użyty" in again.content.decode()
    assert "+48 600 100 200" not in again.content.decode()


def test_a_tampered_link_does_nothing(shipped, manager, courier, smtp, drain):
    assign(manager, shipped, courier.pk)
    drain()
    path = link_in(smtp.inbox.to("piotr@couriers.test")[0])
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    response = Client().post(forged)
    assert response.status_code in (403, 404)  # CSRF or the signature: either way nothing happens
    assert Client().get(forged).status_code == 404
    assert Order.objects.get(number=shipped).status == "shipped"


def test_an_expired_link_does_nothing(shipped, manager, courier, smtp, drain, time_machine, settings):
    time_machine.move_to(timezone.now(), tick=True)
    assign(manager, shipped, courier.pk)
    drain()
    path = link_in(smtp.inbox.to("piotr@couriers.test")[0])
    time_machine.shift(86400 * (settings.ORDO_COURIER_LINK_DAYS + 1))
    response = Client().get(path)
    assert response.status_code == 410
    assert "wygasł" in response.content.decode()
    assert "ul. Długa" not in response.content.decode()  # a refused link shows no address


def test_reassigning_replaces_the_old_link(shipped, manager, courier, smtp, drain):
    other = Courier.objects.create(name="Anna", email="anna@couriers.test")
    assign(manager, shipped, courier.pk)
    drain()
    old = link_in(smtp.inbox.to("piotr@couriers.test")[0])
    assign(manager, shipped, other.pk)
    drain()
    assert Client().get(old).status_code == 410
    assert Client().get(link_in(smtp.inbox.to("anna@couriers.test")[0])).status_code == 200


def test_a_link_before_shipping_has_nothing_to_confirm(load_preset, manager, courier, smtp, drain):
    load_preset("shop")
    number = manager.api.post(
        "/orders", {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}], "customer": {"name": "B"}}
    ).body["number"]
    assign(manager, number, courier.pk)
    drain()
    page = Client().get(link_in(smtp.inbox.to("piotr@couriers.test")[0]))
    assert page.status_code == 200
    assert "Nie ma czego potwierdzać" in page.content.decode()
    assert "<button" not in page.content.decode()


def test_an_inactive_courier_cannot_be_assigned(shipped, manager, courier):
    courier.active = False
    courier.save()
    response = manager.api.patch(f"/orders/{shipped}", {"courier": courier.pk})
    assert (response.status, response.body["error"]) == (422, "invalid_assignee")


def test_couriers_directory_api(load_preset, manager, customer):
    load_preset("shop")
    created = manager.api.post("/couriers", {"name": "Kurier X", "phone": "+48 1"})
    assert created.status == 201
    assert [c["name"] for c in manager.api.get("/couriers").body] == ["Kurier X"]
    assert customer.api.get("/couriers").status == 403


def test_delivery_log_shows_messages_and_attempts(shipped, manager, customer, smtp, drain):
    drain()
    log = manager.api.get(f"/orders/{shipped}/notifications")
    assert log.status == 200
    rows = log.body
    assert {(r["event"], r["recipient"], r["status"]) for r in rows} >= {
        ("order_placed", "customer", "sent"),
        ("status_changed", "customer", "sent"),
    }
    assert all(r["attempt_log"][0]["ok"] for r in rows if r["status"] == "sent")
    assert rows[0]["address"] == "jan@example.org"
    assert customer.api.get(f"/orders/{shipped}/notifications").status in (403, 404)


def _page(courier_path: str) -> str:
    return text_of(Client().get(courier_path))


def test_the_courier_sees_the_cash_to_collect_and_the_managers_note(shipped, manager, courier, smtp, drain):
    manager.api.patch(f"/orders/{shipped}", {"payment_channel": "cash", "notes": "Domofon 12, drugie piętro"})
    assign(manager, shipped, courier.pk)
    drain()
    page = _page(link_in(smtp.inbox.to("piotr@couriers.test")[0]))
    assert "Domofon 12, drugie piętro" in page
    assert "78,00" in page
    assert "Gotówka przy odbiorze" in page


def test_an_unpaid_order_on_an_online_channel_warns_the_courier(shipped, manager, courier, smtp, drain):
    manager.api.patch(f"/orders/{shipped}", {"payment_channel": "transfer"})
    manager.api.pay(shipped, "30.00")
    assign(manager, shipped, courier.pk)
    drain()
    html = Client().get(link_in(smtp.inbox.to("piotr@couriers.test")[0])).content.decode()
    assert 'role="alert"' in html
    assert "48,00" in html  # 78.00 − 30.00 still owed


def test_could_not_deliver_needs_a_reason_and_sends_the_order_back(shipped, manager, courier, smtp, drain):
    assign(manager, shipped, courier.pk)
    drain()
    path = link_in(smtp.inbox.to("piotr@couriers.test")[0])
    browser = Client()
    no_reason = browser.post(path, {"transition": "not_delivered", "comment": " "})
    assert no_reason.status_code == 422
    assert Order.objects.get(number=shipped).status == "shipped"
    done = browser.post(path, {"transition": "not_delivered", "comment": "Nikogo nie ma w domu"})
    assert done.status_code == 200
    assert Order.objects.get(number=shipped).status == "in_progress"
    history = manager.api.get(f"/orders/{shipped}/history").body[-1]
    assert (history["transition"], history["comment"], history["actor"]) == (
        "not_delivered",
        "Nikogo nie ma w domu",
        "courier: Piotr Szybki",
    )
    assert browser.get(path).status_code == 410, "the link is used"
