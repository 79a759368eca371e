"""The order an API answer shows after a write is read by plain statements (``order_answer``);
the JSON must equal the full presenter's over ``order_get`` — for every preset, every kind of
relation the card shows, and staff and customers alike. It is answered without validating it
against ``OrderOut`` again (``api.orders.answer``), so the bytes must equal the validated ones."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction

from ordo.accounts.roles import actor_for
from ordo.api.orders import RENDERER
from ordo.api.present import order_json
from ordo.api.schemas import OrderOut
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.models import Order, OrderItem
from ordo.orders.services import lock_order
from tests.conftest import sell

pytestmark = pytest.mark.django_db

PRESETS = ["furniture", "autoparts", "shop", "smm", "print"]
LINES = [
    {"sku": "PANEL-18", "name": "Board", "quantity": 2, "unit_price": "1850.00"},
    {"sku": "EDGE-2MM", "name": "Edge", "quantity": 5, "unit_price": "35.00", "target": "https://example.org/a"},
]


def answers_agree(person, number: int) -> dict:
    user = person.user
    expected = order_json(selectors.order_get(user, number), actor_for(user), "pl")
    assert order_json(selectors.order_answer(user, number), actor_for(user), "pl") == expected
    validated = OrderOut.model_validate(expected).model_dump()  # what ninja would answer
    assert RENDERER.render(None, expected, response_status=200) == RENDERER.render(None, validated, response_status=200)
    return expected


@pytest.mark.parametrize("preset", PRESETS)
def test_the_answer_after_a_write_equals_the_full_presenter(preset, load_preset, admin, manager, customer):
    load_preset(preset)
    sell(LINES, {"sku": "GLUE", "name": "Glue", "unit_price": "10.00"})
    lines = [dict(line) for line in LINES]
    if preset == "furniture":
        lines[0]["materials"] = [{"sku": "GLUE", "quantity": 2}]
    placed = manager.api.post("/orders", {"customer": customer.customer.pk, "items": lines})
    assert placed.status == 201, placed.body
    number = placed.body["number"]
    assert placed.body == manager.api.get(f"/orders/{number}").body, "a placement answers what it wrote"
    manager.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "percent", "value": "10"})
    duplicate = manager.api.post(f"/orders/{number}/links", {"kind": "duplicate"})
    assert duplicate.status == 201, duplicate.body
    other = customer.api.post("/orders", {"items": [LINES[1]]})
    assert other.status == 201, other.body
    # A courier, a partner and a contractor on the order: every join the card makes.
    from ordo.accounts.models import Partner
    from ordo.delivery.models import Courier

    Order.objects.filter(number=number).update(
        courier=Courier.objects.create(name="Kuba", phone="+48 600 000 001"),
        partner=Partner.objects.create(code="blog", name="A blog"),
        contractor=manager.user,
    )
    for order in Order.objects.all():
        answers_agree(manager, order.number)
        answers_agree(customer, order.number)
    shown = answers_agree(admin, number)
    assert shown["discounts"], "the comparison covers discounts"
    assert shown["links"], "…links"
    assert shown["customer"]["name"]
    if preset == "furniture":
        assert shown["items"][0]["materials"] == [{"sku": "GLUE", "name": "Glue", "quantity": 2}]


def test_the_answer_keeps_the_visibility_rule(load_preset, customer, other_customer, place):
    load_preset("shop")
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        selectors.order_answer(other_customer.user, order.number)
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError):
        selectors.order_answer(customer.user, 999_999)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_prepares_the_answer_and_it_still_answers_what_is_true_now(load_preset, manager, customer, place):
    """ordo.settings binds parameters on the server and lets psycopg prepare a statement its
    connection has run five times: the answer's join is then planned once per connection. The
    prepared statement answers what the order is now, and a rollback (which makes psycopg drop
    every prepared statement) changes nothing but the next few plans."""
    load_preset("shop")
    number = place(customer).number
    first = answers_agree(manager, number)
    for _ in range(6):
        assert order_json(selectors.order_answer(manager.user, number), actor_for(manager.user), "pl") == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%WHERE o.number = $1"])
        assert cursor.fetchall(), "the answer's order statement is prepared"

    def rolled_back() -> None:
        with transaction.atomic():
            Order.objects.filter(number=number).update(notes="rolled back")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        rolled_back()
    Order.objects.filter(number=number).update(notes="Call first")
    for _ in range(7):
        assert selectors.order_answer(manager.user, number).notes == "Call first"


@pytest.mark.parametrize("preset", PRESETS)
def test_every_transitions_answer_equals_the_order_read_afresh(
    preset, load_preset, admin, manager, customer, monkeypatch, smtp, drain
):
    """A placement, and a transition that ran no effect, answer from the order they wrote, without
    reading its row again (``Order.as_written``); a transition that ran an effect (a stock hold, a
    refund) reads it. Walked through each preset's transitions by whoever may fire them, every
    answer equals what ``GET /orders/{number}`` shows that person after it — and the first kind
    is taken, by the placement and by some transition, so the comparison covers it."""
    load_preset(preset)
    sell(LINES)
    held: list[int] = []
    monkeypatch.setattr(selectors, "_answer_held", _counted(selectors._answer_held, held))
    placed = manager.api.post("/orders", {"customer": customer.customer.pk, "items": LINES, "payment_channel": "card"})
    assert placed.status == 201, placed.body
    number = placed.body["number"]
    assert (held, placed.body) == ([1], manager.api.get(f"/orders/{number}").body), "a placement answers what it wrote"
    people = [admin, manager, customer]
    fired: list[str] = []
    paid = drained = False
    while True:
        found = [
            (person, t["code"])
            for person in people
            for t in person.api.get(f"/orders/{number}").body["available_transitions"]
            if t["enabled"] and t["code"] not in {*fired, "cancel"}
        ]
        if not found and not drained:  # a workflow waiting for a job (a stock check) moves on after it
            drain()
            drained = True
            continue
        if not found and not paid:  # …or for the money, once it comes
            payment = manager.api.pay(number, manager.api.total(number), reference=f"walk-{preset}")
            assert payment.status == 201, payment.body
            paid, drained = True, False
            continue
        if not found:
            break
        person, code = found[0]
        fired.append(code)
        drained = False
        answered = person.api.fire(number, code)
        assert answered.status == 200, answered.body
        assert answered.body == person.api.get(f"/orders/{number}").body, code
    for item in manager.api.get(f"/orders/{number}").body["items"]:
        if item["status"] is not None:  # an item workflow: its transitions answer the same way
            answered = manager.api.post(f"/orders/{number}/items/{item['id']}/transitions", {"transition": "complete"})
            assert answered.status == 200, answered.body
            assert answered.body == manager.api.get(f"/orders/{number}").body
    cancelled = admin.api.fire(number, "cancel")
    if cancelled.status == 200:
        assert cancelled.body == admin.api.get(f"/orders/{number}").body
    assert fired or preset == "smm", "the walk fired transitions"
    assert len(held) > 1, "some transition, not only the placement, answered from the order it wrote"


def test_an_effect_that_writes_the_order_by_another_path_shows_in_the_answer(
    load_preset, customer, manager, place, monkeypatch
):
    """An effect may change the order's row behind the unit's back: after one ran, the answer
    reads the row again rather than draw the order the unit holds."""
    from decimal import Decimal

    from ordo.orders.effects import EFFECTS
    from ordo.orders.services import order_transition
    from ordo.payments.services import payment_record

    load_preset("furniture")
    number = place(customer).number
    for code in ["submit", "approve", "launch"]:
        order_transition(number=number, transition=code, actor=(manager if code == "approve" else customer).actor)
    payment_record(number=number, amount=Decimal("25.50"), channel="cash", actor=manager.actor)
    for code in ["finish", "pass"]:
        order_transition(number=number, transition=code, actor=manager.actor)

    def noted(call):
        Order.objects.filter(pk=call.unit.order.pk).update(notes="Left by the effect")

    monkeypatch.setitem(EFFECTS, "set_issue_date", noted)
    answered = manager.api.fire(number, "hand_over")
    assert answered.status == 200, answered.body
    assert answered.body["notes"] == "Left by the effect"
    assert answered.body == manager.api.get(f"/orders/{number}").body


def _counted(fn, calls: list[int]):
    def counted(*args):
        calls.append(1)
        return fn(*args)

    return counted


def test_what_is_asked_of_one_answers_relations_leaves_the_next_answers_alone(load_preset, manager, customer, place):
    """The answers' prefetched relations share one unread query per model: a QuerySet asked
    for more (filtered, ordered, counted) works on a copy of it."""
    load_preset("shop")
    number = place(customer).number
    first = selectors.order_answer(manager.user, number)
    shared = str(selectors._unread_query(OrderItem))
    assert [i.sku for i in first.items.all().filter(sku="A-1")] == ["A-1"]
    assert [i.sku for i in first.items.all().order_by("-position")] == ["B-2", "A-1"]
    assert first.items.all().exclude(sku="A-1").count() == 1
    assert str(selectors._unread_query(OrderItem)) == shared
    again = selectors.order_answer(manager.user, number)
    assert [i.sku for i in again.items.all()] == ["A-1", "B-2"]


@pytest.mark.parametrize(
    "named", [(), ("manager",), ("courier", "partner"), ("manager", "contractor", "courier", "partner")]
)
def test_a_held_answer_joins_the_rows_the_order_names(named, load_preset, admin, manager, customer, place, monkeypatch):
    """The answer from the order a write holds reads the customer, and only those of the
    manager, contractor, courier and partner the order names, by their ids."""
    from ordo.accounts.models import Partner
    from ordo.delivery.models import Courier

    load_preset("shop")
    number = place(customer).number
    rows = {
        "manager": manager.user,
        "contractor": manager.user,
        "courier": Courier.objects.create(name="Kuba", phone="+48 600 000 001"),
        "partner": Partner.objects.create(code="blog", name="A blog"),
    }
    Order.objects.filter(number=number).update(**{name: rows[name] if name in named else None for name in rows})
    held: list[int] = []
    monkeypatch.setattr(selectors, "_answer_held", _counted(selectors._answer_held, held))
    answered = admin.api.fire(number, "cancel")
    assert answered.status == 200, answered.body
    assert held == [1], "answered from the order the transition wrote"
    assert answered.body == admin.api.get(f"/orders/{number}").body
    assert {name for name in rows if answered.body[name] is not None} == set(named)
    assert answered.body["customer"]["id"] == customer.customer.pk


@pytest.mark.parametrize("has", [(), ("materials",), ("discounts",), ("links",), ("materials", "discounts", "links")])
def test_the_answer_reads_only_the_relations_the_order_has(has, load_preset, admin, manager, customer):
    """The first statement probes which of materials, discounts and links the order has; only
    those are read — from the number, and from the order a write holds."""
    from django.test.utils import CaptureQueriesContext

    load_preset("furniture")
    sell(LINES, {"sku": "GLUE", "name": "Glue", "unit_price": "10.00"})
    lines = [dict(line) for line in LINES]
    if "materials" in has:
        lines[0]["materials"] = [{"sku": "GLUE", "quantity": 2}]
    number = manager.api.post("/orders", {"customer": customer.customer.pk, "items": lines}).body["number"]
    if "discounts" in has:
        manager.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "percent", "value": "10"})
    if "links" in has:
        assert manager.api.post(f"/orders/{number}/links", {"kind": "duplicate"}).status == 201
    user, actor = admin.user, actor_for(admin.user)
    expected = order_json(selectors.order_get(user, number), actor, "pl")
    held = lock_order(number)  # the row with its workflows' digests, as a write holds it
    held.as_written = True
    for given in (None, held):
        with CaptureQueriesContext(connection) as read:
            answered = order_json(selectors.order_answer(user, number, given), actor, "pl")
        assert answered == expected
        assert len(read) == 2 + len(has), [q["sql"][:60] for q in read]


@pytest.mark.parametrize("preset", ["shop", "smm", "print"])  # their "cancel" runs no effect
def test_a_transition_reads_its_items_once(preset, load_preset, admin, customer, place):
    """A transition that reads its order's items (for its guards or its messages) and runs no
    effect answers with them: the request selects from the items' table once, and the answer
    equals a fresh read. (After an effect the answer reads the order afresh.)"""
    from django.test.utils import CaptureQueriesContext

    load_preset(preset)
    number = place(customer).number
    from_items = re.compile(rf'FROM\s+"?{OrderItem._meta.db_table}"?\s', re.IGNORECASE)
    with CaptureQueriesContext(connection) as read:
        answered = admin.api.fire(number, "cancel")
    assert answered.status == 200, answered.body
    selects = [q["sql"] for q in read if from_items.search(q["sql"])]
    assert len(selects) == 1, [s[-200:] for s in selects]
    assert answered.body == admin.api.get(f"/orders/{number}").body


def test_a_transition_asks_for_its_items_beside_the_lock(load_preset, admin, customer, place, monkeypatch):
    """The row lock and the items go to the database together (``db.read_together``: one round
    trip on PostgreSQL), the items named by the order's number; nothing else reads them."""
    from ordo.orders import services

    load_preset("shop")
    number = place(customer).number
    asked: list[list[str]] = []
    read_together = services.read_together

    def recorded(reads):
        asked.append([sql for sql, _ in reads])
        return read_together(reads)

    monkeypatch.setattr(services, "read_together", recorded)
    assert admin.api.fire(number, "cancel").status == 200
    ((lock, items),) = asked
    assert "FOR UPDATE" in lock or connection.vendor == "sqlite"
    assert "WHERE o.number" in lock
    assert OrderItem._meta.db_table in items
    assert "WHERE number = " in items


@pytest.mark.parametrize("preset", PRESETS)
def test_a_placement_answers_with_the_items_it_wrote(preset, load_preset, manager, customer):
    """A placement's answer holds the items it wrote, each with the id its INSERT returned: the
    request never selects from the items' table, and the answer equals a fresh read — a price
    sent with one decimal or none shown with the column's two, each line's VAT rate as stored."""
    from django.test.utils import CaptureQueriesContext

    load_preset(preset)
    lines = [
        {"sku": "A-1", "name": "One", "quantity": 3, "unit_price": "39.5"},
        {"sku": "B-2", "name": "Two", "quantity": 1, "unit_price": "7"},
        {"sku": "C-3", "name": "Three", "quantity": 2, "unit_price": "0.05"},
    ]
    from_items = re.compile(rf'FROM\s+"?{OrderItem._meta.db_table}"?\s', re.IGNORECASE)
    with CaptureQueriesContext(connection) as read:
        placed = manager.api.post("/orders", {"customer": customer.customer.pk, "items": lines})
    assert placed.status == 201, placed.body
    assert not [q["sql"] for q in read if from_items.search(q["sql"])]
    assert placed.body == manager.api.get(f"/orders/{placed.body['number']}").body
    assert [item["unit_price"] for item in placed.body["items"]] == ["39.50", "7.00", "0.05"]
    assert [item["sku"] for item in placed.body["items"]] == ["A-1", "B-2", "C-3"]
