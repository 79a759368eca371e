"""One action on many orders: each order on its own, the refused ones named with their reason."""

from __future__ import annotations

import pytest

from ordo.errors import DomainError
from ordo.orders.bulk import MAX_ORDERS, bulk_assign, bulk_transition
from ordo.orders.models import Order, StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_orders(load_preset, customer, place):
    load_preset("shop")
    return [place(customer).number for _ in range(6)]


def test_a_bulk_transition_moves_what_it_may_and_names_each_refusal(shop_orders, manager):
    started = shop_orders[:2]
    for number in started:
        manager.api.fire(number, "start")
    outcome = bulk_transition(shop_orders, transition="start", actor=manager.actor)
    assert outcome.done == shop_orders[2:]
    assert [number for number, _ in outcome.refused] == started
    assert {error.code for _, error in outcome.refused} == {"wrong_status"}
    assert set(Order.objects.values_list("status", flat=True)) == {"in_progress"}
    # One history row per order moved by the bulk action, none for the refused ones.
    assert StatusChange.objects.filter(to_status="in_progress").count() == 6


def test_a_refusal_by_role_is_per_order_and_changes_nothing(shop_orders, make_person):
    contractor = make_person("carl-contractor", "contractor")
    Order.objects.filter(number__in=shop_orders[:3]).update(contractor=contractor.user)
    outcome = bulk_transition(shop_orders[:3], transition="cancel", actor=contractor.actor)
    assert outcome.done == []
    assert {error.code for _, error in outcome.refused} == {"forbidden"}
    assert set(Order.objects.values_list("status", flat=True)) == {"new"}


def test_bulk_assign_sets_the_manager_on_each_order(shop_orders, manager, admin):
    outcome = bulk_assign(shop_orders, actor=admin.actor, manager_id=manager.user.pk)
    assert outcome.done == shop_orders
    assert set(Order.objects.values_list("manager_id", flat=True)) == {manager.user.pk}


def test_bulk_assign_of_someone_who_is_not_a_manager_is_refused_per_order(shop_orders, admin, customer):
    outcome = bulk_assign(shop_orders[:2], actor=admin.actor, manager_id=customer.user.pk)
    assert {error.code for _, error in outcome.refused} == {"invalid_assignee"}


def test_an_order_out_of_sight_is_not_found_not_touched(shop_orders, make_person):
    contractor = make_person("carl-contractor", "contractor")
    from ordo.orders.selectors import orders_visible_to

    outcome = bulk_transition(
        shop_orders[:2], transition="start", actor=contractor.actor, visible=orders_visible_to(contractor.user)
    )
    assert {error.code for _, error in outcome.refused} == {"not_found"}


@pytest.mark.parametrize("count", [0, MAX_ORDERS + 1])
def test_none_or_more_than_the_limit_is_refused_whole(shop_orders, manager, count):
    with pytest.raises(DomainError) as refused:
        bulk_transition(list(range(1, count + 1)), transition="start", actor=manager.actor)
    assert refused.value.code == "invalid_bulk"
    assert set(Order.objects.values_list("status", flat=True)) == {"new"}
