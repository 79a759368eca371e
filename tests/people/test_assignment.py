"""Contractors are limited to some products; a new order that fits exactly one gets them. The
manager is whoever registered the customer. Every assignment is in the order's activity."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAPER = [{"sku": "POSTER-A2", "name": "Poster A2", "quantity": 3, "unit_price": "12.00", "category": "posters"}]
BOOK = [{"sku": "BOOK-1", "name": "Photo book", "quantity": 1, "unit_price": "40.00", "category": "books"}]


@pytest.fixture
def shop(load_preset, make_person, admin):
    load_preset("print")

    def contractor(name: str, *, skus=(), categories=()):
        person = make_person(name, "contractor")
        person.user.profile.skus, person.user.profile.categories = list(skus), list(categories)
        person.user.profile.save()
        return person

    return contractor


def place(api, customer, items):
    response = api.post("/orders", {"items": items, "customer": customer.customer.pk})
    assert response.status == 201, response.body
    return response.body


def test_an_order_that_fits_one_contractor_gets_them(shop, admin, customer):
    posters = shop("paula", categories=["posters"])
    shop("bob", skus=["BOOK-1"])
    order = place(admin.api, customer, PAPER)
    assert order["contractor"]["username"] == "paula"
    activity = admin.api.get(f"/orders/{order['number']}/activity").body
    assert [(a["kind"], a["actor"], a["detail"]["to"]) for a in activity] == [
        ("contractor_assigned", "system", posters.user.pk)
    ]


def test_an_order_that_fits_no_contractor_stays_unassigned(shop, admin, customer):
    shop("paula", categories=["posters"])
    order = place(admin.api, customer, PAPER + BOOK)
    assert order["contractor"] is None
    assert admin.api.get(f"/orders/{order['number']}/contractor-candidates").body == []


def test_an_order_that_fits_several_contractors_waits_for_staff_to_choose(shop, admin, customer):
    shop("paula", categories=["posters"])
    shop("pete", skus=["POSTER-A2"])
    shop("bob", skus=["BOOK-1"])
    order = place(admin.api, customer, PAPER)
    assert order["contractor"] is None
    candidates = admin.api.get(f"/orders/{order['number']}/contractor-candidates").body
    assert [(c["username"], c["assigned"]) for c in candidates] == [("paula", False), ("pete", False)]
    chosen = admin.api.patch(f"/orders/{order['number']}", {"contractor": candidates[1]["id"]})
    assert chosen.body["contractor"]["username"] == "pete"
    candidates = admin.api.get(f"/orders/{order['number']}/contractor-candidates").body
    assert [(c["username"], c["assigned"]) for c in candidates] == [("paula", False), ("pete", True)]


def test_a_contractor_without_product_limits_takes_anything(shop, admin, customer):
    shop("gina")
    assert place(admin.api, customer, PAPER + BOOK)["contractor"]["username"] == "gina"


def test_auto_assignment_can_be_switched_off(shop, admin, customer, settings):
    settings.ORDO_CONTRACTOR_AUTO_ASSIGN = False
    shop("paula", categories=["posters"])
    assert place(admin.api, customer, PAPER)["contractor"] is None


def test_a_contractor_who_does_not_take_the_items_cannot_be_assigned(shop, admin, customer):
    shop("paula", categories=["posters"])
    bob = shop("bob", skus=["BOOK-1"])
    order = place(admin.api, customer, PAPER)
    response = admin.api.patch(f"/orders/{order['number']}", {"contractor": bob.user.pk})
    assert (response.status, response.body["error"], response.body["skus"]) == (422, "contractor_unfit", ["POSTER-A2"])
    assert admin.api.get(f"/orders/{order['number']}").body["contractor"]["username"] == "paula"


def test_candidates_are_for_staff_only(shop, admin, customer):
    shop("paula", categories=["posters"])
    order = place(admin.api, customer, PAPER)
    assert customer.api.get(f"/orders/{order['number']}/contractor-candidates").status == 403


def test_the_manager_who_registered_the_customer_manages_their_orders(load_preset, make_person, admin):
    load_preset("print")
    max_ = make_person("max", "manager")
    registered = max_.api.post("/customers", {"name": "Olga", "email": "olga@example.org"})
    assert registered.status == 201, registered.body
    assert registered.body["registered_by"]["username"] == "max"
    order = admin.api.post("/orders", {"items": PAPER, "customer": registered.body["id"]}).body
    assert order["manager"]["username"] == "max"
    activity = admin.api.get(f"/orders/{order['number']}/activity").body
    assert ("manager_assigned", "system") in {(a["kind"], a["actor"]) for a in activity}


def test_a_customer_entered_with_an_order_is_registered_by_the_employee(load_preset, make_person):
    load_preset("print")
    max_ = make_person("max", "manager")
    first = max_.api.post("/orders", {"items": PAPER, "customer": {"name": "Ivan", "email": "ivan@example.org"}})
    assert first.body["manager"]["username"] == "max"


def test_manager_auto_assignment_can_be_switched_off(load_preset, make_person, settings):
    settings.ORDO_MANAGER_AUTO_ASSIGN = False
    load_preset("print")
    max_ = make_person("max", "manager")
    order = max_.api.post("/orders", {"items": PAPER, "customer": {"name": "Ivan", "email": "ivan@example.org"}})
    assert order.body["manager"] is None


def test_a_registrar_who_left_is_not_assigned(load_preset, make_person, admin):
    load_preset("print")
    max_ = make_person("max", "manager")
    customer_id = max_.api.post("/customers", {"name": "Olga"}).body["id"]
    max_.user.is_active = False
    max_.user.save()
    assert admin.api.post("/orders", {"items": PAPER, "customer": customer_id}).body["manager"] is None


def test_a_contractor_added_changed_or_switched_off_counts_for_the_very_next_order(shop, admin, customer):
    """Every placement asks which contractors take what, kept for a few seconds per process
    (``assignment.CONTRACTORS``): a change saved here counts at once."""
    assert place(admin.api, customer, PAPER)["contractor"] is None  # nobody yet, and that is kept
    paula = shop("paula", categories=["posters"])
    assert place(admin.api, customer, PAPER)["contractor"]["username"] == "paula"
    profile = paula.user.profile
    profile.categories = ["books"]
    profile.save()
    assert place(admin.api, customer, PAPER)["contractor"] is None
    profile.categories = ["posters"]
    profile.save()
    assert place(admin.api, customer, PAPER)["contractor"]["username"] == "paula"
    paula.user.is_active = False
    paula.user.save()
    assert place(admin.api, customer, PAPER)["contractor"] is None
