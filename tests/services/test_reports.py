"""The dashboard's figures and the time-in-status report over a history built by hand (with
time-machine), checked to the second and to the cent, and against counts over the history table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ordo.notifications.models import Message
from ordo.orders.models import Order, StatusChange, Stay
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.selectors import orders_visible_to
from ordo.orders.timers import sweep
from ordo.reports.figures import Period, attention, breakdown, daily, figures, period_of, rank, waits
from tests.conftest import sell

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MUG = [{"sku": "MUG", "name": "Kubek", "quantity": 2, "unit_price": "39.00"}]
HOUR = timedelta(hours=1)


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    sell(MUG)


def at(time_machine, moment: datetime) -> None:
    time_machine.move_to(moment, tick=False)


def place(manager, **extra) -> int:
    body = {"items": MUG, "customer": {"name": "Jan", "email": "jan@example.org"}, **extra}
    response = manager.api.post("/orders", body)
    assert response.status == 201, response.body
    return response.body["number"]


def test_nearest_rank_percentiles():
    assert rank([], 50) is None
    assert rank([5], 90) == 5
    assert rank([1, 2, 3, 4], 50) == 2
    assert rank(list(range(1, 11)), 90) == 9
    assert rank(list(range(1, 11)), 91) == 10


def test_time_in_status_across_reopen_and_cancel_is_exact(shop, manager, admin, time_machine):
    at(time_machine, T0)
    first, second = place(manager), place(manager)
    at(time_machine, T0 + HOUR)
    manager.api.fire(first, "start")
    at(time_machine, T0 + 2 * HOUR)
    manager.api.fire(second, "start")
    at(time_machine, T0 + 3 * HOUR)
    manager.api.fire(first, "cancel")
    at(time_machine, T0 + 4 * HOUR)
    admin.api.fire(first, "reopen")
    at(time_machine, T0 + 10 * HOUR)
    manager.api.fire(first, "start")

    workflow = WorkflowRow.objects.get(code="shop")
    report = waits(Order.objects.all(), workflow, Period(T0.date(), T0.date()), UTC)
    by_code = {s.code: s for s in report.statuses}
    assert (by_code["new"].count, by_code["new"].median, by_code["new"].p90) == (3, 7200, 21600)
    assert by_code["new"].left_by == [("start", 3)]
    assert (by_code["in_progress"].count, by_code["in_progress"].median) == (1, 7200)
    assert by_code["in_progress"].left_by == [("cancel", 1)]
    assert (by_code["cancelled"].count, by_code["cancelled"].median, by_code["cancelled"].left_by) == (
        1,
        3600,
        [("reopen", 1)],
    )
    # Exact: one stay for every history row that left a status.
    for status in by_code.values():
        left = StatusChange.objects.filter(item=None, from_status=status.code).count()
        assert status.count == left, status.code
    assert report.managers[0].count == 5


def test_a_timer_move_in_a_batch_records_the_stay(load_preset, customer, time_machine):
    at(time_machine, T0)
    load_preset("smm")
    item = [{"sku": "FOLLOW-1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00"}]
    sell(item)
    number = customer.api.post("/orders", {"items": item}).body["number"]
    at(time_machine, T0 + timedelta(hours=25))
    sweep()
    stay = Stay.objects.get(order__number=number)
    assert (stay.status, stay.left_by, stay.seconds) == ("pending_payment", "cancel", 25 * 3600)
    assert stay.entered_at == T0


def test_dashboard_figures_for_a_period_and_the_one_before(shop, manager, time_machine):
    day = date(2026, 11, 10)
    at(time_machine, datetime(2026, 11, 3, 12, tzinfo=UTC))  # the previous week
    earlier = place(manager, payment_channel="cash")
    manager.api.pay(earlier, "78.00")
    at(time_machine, datetime(2026, 11, 10, 8, tzinfo=UTC))
    paid = place(manager, payment_channel="cash")
    manager.api.pay(paid, "78.00")
    at(time_machine, datetime(2026, 11, 11, 8, tzinfo=UTC))
    partly = place(manager, payment_channel="transfer")
    manager.api.pay(partly, "30.00")
    unpaid = place(manager, payment_channel="cash")
    at(time_machine, datetime(2026, 11, 12, 8, tzinfo=UTC))
    manager.api.post(f"/orders/{paid}/refunds", {"destination": "processor", "amount": "10.00"})
    week = Period(day, day + timedelta(days=6))

    now = figures(Order.objects.all(), week, UTC)
    assert now.placed == 3
    assert now.placed_value == {"PLN": Decimal("234.00")}
    assert now.average == {"PLN": Decimal("78.00")}
    assert now.revenue == {"PLN": Decimal("108.00")}
    assert now.refunds == {"PLN": Decimal("10.00")}
    assert (now.unpaid, now.unpaid_owed) == (1, {"PLN": Decimal("78.00")})
    assert (now.partly_paid, now.partly_owed) == (1, {"PLN": Decimal("48.00")})
    before = figures(Order.objects.all(), week.previous(), UTC)
    assert (before.placed, before.revenue) == (1, {"PLN": Decimal("78.00")})
    assert unpaid

    series = daily(Order.objects.all(), week, UTC)
    assert series.orders == [1, 2, 0, 0, 0, 0, 0]
    assert series.revenue["PLN"][:3] == [Decimal("78.00"), Decimal("30.00"), Decimal("0.00")]
    split = breakdown(Order.objects.all(), week, UTC)
    assert split["payment_channel"] == [("cash", 2), ("transfer", 1)]
    assert split["source"] == [("api", 3)]


def test_days_follow_the_users_time_zone(shop, manager, time_machine):
    from zoneinfo import ZoneInfo

    at(time_machine, datetime(2026, 11, 10, 22, 30, tzinfo=UTC))  # already the 11th in Helsinki
    place(manager)
    helsinki = ZoneInfo("Europe/Helsinki")
    assert figures(Order.objects.all(), Period(date(2026, 11, 11), date(2026, 11, 11)), helsinki).placed == 1
    assert figures(Order.objects.all(), Period(date(2026, 11, 10), date(2026, 11, 10)), helsinki).placed == 0


def test_a_manager_with_own_scope_counts_their_orders_only(shop, manager, make_person, settings, time_machine):
    settings.ORDO_MANAGER_SCOPE = "own"
    other = make_person("olga-manager", "manager")
    at(time_machine, T0)
    mine = place(manager)
    theirs = place(other, customer={"name": "Ewa", "email": "ewa@example.org"})
    assert Order.objects.get(number=mine).manager_id == manager.user.pk
    assert Order.objects.get(number=theirs).manager_id == other.user.pk
    other.api.pay(theirs, "78.00")
    at(time_machine, T0 + HOUR)
    other.api.fire(theirs, "start")
    seen = orders_visible_to(manager.user)
    today = Period(T0.date(), T0.date())
    assert figures(seen, today, UTC).placed == 1
    assert figures(seen, today, UTC).revenue == {}
    report = waits(seen, WorkflowRow.objects.get(code="shop"), today, UTC)
    assert sum(s.count for s in report.statuses) == 0


def test_attention_lists_overdue_stuck_and_failed(shop, manager, time_machine, settings):
    settings.ORDO_PAYMENT_DUE_DAYS = 7
    at(time_machine, T0)
    quick = [place(manager) for _ in range(5)]
    slow = place(manager)
    at(time_machine, T0 + HOUR)
    for number in quick:
        manager.api.fire(number, "start")  # five stays in "new" of one hour each: usual is 1 h
    at(time_machine, T0 + timedelta(days=8))
    now = T0 + timedelta(days=8)
    Message.objects.filter(order__number=slow).update(status=Message.Status.FAILED)
    found = attention(Order.objects.all(), now=now)
    assert [o.number for o, _ in found.stuck] == [slow]
    assert found.stuck[0][1] == 3600
    assert found.overdue_count == 6
    assert found.overdue[0].number == quick[0]
    assert found.failed_count == Message.objects.filter(order__number=slow).count() > 0


def test_period_of_reads_dates_and_bounds_the_length():
    today = date(2026, 12, 1)
    assert period_of(None, None, today=today) == Period(date(2026, 11, 2), today)
    assert period_of("2026-12-01", "2026-11-01", today=today) == Period(date(2026, 11, 1), date(2026, 12, 1))
    assert period_of("2020-01-01", "2026-12-01", today=today).days == 366
    with pytest.raises(ValueError):
        period_of("yesterday", None, today=today)
