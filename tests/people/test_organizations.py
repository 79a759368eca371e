"""Auto-parts counterparties: a person orders for the organizations they belong to, and sees
those organizations' orders; nobody else does."""

from __future__ import annotations

import pytest

from tests.conftest import ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(load_preset, admin, customer):
    load_preset("autoparts")
    made = admin.api.post(
        "/customers", {"kind": "organization", "name": "Garage LLC", "tax_id": "7701234567", "address": "Moscow"}
    )
    assert made.status == 201, made.body
    joined = admin.api.post(f"/customers/{made.body['id']}/members", {"person": customer.customer.pk})
    assert [m["name"] for m in joined.body["members"]] == [customer.customer.name]
    return made.body["id"]


def test_a_member_orders_for_their_organization(firm, customer):
    order = customer.api.post("/orders", {"items": ITEMS, "organization": firm})
    assert order.status == 201, order.body
    assert (order.body["customer"]["id"], order.body["customer"]["kind"]) == (firm, "organization")
    me = customer.api.get("/customers/me").body
    assert [o["id"] for o in me["organizations"]] == [firm]


def test_every_member_sees_the_organizations_orders_and_outsiders_do_not(firm, admin, customer, make_person):
    colleague, outsider = make_person("colleague", "customer"), make_person("outsider", "customer")
    admin.api.post(f"/customers/{firm}/members", {"person": colleague.customer.pk})
    number = customer.api.post("/orders", {"items": ITEMS, "organization": firm}).body["number"]
    assert colleague.api.get(f"/orders/{number}").status == 200
    assert [o["number"] for o in colleague.api.get("/orders").body["items"]] == [number]
    assert outsider.api.get(f"/orders/{number}").status == 404
    assert outsider.api.get("/orders").body["items"] == []


def test_leaving_the_organization_ends_the_view(firm, admin, customer):
    number = customer.api.post("/orders", {"items": ITEMS, "organization": firm}).body["number"]
    admin.api._send("delete", f"/customers/{firm}/members/{customer.customer.pk}")
    assert customer.api.get(f"/orders/{number}").status == 404


def test_a_customer_cannot_order_for_an_organization_they_do_not_belong_to(firm, other_customer):
    response = other_customer.api.post("/orders", {"items": ITEMS, "organization": firm})
    assert (response.status, response.body["error"]) == (422, "invalid_customer")


def test_only_people_join_organizations(firm, admin, customer):
    response = admin.api.post(f"/customers/{customer.customer.pk}/members", {"person": firm})
    assert (response.status, response.body["error"]) == (422, "invalid_member")


def test_customers_see_their_own_record_and_organizations_only(firm, customer, other_customer):
    assert customer.api.get(f"/customers/{firm}").status == 200
    assert other_customer.api.get(f"/customers/{firm}").status == 404
    assert other_customer.api.get(f"/customers/{customer.customer.pk}").status == 404
    assert other_customer.api.get("/customers").status == 403


def test_a_customer_email_is_registered_once(admin, firm):
    admin.api.post("/customers", {"name": "A", "email": "a@example.org"})
    again = admin.api.post("/customers", {"name": "A again", "email": "A@example.org"})
    assert (again.status, again.body["error"]) == (409, "customer_exists")


def test_staff_find_customers_by_name_email_or_phone(admin, firm):
    admin.api.post("/customers", {"name": "Pavel", "email": "pavel@example.org", "phone": "+79990001122"})
    for q in ["pav", "pavel@example.org", "+79990001122"]:
        assert [c["name"] for c in admin.api.get("/customers", q=q).body] == ["Pavel"]
    assert [c["name"] for c in admin.api.get("/customers", kind="organization").body] == ["Garage LLC"]


def test_the_person_who_ordered_for_an_organization_hears_of_it_too(firm, customer, smtp, drain):
    """Seed 001: the organization's order is answered by the member who placed it as well; with no
    mailbox of the organization's own, the member is still asked (the reserve would lapse)."""
    number = customer.api.post("/orders", {"items": ITEMS, "organization": firm}).body["number"]
    customer.api.fire(number, "reserve")
    drain()
    assert smtp.inbox.subjects(customer.user.email), "the member who ordered hears nothing"
    assert all(str(number) in subject for subject in smtp.inbox.subjects(customer.user.email))


def test_an_organization_with_a_mailbox_and_its_member_both_hear(firm, customer, smtp, drain):
    from ordo.accounts.models import Customer

    Customer.objects.filter(pk=firm).update(email="office@garage.example")
    number = customer.api.post("/orders", {"items": ITEMS, "organization": firm}).body["number"]
    customer.api.fire(number, "reserve")
    drain()
    assert smtp.inbox.subjects("office@garage.example") == smtp.inbox.subjects(customer.user.email)
    assert any(str(number) in subject for subject in smtp.inbox.subjects("office@garage.example"))
