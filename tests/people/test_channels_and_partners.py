"""Where an order came from: its source is the channel it came through, its partner the one whose
code or link brought it. Tokens are per user, revocable and stored hashed; logins are throttled."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ordo.accounts.models import ApiToken
from ordo.accounts.services import token_create, token_hash
from tests.conftest import ITEMS, Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def print_shop(load_preset):
    load_preset("print")


@pytest.fixture
def partner(print_shop, admin, make_person):
    person = make_person("pia", "partner")
    made = admin.api.post("/partners", {"code": "Blog-42", "name": "Print blog", "user": person.user.pk})
    assert made.status == 201, made.body
    assert made.body["link"].endswith("/p/blog-42")
    return person


def test_an_order_with_a_partner_code_records_the_partner(partner, admin, customer):
    order = customer.api.post("/orders", {"items": ITEMS, "partner_code": "BLOG-42"}).body
    assert order["partner"]["code"] == "blog-42"
    unknown = customer.api.post("/orders", {"items": ITEMS, "partner_code": "nobody"})
    assert (unknown.status, unknown.body["error"]) == (422, "unknown_partner")


def test_a_partner_sees_the_orders_they_brought_and_no_others(partner, admin, customer):
    brought = customer.api.post("/orders", {"items": ITEMS, "partner_code": "blog-42"}).body["number"]
    other = customer.api.post("/orders", {"items": ITEMS}).body["number"]
    assert [o["number"] for o in partner.api.get("/orders").body["items"]] == [brought]
    assert partner.api.get(f"/orders/{other}").status == 404
    assert partner.api.fire(brought, "accept").status == 403


def session_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/api/v1/docs")  # sets the CSRF cookie
    return client


def session_post(client: Client, path: str, body) -> tuple[int, dict]:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    response = client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
    )
    return response.status_code, json.loads(response.content)


def test_a_partner_link_brings_the_browsers_next_order(partner, customer):
    browser = Client()
    landed = browser.get("/p/blog-42?next=/api/v1/docs")
    assert (landed.status_code, landed["Location"]) == (302, "/api/v1/docs")
    browser.force_login(customer.user)
    response = browser.post("/api/v1/orders", json.dumps({"items": ITEMS}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    assert (body["partner"]["code"], body["source"]) == ("blog-42", "site")


def test_a_partner_link_never_redirects_off_site(partner):
    assert Client().get("/p/blog-42?next=https://evil.example/")["Location"] == "/"


def test_the_source_is_the_channel_not_the_client(print_shop, admin, customer):
    api_order = customer.api.post("/orders", {"items": ITEMS}).body
    assert api_order["source"] == "api"
    app = Api(token_create(user=customer.user, source="app"))
    assert app.post("/orders", {"items": ITEMS}).body["source"] == "app"
    forged = customer.api.post("/orders", {"items": ITEMS, "source": "panel"})
    assert forged.status == 422
    status, body = session_post(
        session_client(admin.user), "/orders", {"items": ITEMS, "customer": customer.customer.pk}
    )
    assert (status, body["source"]) == (201, "panel")
    status, body = session_post(session_client(customer.user), "/orders", {"items": ITEMS})
    assert (status, body["source"]) == (201, "site")


def test_tokens_are_listed_revoked_and_stored_hashed(print_shop, customer, other_customer, admin):
    made = customer.api.post("/tokens", {"name": "shop plugin"})
    assert made.status == 201
    key = made.body["key"]
    assert ApiToken.objects.filter(key_hash=token_hash(key)).exists()
    assert not ApiToken.objects.filter(key_hash=key).exists()
    plugin = Api(key)
    assert plugin.get("/orders").status == 200
    listed = customer.api.get("/tokens").body
    assert all(t["key"] is None for t in listed)
    assert len(listed) == 2
    assert other_customer.api._send("delete", f"/tokens/{made.body['id']}").status == 404
    revoked = customer.api._send("delete", f"/tokens/{made.body['id']}")
    assert revoked.status == 200
    assert revoked.body["revoked_at"]
    assert plugin.get("/orders").status == 401
    assert customer.api.get("/orders").status == 200


def test_admins_revoke_anyones_token(print_shop, customer, admin):
    token_id = customer.api.get("/tokens").body[0]["id"]
    assert admin.api._send("delete", f"/tokens/{token_id}").status == 200
    assert customer.api.get("/orders").status == 401


def test_logins_are_throttled_after_repeated_failures(admin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    admin.user.set_password("correct horse battery")
    admin.user.save()
    browser = Client()

    def login(password: str) -> int:
        response = browser.post("/admin/login/", {"username": admin.user.username, "password": password})
        return response.status_code

    assert [login("wrong") for _ in range(2)] == [200, 200]  # the form again, with an error
    assert login("wrong") == 429
    assert login("correct horse battery") == 429  # locked out, even with the right password
    other = Client()
    ok = other.post(
        "/admin/login/", {"username": admin.user.username, "password": "correct horse battery"}, REMOTE_ADDR="10.0.0.9"
    )
    assert ok.status_code == 302  # another address is not locked out


def test_a_good_login_resets_the_count(admin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    admin.user.set_password("correct horse battery")
    admin.user.save()
    browser = Client()
    for password in ["wrong", "wrong", "correct horse battery"]:
        browser.post("/admin/login/", {"username": admin.user.username, "password": password})
    browser.logout()
    codes = [
        browser.post("/admin/login/", {"username": admin.user.username, "password": p}).status_code
        for p in ["wrong", "wrong", "correct horse battery"]
    ]
    assert codes == [200, 200, 302]
