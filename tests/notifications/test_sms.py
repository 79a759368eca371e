"""SMS adapters speaking Vonage's and Twilio's HTTP APIs to a local stub of each."""

from __future__ import annotations

import base64

import pytest

from ordo.notifications.models import Message
from tests.conftest import sell
from tests.notifications.conftest import outbox

pytestmark = pytest.mark.django_db

ORDER = {
    "items": [{"sku": "OC-90", "name": "Oil filter", "quantity": 1, "unit_price": "640.00"}],
    "payment_channel": "invoice",
}


@pytest.fixture
def vonage(settings, http_peer):
    settings.ORDO_SMS_PROVIDER = "vonage"
    settings.ORDO_SMS_BASE_URL = http_peer.url
    settings.ORDO_SMS_API_KEY, settings.ORDO_SMS_API_SECRET = "key123", "secret456"
    http_peer.reply = lambda path, body: (
        200,
        {"message-count": "1", "messages": [{"status": "0", "message-id": "m1"}]},
    )
    return http_peer


@pytest.fixture
def twilio(settings, http_peer):
    settings.ORDO_SMS_PROVIDER = "twilio"
    settings.ORDO_SMS_BASE_URL = http_peer.url
    settings.ORDO_SMS_API_KEY, settings.ORDO_SMS_API_SECRET = "AC123", "token789"
    http_peer.reply = lambda path, body: (201, {"sid": "SM1", "status": "queued"})
    return http_peer


@pytest.fixture
def autoparts_customer(load_preset, customer):
    load_preset("autoparts")
    sell(ORDER["items"])
    customer.customer.phone = "+7 900 123-45-67"
    customer.customer.save()
    return customer


def test_autoparts_texts_every_change_through_vonage(autoparts_customer, smtp, vonage, drain):
    customer = autoparts_customer
    number = customer.api.post("/orders", ORDER).body["number"]
    customer.api.fire(number, "reserve")
    drain()  # the stock check runs and asks the customer to confirm
    assert customer.api.fire(number, "confirm").status == 200
    drain()
    forms = vonage.forms()
    assert [r["path"] for r in vonage.requests] == ["/sms/json"] * 3
    assert forms[0]["api_key"] == "key123"
    assert forms[0]["api_secret"] == "secret456"
    assert forms[0]["to"] == "7900123-45-67"
    assert f"{number}" in forms[0]["text"]
    assert "Резерв" in forms[0]["text"]
    assert "Подтвердите заказ" in forms[1]["text"]
    assert "В работе" in forms[2]["text"]
    assert len(smtp.inbox.to("cora-customer@example.org")) == 3  # e-mail goes as well


def test_twilio_gets_basic_auth_and_form_fields(autoparts_customer, smtp, twilio, drain):
    customer = autoparts_customer
    number = customer.api.post("/orders", ORDER).body["number"]
    customer.api.fire(number, "reserve")
    drain()
    request = twilio.requests[0]  # then the stock check's "please confirm"
    assert len(twilio.requests) == 2
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"AC123:token789").decode()
    form = twilio.forms()[0]
    assert form["To"] == "+7900123-45-67"
    assert str(number) in form["Body"]
    assert outbox(channel="sms")[0].status == "sent"


def test_vonage_throttling_is_retried_and_bad_number_is_not(autoparts_customer, smtp, vonage, drain):
    customer = autoparts_customer
    number = customer.api.post("/orders", ORDER).body["number"]
    vonage.reply = lambda path, body: (200, {"messages": [{"status": "1", "error-text": "Throttled"}]})
    customer.api.fire(number, "reserve")
    drain()
    (throttled,) = outbox(channel="sms", event="status_changed")
    assert (throttled.status, throttled.attempts) == ("pending", 1)
    assert "Throttled" in throttled.last_error

    vonage.reply = lambda path, body: (200, {"messages": [{"status": "3", "error-text": "Invalid to"}]})
    Message.objects.filter(pk=throttled.pk).update(available_at=throttled.created_at)
    drain()
    throttled.refresh_from_db()
    assert (throttled.status, throttled.attempts) == ("failed", 2)


def test_twilio_4xx_is_permanent_5xx_is_retried(autoparts_customer, smtp, twilio, drain):
    customer = autoparts_customer
    number = customer.api.post("/orders", ORDER).body["number"]
    twilio.reply = lambda path, body: (503, {"message": "busy"})
    customer.api.fire(number, "reserve")
    drain()
    (message,) = outbox(channel="sms", event="status_changed")
    assert message.status == "pending"
    twilio.reply = lambda path, body: (400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
    Message.objects.filter(pk=message.pk).update(available_at=message.created_at)
    drain()
    message.refresh_from_db()
    assert message.status == "failed"
    assert "21211" in message.last_error


def test_sms_is_off_without_a_provider(load_preset, customer, smtp, drain):
    load_preset("autoparts")
    sell(ORDER["items"])
    number = customer.api.post("/orders", ORDER).body["number"]
    customer.api.fire(number, "reserve")
    drain()
    assert outbox(channel="sms") == []
    # the status e-mail and the stock check's "please confirm"
    assert len(smtp.inbox.to("cora-customer@example.org")) == 2
