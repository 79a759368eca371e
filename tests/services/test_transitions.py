"""order_transition: whole or nothing, with history and the actor recorded."""

from decimal import Decimal

import pytest

from ordo.errors import DomainError
from ordo.orders.effects import EFFECTS
from ordo.orders.models import Order, StatusChange
from ordo.orders.services import order_transition
from ordo.orders.workflows import preset_load_named
from ordo.payments.services import payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def furniture(load_preset):
    load_preset("furniture")


def test_transition_writes_status_since_seq_and_history(customer, place):
    order = place(customer)
    moved = order_transition(number=order.number, transition="submit", actor=customer.actor)
    assert moved.status == "under_review"
    assert moved.status_seq == 2
    assert moved.status_since > order.status_since
    row = StatusChange.objects.filter(order=order).last()
    assert (row.from_status, row.to_status, row.transition, row.kind, row.actor_id, row.status_seq) == (
        "draft",
        "under_review",
        "submit",
        "manual",
        customer.user.pk,
        2,
    )


def test_a_failing_effect_leaves_nothing_behind(customer, manager, place, monkeypatch):
    order = place(customer)
    for code in ["submit", "approve", "launch"]:
        who = manager if code == "approve" else customer
        order_transition(number=order.number, transition=code, actor=who.actor)
    payment_record(number=order.number, amount=Decimal("25.50"), channel="cash", actor=manager.actor)
    order_transition(number=order.number, transition="finish", actor=manager.actor)
    order_transition(number=order.number, transition="pass", actor=manager.actor)
    rows_before = StatusChange.objects.count()

    def broken(call):
        call.unit.order.issued_at = call.unit.now
        call.unit.dirty.add("issued_at")
        raise RuntimeError("printer on fire")

    monkeypatch.setitem(EFFECTS, "set_issue_date", broken)
    with pytest.raises(RuntimeError):
        order_transition(number=order.number, transition="hand_over", actor=manager.actor)
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.status == "ready_for_pickup"
    assert fresh.issued_at is None
    assert StatusChange.objects.count() == rows_before


def test_refusal_changes_nothing(customer, place):
    order = place(customer)
    order_transition(number=order.number, transition="submit", actor=customer.actor)
    with pytest.raises(DomainError) as refused:
        order_transition(number=order.number, transition="approve", actor=customer.actor)
    assert refused.value.code == "forbidden"
    assert Order.objects.get(pk=order.pk).status_seq == 2
    assert StatusChange.objects.filter(order=order).count() == 2


def test_missing_order_is_not_found(customer):
    with pytest.raises(DomainError) as missing:
        order_transition(number=1, transition="submit", actor=customer.actor)
    assert missing.value.code == "not_found"


def test_ledger_sums_match_the_order(customer, manager, place):
    order = place(customer)
    for amount in ["1.10", "2.20", "3.30"]:
        payment_record(number=order.number, amount=Decimal(amount), channel="cash", actor=manager.actor)
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.paid == sum(e.amount for e in fresh.ledger.all()) == Decimal("6.60")
    assert fresh.payment_status == "partially_paid"


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "NaN", "Infinity"])
def test_bad_amounts_are_refused(customer, manager, place, amount):
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        payment_record(number=order.number, amount=Decimal(amount), channel="cash", actor=manager.actor)
    assert refused.value.code == "invalid_amount"


def test_payment_in_another_currency_is_refused(customer, manager, place):
    order = place(customer)
    with pytest.raises(DomainError) as refused:
        payment_record(number=order.number, amount=Decimal("1"), channel="cash", currency="EUR", actor=manager.actor)
    assert refused.value.code == "currency_mismatch"


def test_preset_reload_is_unchanged_when_identical():
    loaded = preset_load_named("furniture")
    assert loaded.unchanged == ("furniture",)
    assert loaded.updated == ()


def test_a_type_changed_here_applies_to_the_next_order_at_once(load_preset, customer, place):
    from ordo.orders.models import OrderType

    load_preset("shop")
    assert place(customer).currency == "PLN"  # the type is now kept by this process
    order_type = OrderType.objects.get(code="regular")
    order_type.currency = "EUR"
    order_type.save()
    assert place(customer).currency == "EUR"


def test_a_product_s_new_tax_class_applies_to_the_next_order_at_once(load_preset, manager):
    from ordo.catalog.services import product_create

    load_preset("shop")
    product_create(sku="BOOK-1", name="Książka", price=Decimal("40.00"))
    line = [{"sku": "BOOK-1", "name": "Książka", "quantity": 1, "unit_price": "40.00"}]
    body = {"items": line, "customer": {"name": "Jan", "email": "jan@example.org"}}
    assert manager.api.post("/orders", body).body["items"][0]["tax_rate"] == "23.00"
    assert manager.api.patch("/products/BOOK-1", {"tax_class": "super_reduced"}).status == 200
    assert manager.api.post("/orders", body).body["items"][0]["tax_rate"] == "5.00"
