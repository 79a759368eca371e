"""One visibility rule per role, checked over every order endpoint: what is outside a caller's
view is 404 (never 403, so its existence does not leak) and never appears in lists or searches."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import ITEMS, Api

pytestmark = pytest.mark.django_db

READS = ["", "/history", "/payments", "/activity", "/notifications", "/contractor-candidates"]
#: What a role that sees an order may read of it: managers everything, contractors the internal
#: activity too, others the order's own pages.
STAFF_READS = {"/notifications", "/contractor-candidates"}
INTERNAL_READS = {"/activity"}
STAFF = ("admin", "manager", "other_manager")
CONTRACTORS = ("contractor", "other_contractor")


@pytest.fixture
def world(load_preset, make_person):
    load_preset("print")
    people = {
        "admin": make_person("ada", "admin"),
        "manager": make_person("max", "manager"),
        "other_manager": make_person("mia", "manager"),
        "contractor": make_person("carl", "contractor"),
        "other_contractor": make_person("cleo", "contractor"),
        "customer": make_person("cid", "customer"),
        "other_customer": make_person("cora", "customer"),
        "member": make_person("mel", "customer"),
        "partner": make_person("pia", "partner"),
        "other_partner": make_person("pol", "partner"),
    }
    admin = people["admin"].api
    # "mine" is for an organization that the customer and a colleague ("member") order for.
    firm = admin.post("/customers", {"kind": "organization", "name": "Print Co"}).body["id"]
    for who in ("customer", "member"):
        admin.post(f"/customers/{firm}/members", {"person": people[who].customer.pk})
    admin.post("/partners", {"code": "p1", "name": "P1", "user": people["partner"].user.pk})
    admin.post("/partners", {"code": "p2", "name": "P2", "user": people["other_partner"].user.pk})
    mine = people["customer"].api.post("/orders", {"items": ITEMS, "organization": firm, "partner_code": "p1"})
    assert mine.status == 201, mine.body
    mine = mine.body["number"]
    theirs = admin.post(
        "/orders", {"items": ITEMS, "customer": people["other_customer"].customer.pk, "partner_code": "p2"}
    ).body["number"]
    response = admin.patch(
        f"/orders/{mine}", {"manager": people["manager"].user.pk, "contractor": people["contractor"].user.pk}
    )
    assert response.status == 200, response.body
    admin.patch(
        f"/orders/{theirs}",
        {"manager": people["other_manager"].user.pk, "contractor": people["other_contractor"].user.pk},
    )
    return people, mine, theirs


def sees(role: str, order: str, scope: str) -> bool:
    """The rule, written out: may ``role`` see the order that is ``mine`` or ``theirs``?"""
    if role == "admin":
        return True
    if role in ("manager", "other_manager"):
        return scope == "all" or (role == "manager") == (order == "mine")
    if role in ("contractor", "customer", "member", "partner"):
        return order == "mine"
    if role in ("other_contractor", "other_customer", "other_partner"):
        return order == "theirs"
    return False


ROLES = [
    "admin",
    "manager",
    "other_manager",
    "contractor",
    "other_contractor",
    "customer",
    "other_customer",
    "member",
    "partner",
    "other_partner",
]


@pytest.mark.parametrize("scope", ["all", "own"])
@pytest.mark.parametrize(("role", "which", "path"), list(itertools.product(ROLES, ["mine", "theirs"], READS)))
def test_reading_an_order(world, settings, scope, role, which, path):
    settings.ORDO_MANAGER_SCOPE = scope
    people, mine, theirs = world
    number = mine if which == "mine" else theirs
    response = people[role].api.get(f"/orders/{number}{path}")
    expected = 404
    if sees(role, which, scope):
        expected = 200
        if path in STAFF_READS and role not in STAFF:
            expected = 403
        if path in INTERNAL_READS and role not in STAFF + CONTRACTORS:
            expected = 403
    assert response.status == expected, (role, which, path, response.body)


@pytest.mark.parametrize("scope", ["all", "own"])
@pytest.mark.parametrize("role", ROLES)
def test_lists_counts_and_search_hold_only_visible_orders(world, settings, scope, role):
    settings.ORDO_MANAGER_SCOPE = scope
    people, mine, theirs = world
    api = people[role].api
    expected = {n for n, which in ((mine, "mine"), (theirs, "theirs")) if sees(role, which, scope)}
    assert {o["number"] for o in api.get("/orders").body["items"]} == expected
    for number in (mine, theirs):
        found = {o["number"] for o in api.get("/orders", q=str(number)).body["items"]}
        assert found == ({number} & expected)
    assert {o["number"] for o in api.get("/orders", status="awaiting_payment").body["items"]} == expected


@pytest.mark.parametrize(("role", "which"), list(itertools.product(ROLES, ["mine", "theirs"])))
def test_acting_on_an_order(world, settings, role, which):
    settings.ORDO_MANAGER_SCOPE = "own"
    people, mine, theirs = world
    number = mine if which == "mine" else theirs
    api = people[role].api
    visible = sees(role, which, "own")
    fired = api.fire(number, "accept")
    paid = api.pay(number, "1.00", channel="invoice")
    edited = api.patch(f"/orders/{number}", {"notes": "x"})
    linked = api.post(f"/orders/{number}/links", {"kind": "duplicate"})
    discounted = api.post(f"/orders/{number}/discounts", {"name": "x", "kind": "amount", "value": "0.50"})
    codes = [r.status for r in (fired, paid, edited, linked, discounted)]
    if not visible:
        assert codes == [404] * 5
        return
    staff = role in STAFF
    assert codes == ([200, 201, 200, 201, 201] if staff else [403] * 5), (codes, fired.body)


def test_no_credentials_is_401_everywhere(world):
    _, mine, _ = world
    for path in ["/orders", f"/orders/{mine}", f"/orders/{mine}/history", "/customers/me", "/tokens"]:
        assert Api(None).get(path).status == 401
    for path in [f"/orders/{mine}/links", f"/orders/{mine}/discounts", "/customers", "/tokens"]:
        assert Api(None).post(path, {}).status == 401


def test_a_contractor_works_their_own_order(world):
    people, mine, _ = world
    admin, carl = people["admin"].api, people["contractor"].api
    admin.fire(mine, "accept")
    assert carl.fire(mine, "start_print").body["status"]["code"] == "in_print"
    assert [t["code"] for t in carl.get(f"/orders/{mine}").body["available_transitions"]] == [
        "finish_print",
        "mark_defect",
    ]
    activity = admin.get(f"/orders/{mine}/activity").body
    assert ("contractor_assigned", "ada") in {(a["kind"], a["actor"]) for a in activity}


def test_only_contractors_can_be_assigned_as_contractors(world):
    people, mine, _ = world
    response = people["admin"].api.patch(f"/orders/{mine}", {"contractor": people["manager"].user.pk})
    assert (response.status, response.body["error"]) == (422, "invalid_assignee")
