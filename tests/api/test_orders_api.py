"""The order endpoints: auth, errors as JSON, placing, listing, fetching, editing."""

from __future__ import annotations

import pytest

from ordo.accounts.models import Customer
from tests.conftest import ITEMS, Api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(load_preset):
    load_preset("shop")


def new_order(person, **extra):
    response = person.api.post("/orders", {"items": ITEMS, **extra})
    assert response.status == 201, response.body
    return response.body


def test_no_token_is_401_json():
    response = Api(None).get("/orders")
    assert response.status == 401
    assert response.body["error"] == "unauthorized"


def test_bad_token_is_401():
    assert Api("ordo_not-a-real-token").get("/orders").status == 401


def test_customer_places_an_order_for_themselves(customer):
    order = new_order(customer, payment_channel="card")
    assert order["status"] == {"code": "new", "label": "New"}
    assert order["source"] == "api"
    assert order["payment_status"] == "unpaid"
    assert order["totals"]["subtotal"] == "25.50"
    assert order["totals"]["total"] == "25.50"
    assert order["customer"]["id"] == customer.customer.pk
    assert order["external_number"] == str(order["number"])
    assert order["tracking_url"].endswith("/track/" + order["tracking_url"].rsplit("/", 1)[1])
    assert [i["sku"] for i in order["items"]] == ["A-1", "B-2"]


def test_order_numbers_are_sequential_and_tokens_random(customer):
    first, second = new_order(customer), new_order(customer)
    assert second["number"] == first["number"] + 1
    assert first["tracking_url"] != second["tracking_url"]
    assert len(first["tracking_url"].rsplit("/", 1)[1]) >= 32


def test_staff_enters_an_order_for_a_new_customer_by_phone(manager):
    order = new_order(manager, customer={"email": "new@example.org", "name": "New Person", "phone": "+48 600"})
    again = new_order(manager, customer={"email": "NEW@example.org", "name": "Same Person"})
    assert order["customer"]["name"] == "New Person"
    assert again["customer"]["id"] == order["customer"]["id"]


def test_staff_must_name_the_customer(manager):
    response = manager.api.post("/orders", {"items": ITEMS})
    assert response.status == 422
    assert response.body["error"] == "invalid_customer"


def test_customer_cannot_order_for_someone_else(customer, other_customer):
    response = customer.api.post("/orders", {"items": ITEMS, "customer": other_customer.customer.pk})
    assert response.status == 403


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"sku": "A", "name": "A", "quantity": 0, "unit_price": "1.00"}]},
        {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "-1"}]},
        {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1.001"}]},
        {"items": [{"sku": "", "name": "A", "quantity": 1, "unit_price": "1"}]},
        {"items": "lots"},
        {"items": [], "surprise": True},
    ],
)
def test_invalid_order_is_422_and_creates_nothing(customer, body):
    from ordo.orders.models import Order

    response = customer.api.post("/orders", body)
    assert response.status == 422, response.body
    assert response.body["error"] == "validation_error"
    assert response.body["errors"]
    assert Order.objects.count() == 0


def test_malformed_json_is_400(customer):
    response = customer.api.post("/orders", raw="{not json")
    assert response.status == 400
    assert response.body["error"] == "bad_request"


def test_unknown_type_and_channel_are_422(customer):
    assert customer.api.post("/orders", {"items": ITEMS, "type": "rocket"}).body["error"] == "unknown_type"
    response = customer.api.post("/orders", {"items": ITEMS, "payment_channel": "barter"})
    assert (response.status, response.body["error"]) == (422, "unknown_channel")


def test_disabled_channel_cannot_be_chosen(customer):
    from ordo.payments.models import PaymentChannel

    PaymentChannel.objects.filter(code="cash").update(enabled=False)
    response = customer.api.post("/orders", {"items": ITEMS, "payment_channel": "cash"})
    assert (response.status, response.body["error"]) == (422, "channel_disabled")


def test_idempotency_key_returns_the_same_order(customer):
    from ordo.orders.models import Order

    headers = {"Idempotency-Key": "retry-1"}
    first = customer.api.post("/orders", {"items": ITEMS}, headers=headers)
    second = customer.api.post("/orders", {"items": ITEMS}, headers=headers)
    assert first.status == second.status == 201
    assert first.body["number"] == second.body["number"]
    assert Order.objects.count() == 1


def test_idempotency_key_with_another_body_is_409(customer):
    headers = {"Idempotency-Key": "retry-2"}
    customer.api.post("/orders", {"items": ITEMS}, headers=headers)
    response = customer.api.post("/orders", {"items": ITEMS[:1]}, headers=headers)
    assert (response.status, response.body["error"]) == (409, "idempotency_key_reused")


def test_idempotency_keys_belong_to_their_user(customer, other_customer):
    headers = {"Idempotency-Key": "same-key"}
    mine = customer.api.post("/orders", {"items": ITEMS}, headers=headers).body
    theirs = other_customer.api.post("/orders", {"items": ITEMS}, headers=headers).body
    assert mine["number"] != theirs["number"]


def test_customer_sees_only_own_orders(customer, other_customer):
    mine = new_order(customer)
    theirs = new_order(other_customer)
    listed = customer.api.get("/orders").body["items"]
    assert [o["number"] for o in listed] == [mine["number"]]
    response = customer.api.get(f"/orders/{theirs['number']}")
    assert (response.status, response.body["error"]) == (404, "not_found")
    assert customer.api.fire(theirs["number"], "cancel").status == 404
    assert customer.api.get(f"/orders/{theirs['number']}/history").status == 404


def test_staff_see_every_order(manager, customer, other_customer):
    new_order(customer)
    new_order(other_customer)
    assert len(manager.api.get("/orders").body["items"]) == 2


def test_cursor_pagination_walks_every_order_once(manager, customer):
    numbers = {new_order(customer)["number"] for _ in range(7)}
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = manager.api.get("/orders", **params).body
        seen += [o["number"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(numbers, reverse=True)


def test_bad_cursor_is_400(manager):
    response = manager.api.get("/orders", cursor="garbage!!")
    assert (response.status, response.body["error"]) == (400, "invalid_cursor")


def test_list_filters(manager, customer, other_customer):
    a = new_order(customer, external_number="ERP-77")
    b = new_order(other_customer)
    manager.api.fire(b["number"], "start")

    def numbers(**params):
        return [o["number"] for o in manager.api.get("/orders", **params).body["items"]]

    assert numbers(status="in_progress") == [b["number"]]
    assert numbers(q="ERP-77") == [a["number"]]
    assert numbers(q=str(b["number"])) == [b["number"]]
    assert numbers(q="oscar-customer@example.org") == [b["number"]]
    assert numbers(payment_status="paid") == []
    assert numbers(source="api") == [b["number"], a["number"]]
    assert numbers(placed_after="2000-01-01T00:00:00Z", type="regular") == [b["number"], a["number"]]
    assert numbers(placed_before="2000-01-01T00:00:00Z") == []


def test_search_by_exact_number_answers_with_that_order_alone(manager, customer, other_customer):
    a = new_order(customer)
    b = new_order(other_customer, external_number="77-1")
    # A customer whose phone reads like an order number does not crowd the order out.
    Customer.objects.filter(pk=customer.customer.pk).update(phone=str(b["number"]))

    def numbers(q):
        return [o["number"] for o in manager.api.get("/orders", q=q).body["items"]]

    assert numbers(str(b["number"])) == [b["number"]]
    assert numbers("77-1") == [b["number"]]
    # No order carries the text as a number: the customer fields answer, names by a part.
    assert numbers("Oscar") == [b["number"]]
    assert numbers(str(a["number"] + 1000)) == []


def test_list_limit_is_bounded(manager):
    assert manager.api.get("/orders", limit=1000).status == 422


def test_available_transitions_are_the_callers(manager, customer):
    order = new_order(customer)
    mine = customer.api.get(f"/orders/{order['number']}").body["available_transitions"]
    staff = manager.api.get(f"/orders/{order['number']}").body["available_transitions"]
    assert mine == []
    assert {t["code"] for t in staff} == {"start", "cancel"}
    assert all(t["enabled"] for t in staff)


def test_labels_follow_the_request_language(manager, customer):
    order = new_order(customer)
    response = manager.api.client.get(
        f"/api/v1/orders/{order['number']}", headers={**manager.api.headers, "Accept-Language": "pl"}
    )
    assert response.json()["status"]["label"] == "Nowe"


def test_patch_edits_staff_fields(manager, customer):
    order = new_order(customer)
    response = manager.api.patch(
        f"/orders/{order['number']}",
        {
            "external_number": "ERP-1",
            "notes": "call first",
            "manager": manager.user.pk,
            "payment_channel": "cash",
        },
    )
    assert response.status == 200, response.body
    assert response.body["external_number"] == "ERP-1"
    assert response.body["manager"] == {"id": manager.user.pk, "username": "mark-manager"}
    assert response.body["payment_channel"] == "cash"


def test_customer_may_change_only_the_channel(customer):
    order = new_order(customer, payment_channel="card")
    assert customer.api.patch(f"/orders/{order['number']}", {"payment_channel": "cash"}).status == 200
    assert customer.api.patch(f"/orders/{order['number']}", {"notes": "hi"}).status == 403


def test_manager_must_be_staff(manager, customer):
    order = new_order(customer)
    response = manager.api.patch(f"/orders/{order['number']}", {"manager": customer.user.pk})
    assert (response.status, response.body["error"]) == (422, "invalid_assignee")


def test_channel_is_locked_once_paid(manager, customer):
    order = new_order(customer, payment_channel="card")
    manager.api.pay(order["number"], "25.50")
    response = manager.api.patch(f"/orders/{order['number']}", {"payment_channel": "cash"})
    assert (response.status, response.body["error"]) == (409, "channel_locked")


def test_openapi_document_is_served(manager):
    response = manager.api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/orders/{number}/transitions" in paths


def test_docs_page_is_served(manager):
    response = manager.api.client.get("/api/v1/docs")
    assert response.status_code == 200


def test_post_without_any_credentials_is_401_not_csrf():
    response = Api(None).post("/orders", {"items": ITEMS})
    assert (response.status, response.body["error"]) == (401, "unauthorized")


def test_session_post_without_csrf_token_is_refused(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer.user)
    response = browser.post("/api/v1/orders", data={"items": ITEMS}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_session_with_csrf_token_places_an_order(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer.user)
    browser.get("/admin/login/")  # any page that sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/orders",
        data={"items": ITEMS},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


HUGE = 99999999999999999999999


@pytest.mark.parametrize(
    "path",
    [f"/orders/{HUGE}", "/orders/0", "/orders/-1", f"/orders/{HUGE}/history"],
)
def test_impossible_order_numbers_are_422_or_404(manager, path):
    assert manager.api.get(path).status in (404, 422)


@pytest.mark.parametrize(
    "params",
    [{"manager": HUGE}, {"contractor": 0}, {"q": "a\x00b"}, {"status": "new\x00"}, {"cursor": "\x00"}],
)
def test_list_filters_the_database_cannot_store_are_422(manager, params):
    response = manager.api.get("/orders", **params)
    assert (response.status, response.body["error"]) == (422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"sku": "A\x00", "name": "B", "quantity": 1, "unit_price": "1"}]},
        {"items": ITEMS, "customer": HUGE},
        {"items": ITEMS, "customer": {"name": "Nul\x00Person"}},
        {"items": ITEMS, "notes": "\x00"},
    ],
)
def test_order_input_the_database_cannot_store_is_422(manager, body):
    from ordo.orders.models import Order

    response = manager.api.post("/orders", body)
    assert (response.status, response.body["error"]) == (422, "validation_error")
    assert Order.objects.count() == 0


def test_transition_and_payment_input_with_nul_or_overflow_is_422(manager, customer):
    number = new_order(customer)["number"]
    assert manager.api.fire(number, "start\x00").status == 422
    assert manager.api.pay(number, "1.00", reference="x\x00").status == 422
    assert manager.api.pay(number, "999999999999999.99").status == 422
    assert manager.api.patch(f"/orders/{number}", {"manager": HUGE}).status == 422
    assert manager.api.get(f"/orders/{number}").body["totals"]["paid"] == "0.00"


@pytest.mark.parametrize("moment", ["0201-02-28T11:10:11+19:55", "0001-01-01T00:00:00+01:00", "2026-01-01T10:00:00"])
def test_date_filters_with_odd_offsets_are_normalized_or_refused(manager, customer, moment):
    new_order(customer)
    response = manager.api.get("/orders", placed_after=moment)
    assert response.status in (200, 422)
    assert "error" in response.body or "items" in response.body
