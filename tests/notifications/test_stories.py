"""Each preset's story sends the e-mails SPEC §3 describes, to the right people, in their language."""

from __future__ import annotations

import pytest

from ordo.notifications.models import Message
from tests.conftest import sell

pytestmark = pytest.mark.django_db
ONE_THING = [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}]


def test_furniture_customer_and_staff_hear_of_each_step(load_preset, customer, manager, admin, smtp, drain):
    load_preset("furniture")
    parts = [{"sku": "PANEL", "name": "Панель 18 мм", "quantity": 2, "unit_price": "1000.00"}]
    number = customer.api.post("/orders", {"items": parts, "payment_channel": "cash"}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    manager.api.pay(number, "2000.00")
    for code in ("finish", "pass", "hand_over"):
        manager.api.fire(number, code)
    drain()

    assert smtp.inbox.subjects("cora-customer@example.org") == [
        f"Заказ {number}: Проверяется Администратором",
        f"Заказ {number}: Проверен Администратором",
        f"Заказ {number}: Ожидает оплаты",
        f"Заказ {number}: оплата — оплачен",
        f"Заказ {number}: В производстве",
        f"Заказ {number}: Готов к выдаче",
        f"Заказ {number}: Выдан",
    ]
    pickup = smtp.inbox.to("cora-customer@example.org")[5]
    assert "пн–пт 9:00–18:00" in pickup.get_body(("plain",)).get_content()
    # Staff are told a design waits for review, in the site's language.
    assert smtp.inbox.subjects("alice-admin@example.org") == [f"Order {number}: Under review"]
    assert Message.objects.filter(recipient="manager", status="skipped").count() == 1  # no manager assigned yet


def test_shop_customer_hears_of_placing_and_every_change(load_preset, manager, smtp, drain):
    load_preset("shop")
    body = {
        "items": [{"sku": "MUG", "name": "Kubek", "quantity": 1, "unit_price": "39.00"}],
        "customer": {"name": "Jan Kowalski", "email": "jan@example.org", "phone": "+48 600 100 200"},
    }
    number = manager.api.post("/orders", body).body["number"]
    for code in ("start", "ship", "deliver"):
        manager.api.fire(number, code)
    drain()
    assert smtp.inbox.subjects("jan@example.org") == [
        f"Zamówienie {number} przyjęte",
        f"Zamówienie {number}: W realizacji",
        f"Zamówienie {number}: Wysłane",
        f"Zamówienie {number}: Dostarczone",
    ]
    assert Message.objects.filter(channel="sms").count() == 0  # SMS is off unless configured
    placed = smtp.inbox.to("jan@example.org")[0]
    text = placed.get_body(("plain",)).get_content()
    assert "Razem: 39,00\xa0zł" in text  # money as a Polish reader writes it, not "39.00 PLN"


def test_smm_order_email_carries_items_targets_and_tracking_link(load_preset, customer, manager, smtp, drain):
    load_preset("smm")
    items = [
        {"sku": "F1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00", "target": "https://x.test/@a"},
        {"sku": "L500", "name": "500 likes", "quantity": 1, "unit_price": "4.50", "target": "https://x.test/p/1"},
    ]
    sell(items)
    order = customer.api.post("/orders", {"items": items, "payment_channel": "card"}).body
    number = order["number"]
    paid = manager.api.pay(number, manager.api.total(number)).body["order"]
    first, second = (i["id"] for i in paid["items"])
    manager.api.post(f"/orders/{number}/items/{first}/transitions", {"transition": "complete"})
    manager.api.post(f"/orders/{number}/items/{second}/transitions", {"transition": "cancel"})
    drain()

    mails = smtp.inbox.to("cora-customer@example.org")
    assert [str(m["Subject"]).strip() for m in mails] == [
        f"Tilaus {number} vastaanotettu",
        f"Tilaus {number}: Käsittely",
        f"Tilaus {number}: 500 likes — Peruttu",
        f"Tilaus {number}: Valmis",
    ]
    placed = mails[0].get_body(("plain",)).get_content()
    assert str(number) in placed
    assert "1000 followers × 1 → https://x.test/@a" in placed
    assert order["tracking_url"] in placed
    html = mails[0].get_body(("html",)).get_content()
    assert 'href="https://x.test/p/1"' in html


def test_smm_cancelled_item_reaches_staff(load_preset, customer, manager, admin, smtp, drain):
    load_preset("smm")
    item = {"sku": "F1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00", "target": "https://x.test/@a"}
    sell(item)
    number = customer.api.post("/orders", {"items": [item], "payment_channel": "card"}).body["number"]
    item_id = manager.api.pay(number, manager.api.total(number)).body["order"]["items"][0]["id"]
    manager.api.post(f"/orders/{number}/items/{item_id}/transitions", {"transition": "cancel"})
    drain()
    staff = smtp.inbox.to("alice-admin@example.org")
    assert [str(m["Subject"]).strip() for m in staff] == [f"Order {number}: 1000 followers — Cancelled"]
    assert "needs attention" in staff[0].get_body(("plain",)).get_content()


def test_each_recipient_gets_their_own_language(load_preset, customer, manager, smtp, drain):
    load_preset("shop")
    customer.customer.language = "fi"
    customer.customer.save()
    sell(ONE_THING)
    number = customer.api.post("/orders", {"items": ONE_THING}).body["number"]
    manager.api.fire(number, "start")
    drain()
    assert smtp.inbox.subjects("cora-customer@example.org") == [
        f"Tilaus {number} vastaanotettu",
        f"Tilaus {number}: Käsittelyssä",
    ]


def test_message_id_comes_from_the_dedupe_key(load_preset, customer, smtp, drain):
    from ordo.notifications.channels.email import message_id

    load_preset("shop")
    sell(ONE_THING)
    customer.api.post("/orders", {"items": ONE_THING})
    drain()
    sent = Message.objects.get(channel="email")
    assert smtp.inbox.messages[0]["Message-ID"] == message_id(sent.dedupe_key)
    assert sent.status == "sent"
    assert sent.attempt_log.count() == 1


def test_a_message_sent_late_tells_of_its_own_event_not_of_the_order_now(load_preset, manager, smtp, drain):
    """The worker lagged (or SMTP was down): the e-mails go out after the order moved on and its
    items changed, and each still says what was true when its event happened."""
    from decimal import Decimal

    from ordo.catalog.services import LineEdit, order_items_edit
    from ordo.notifications.render import render

    load_preset("shop")
    body = {
        "items": [{"sku": "MUG", "name": "Kubek", "quantity": 1, "unit_price": "39.00"}],
        "customer": {"name": "Jan Kowalski", "email": "jan@example.org"},
    }
    number = manager.api.post("/orders", body).body["number"]
    order_items_edit(number=number, lines=[LineEdit("MUG", 3, Decimal("30.00"))], actor=manager.actor)
    for code in ("start", "ship", "deliver"):
        manager.api.fire(number, code)
    placed = render(Message.objects.get(event="order_placed", recipient="customer", channel="email"))
    assert "Kubek × 1" in placed.text
    assert "Razem: 39,00\xa0zł" in placed.text
    assert "— Nowe" in placed.text
    started = Message.objects.filter(event="status_changed", recipient="customer", channel="email").order_by("id")[0]
    text = render(started).text
    assert "— W realizacji" in text
    assert "Kubek × 3" in text
    assert "Razem: 90,00\xa0zł" in text
