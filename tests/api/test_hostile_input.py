"""What a hostile user tried, each answered with a clear 4xx (or shown harmlessly), never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from ordo.notifications.models import Message
from ordo.notifications.render import render
from ordo.orders.models import Order, OrderItem
from tests.conftest import sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def smm(load_preset):
    load_preset("smm")


def _service(target: str) -> dict:
    return {"sku": "LIKES", "name": "Likes", "quantity": 1, "unit_price": "1.00", "target": target}


@pytest.mark.parametrize(
    "target", ["javascript:alert(document.cookie)", " JaVa\tScRiPt:alert(1)", "data:text/html,<b>x</b>", "ftp://x.test"]
)
def test_item_targets_that_are_not_web_links_or_text_are_refused(smm, customer, target):
    sell(_service(""))
    response = customer.api.post("/orders", {"items": [_service(target)]})
    assert response.status == 422, response.body
    assert response.body["error"] == "invalid_items"
    assert Order.objects.count() == 0


@pytest.mark.parametrize("target", ["https://x.test/@shop", "@shop", "Instagram: @shop", ""])
def test_web_links_and_plain_text_are_fine_targets(smm, customer, target):
    sell(_service(""))
    assert customer.api.post("/orders", {"items": [_service(target)]}).status == 201


def test_a_target_stored_before_the_rule_is_shown_as_text_in_the_email(smm, customer, manager):
    """Rows written before targets were checked: the e-mail never draws them as links."""
    sell(_service(""))
    number = customer.api.post("/orders", {"items": [_service("https://x.test/@shop")]}).body["number"]
    OrderItem.objects.filter(order__number=number).update(target="javascript:alert(1)")
    message = Message.objects.filter(order__number=number, channel="email", recipient="customer").first()
    assert message is not None
    # The message keeps the order as it was at its event: the old row is in that copy too.
    message.context["at_event"]["items"][0][2] = "javascript:alert(1)"
    rendered = render(message)
    assert 'href="javascript' not in rendered.html
    assert "javascript:alert(1)" in rendered.html


@pytest.mark.parametrize("text", ["²", "①", "٣٣", "9" * 40])
def test_searching_unicode_digits_answers_without_error(smm, manager, text):
    client = Client()
    client.force_login(manager.user)
    assert client.get("/desk/counts", {"q": text}).status_code == 200
    assert client.get("/desk/", {"q": text}).status_code == 200
    assert manager.api.get("/orders", q=text).status == 200


def test_a_manager_with_own_scope_sees_only_their_orders_in_the_forecast(load_preset, make_person, customer, settings):
    load_preset("smm")
    sell(_service(""))
    admin, mine, other = make_person("ad", "admin"), make_person("me", "manager"), make_person("ot", "manager")
    numbers = [customer.api.post("/orders", {"items": [_service("@a")]}).body["number"] for _ in range(2)]
    admin.api.patch(f"/orders/{numbers[0]}", {"manager": mine.user.pk})
    admin.api.patch(f"/orders/{numbers[1]}", {"manager": other.user.pk})
    settings.ORDO_MANAGER_SCOPE = "own"
    seen = {p["number"] for p in mine.api.get("/timers/forecast", days=5).body}
    assert seen == {numbers[0]}
    assert {p["number"] for p in admin.api.get("/timers/forecast", days=5).body} == set(numbers)


def test_a_manager_with_own_scope_sees_only_their_orders_in_a_wallet_history(
    load_preset, make_person, customer, settings, fund_wallet
):
    load_preset("smm")
    sell(_service(""))
    admin, mine, other = make_person("ad", "admin"), make_person("me", "manager"), make_person("ot", "manager")
    fund_wallet(customer.customer, "50.00", "EUR")
    numbers = [customer.api.post("/orders", {"items": [_service("@a")]}).body["number"] for _ in range(2)]
    for number in numbers:
        assert customer.api.post(f"/orders/{number}/pay", {"channel": "wallet"}).status == 200
    admin.api.patch(f"/orders/{numbers[0]}", {"manager": mine.user.pk})
    admin.api.patch(f"/orders/{numbers[1]}", {"manager": other.user.pk})
    settings.ORDO_MANAGER_SCOPE = "own"
    wallet = mine.api.get(f"/customers/{customer.customer.pk}/wallet").body
    assert {e["order"] for e in wallet["entries"]} == {numbers[0], None}
    full = admin.api.get(f"/customers/{customer.customer.pk}/wallet").body
    assert {e["order"] for e in full["entries"]} == {*numbers, None}
    assert Decimal(full["balances"]["EUR"]) < Decimal("50.00")
