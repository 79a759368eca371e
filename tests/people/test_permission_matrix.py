"""One rule per action: every role × every action, through the API and through the page that offers
it (the desk for staff, the portal for customers), must agree with ``orders.permissions`` and so
with each other. The order is one that every role sees, so visibility never hides the answer.

Refused means: the API answers 403 ``forbidden``; a page answers its 403 page or shows the
refusal "You may not do this.". Anything else (done, or refused for the order's own state) is
allowed by the rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from ordo.accounts.roles import role_of
from ordo.orders.permissions import Action, may
from ordo.orders.services import order_note_add

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "contractor", "customer", "partner")
NOTE = "Internal: the customer haggles"


@dataclass
class World:
    people: dict
    number: int
    customer_id: int

    def api(self, role: str):
        return self.people[role].api

    def page(self, role: str) -> Client:
        client = Client()
        client.force_login(self.people[role].user)
        return client


@pytest.fixture
def world(load_preset, make_person, settings, fund_wallet) -> World:
    settings.ORDO_MANAGER_SCOPE = "all"
    load_preset("smm")
    people = {role: make_person(f"{role}-1", role) for role in ROLES}
    admin = people["admin"].api
    admin.post("/partners", {"code": "p1", "name": "P1", "user": people["partner"].user.pk})
    customer = people["customer"].customer
    placed = admin.post(
        "/orders",
        {
            "customer": customer.pk,
            "items": [{"sku": "LIKES-100", "name": "100 likes", "quantity": 1, "unit_price": "10.00"}],
            "partner_code": "p1",
            "payment_channel": "paypal",
        },
    )
    assert placed.status == 201, placed.body
    number = placed.body["number"]
    assigned = admin.patch(f"/orders/{number}", {"contractor": people["contractor"].user.pk})
    assert assigned.status == 200, assigned.body
    order_note_add(number=number, actor=people["admin"].actor, text=NOTE)
    fund_wallet(customer, "100.00", "EUR")
    return World(people, number, customer.pk)


def api_refused(response) -> bool:
    assert response.status < 500, response.body
    return response.status == 403 and response.body["error"] == "forbidden"


def page_refused(response) -> bool:
    assert response.status_code < 500
    if response.status_code == 403:
        return True
    return any("You may not do this." in str(m) for m in get_messages(response.wsgi_request))


#: For each action, how to try it through the API (None: the API has no such call).
API: dict[Action, Callable[[World, str], object]] = {
    Action.PAY: lambda w, r: w.api(r).post(f"/orders/{w.number}/pay", {"channel": "wallet", "amount": "1.00"}),
    Action.CHANGE_CHANNEL: lambda w, r: w.api(r).patch(f"/orders/{w.number}", {"payment_channel": "card"}),
    Action.EDIT: lambda w, r: w.api(r).patch(f"/orders/{w.number}", {"external_number": "EXT-9"}),
    Action.ASSIGN: lambda w, r: w.api(r).patch(f"/orders/{w.number}", {"manager": w.people["manager"].user.pk}),
    Action.RECORD_PAYMENT: lambda w, r: w.api(r).post(
        f"/orders/{w.number}/payments", {"amount": "1.00", "channel": "paypal"}
    ),
    Action.REFUND: lambda w, r: w.api(r).post(f"/orders/{w.number}/refunds", {"destination": "wallet"}),
    Action.DISCOUNT: lambda w, r: w.api(r).post(
        f"/orders/{w.number}/discounts", {"name": "Loyal", "kind": "amount", "value": "1.00"}
    ),
    Action.LINK: lambda w, r: w.api(r).post(f"/orders/{w.number}/links", {"kind": "duplicate"}),
    Action.READ_INTERNAL: lambda w, r: w.api(r).get(f"/orders/{w.number}/activity"),
    Action.READ_NOTIFICATIONS: lambda w, r: w.api(r).get(f"/orders/{w.number}/notifications"),
    Action.READ_DOCUMENTS: lambda w, r: w.api(r).get(f"/orders/{w.number}/documents"),
    Action.ISSUE_DOCUMENTS: lambda w, r: w.api(r).post(f"/orders/{w.number}/documents", {"kind": "invoice"}),
    Action.PLACE_FOR_OTHERS: lambda w, r: w.api(r).post(
        "/orders",
        {
            "customer": {"name": "Other", "email": "other@example.org"},
            "items": [{"sku": "X", "name": "X", "quantity": 1, "unit_price": "1.00"}],
        },
    ),
    Action.READ_WALLETS: lambda w, r: w.api(r).get(f"/customers/{w.customer_id}/wallet"),
}


def _desk_post(path: str, data: dict) -> Callable[[World, str], object]:
    return lambda w, r: w.page(r).post(f"/desk/orders/{w.number}/{path}", data)


#: For each action, how to try it on the desk (staff) and in the portal (customers).
DESK: dict[Action, Callable[[World, str], object]] = {
    Action.RECORD_PAYMENT: _desk_post("payment", {"amount": "1.00", "channel": "paypal"}),
    Action.REFUND: _desk_post("refund", {"destination": "wallet"}),
    Action.CHANGE_CHANNEL: _desk_post("channel", {"channel": "card"}),
    Action.ASSIGN: _desk_post("assign", {"manager": ""}),
    Action.LINK: _desk_post("link", {"kind": "duplicate"}),
    Action.NOTE: _desk_post("note", {"text": "hello"}),
    Action.PLACE_FOR_OTHERS: lambda w, r: w.page(r).get("/desk/orders/new"),
}
PORTAL: dict[Action, Callable[[World, str], object]] = {
    Action.PAY: lambda w, r: w.page(r).post(f"/orders/{w.number}/pay", {"channel": "wallet"}),
    Action.EDIT_ITEMS: lambda w, r: w.page(r).post(f"/orders/{w.number}/items", {"qty:LIKES-100": "2"}),
}


@pytest.mark.parametrize(("role", "action"), list(itertools.product(ROLES, API)))
def test_the_api_follows_the_rule(world, role, action):
    assert api_refused(API[action](world, role)) == (not may(role, action)), (role, action)


STAFF_PAGES = [(r, a) for r, a in itertools.product(("admin", "manager", "contractor"), DESK)]
CUSTOMER_PAGES = [("customer", a) for a in PORTAL]


@pytest.mark.parametrize(("role", "action"), STAFF_PAGES)
def test_the_desk_follows_the_rule(world, role, action):
    assert page_refused(DESK[action](world, role)) == (not may(role, action)), (role, action)


@pytest.mark.parametrize(("role", "action"), CUSTOMER_PAGES)
def test_the_portal_follows_the_rule(world, role, action):
    assert page_refused(PORTAL[action](world, role)) == (not may(role, action)), (role, action)


@pytest.mark.parametrize("role", ["admin", "manager", "contractor", "partner"])
def test_the_portal_pages_are_the_customers_alone(world, role):
    """Staff and partners act in the desk and the API; the portal's forms turn them away."""
    for action in PORTAL:
        assert page_refused(PORTAL[action](world, role)), (role, action)


@pytest.mark.parametrize("role", ["customer", "partner"])
def test_the_desk_turns_away_everyone_but_staff(world, role):
    for action in DESK:
        assert page_refused(DESK[action](world, role)), (role, action)


@pytest.mark.parametrize("role", ROLES)
def test_internal_notes_show_exactly_where_the_rule_allows(world, role):
    """The note is on the desk card and in the API's activity for staff, and nowhere for others:
    not in the portal's timeline, the API's order or history, or the tracking page."""
    allowed = may(role, Action.READ_INTERNAL)
    api = world.api(role)
    activity = api.get(f"/orders/{world.number}/activity")
    assert (activity.status == 200 and NOTE in str(activity.body)) == allowed
    page = world.page(role).get(
        f"/desk/orders/{world.number}" if role in ("admin", "manager", "contractor") else f"/orders/{world.number}"
    )
    assert (NOTE in page.content.decode()) == allowed
    assert NOTE not in str(api.get(f"/orders/{world.number}").body)
    token = world.api("admin").get(f"/orders/{world.number}").body["tracking_url"].rsplit("/", 1)[1]
    assert NOTE not in Client().get(f"/track/{token}").content.decode()


def test_a_contractor_cannot_spend_the_customers_wallet(world):
    """Finding: an assigned contractor paid the order from the customer's wallet through the API."""
    response = world.api("contractor").post(f"/orders/{world.number}/pay", {"channel": "wallet"})
    assert response.status == 403
    wallet = world.api("admin").get(f"/customers/{world.customer_id}/wallet").body
    assert Decimal(wallet["balances"]["EUR"]) == Decimal("100.00")
    assert wallet["entries"][0]["kind"] == "credit"


def test_a_contractor_cannot_change_the_payment_channel(world):
    before = world.api("admin").get(f"/orders/{world.number}").body
    response = world.api("contractor").patch(f"/orders/{world.number}", {"payment_channel": "card"})
    assert response.status == 403
    after = world.api("admin").get(f"/orders/{world.number}").body
    assert after["payment_channel"] == before["payment_channel"] == "paypal"
    assert after["totals"] == before["totals"]


def test_a_customer_reads_the_history_without_staff_names_or_comments(world):
    admin = world.api("admin")
    fired = admin.fire(world.number, "cancel", comment="Customer is a known fraudster")
    assert fired.status == 200, fired.body
    rows = world.api("customer").get(f"/orders/{world.number}/history").body
    assert [row["to"] for row in rows][-1] == "cancelled"
    assert all(row["actor"] == "" and row["comment"] == "" for row in rows)
    staff_rows = admin.get(f"/orders/{world.number}/history").body
    assert staff_rows[-1]["comment"] == "Customer is a known fraudster"
    assert staff_rows[-1]["actor"] == "admin-1"


def test_every_role_in_the_matrix_is_a_real_role(world):
    assert {role_of(p.user) for p in world.people.values()} == set(ROLES)
