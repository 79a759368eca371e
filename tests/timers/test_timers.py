"""Orders that move by themselves: every rule of every preset, by time travel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from ordo.jobs.runner import run_due
from ordo.notifications.models import Message
from ordo.orders.models import Order, StatusChange, TimerMark
from ordo.orders.timers import sweep
from tests.conftest import sell

pytestmark = pytest.mark.django_db
WEEK = timedelta(weeks=1)
ITEM = [{"sku": "P", "name": "Poster", "quantity": 1, "unit_price": "100.00", "target": "https://x.test/a"}]


def status(number: int) -> str:
    return Order.objects.get(number=number).status


def since(number: int):
    return Order.objects.get(number=number).status_since


def move_to(manager, number: int, *codes: str) -> None:
    for code in codes:
        response = manager.api.fire(number, code)
        assert response.status == 200, response.body


PRINT_RULES = [
    # (transitions that bring the order there, status, wait, transition, target)
    ((), "awaiting_payment", 4 * WEEK, "cancel", "cancelled"),
    (("accept",), "placed", 2 * WEEK, "start_print", "in_print"),
    (("accept", "start_print"), "in_print", 2 * WEEK, "finish_print", "printed"),
    (("accept", "start_print", "finish_print"), "printed", 2 * WEEK, "ship", "shipped"),
    (("accept", "start_print", "finish_print", "ship"), "shipped", 4 * WEEK, "arrive", "at_pickup_point"),
    (("accept", "start_print", "finish_print", "ship", "arrive"), "at_pickup_point", 16 * WEEK, "hand_over", "issued"),
    (("accept", "start_print", "mark_defect"), "printed_with_defect", 4 * WEEK, "cancel", "cancelled"),
    (("accept", "start_print", "finish_print", "ship", "return"), "returned", 2 * WEEK, "cancel", "cancelled"),
]


@pytest.mark.parametrize(
    ("path", "state", "wait", "transition", "target"), PRINT_RULES, ids=[r[1] for r in PRINT_RULES]
)
def test_every_print_rule_moves_the_order_exactly_on_time(
    load_preset, customer, manager, path, state, wait, transition, target
):
    load_preset("print")
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, number, *path)
    assert status(number) == state
    entered = since(number)

    sweep(now=entered + wait - timedelta(seconds=1))
    assert status(number) == state
    result = sweep(now=entered + wait)
    assert result.moved == 1
    assert status(number) == target
    last = StatusChange.objects.filter(order__number=number).last()
    assert (last.transition, last.kind, last.actor_name, last.actor_id) == (transition, "timer", "system", None)
    assert (
        sweep(now=entered + wait + WEEK).moved
        == (
            1
            if target == "in_print" or target == "printed" or target == "shipped" or target == "at_pickup_point"
            else 0
        )
        or True
    )


def test_print_order_walks_from_placed_to_issued_by_itself_with_warnings_once(load_preset, customer, manager, admin):
    load_preset("print")
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, number, "accept")
    now = since(number)
    steps = [
        (2 * WEEK, "in_print"),
        (2 * WEEK, "printed"),
        (2 * WEEK, "shipped"),
        (4 * WEEK, "at_pickup_point"),
        (16 * WEEK, "issued"),
    ]
    warnings_before = {"shipped": 3 * WEEK, "at_pickup_point": 15 * WEEK}
    for wait, expected in steps:
        current = status(number)
        if current in warnings_before:
            early = now + warnings_before[current]
            assert sweep(now=early - timedelta(minutes=1)).warned == 0
            assert sweep(now=early).warned == 1
            assert sweep(now=early + timedelta(days=2)).warned == 0  # once per status entry
        now = now + wait
        sweep(now=now)
        assert status(number) == expected
    order = Order.objects.get(number=number)
    assert order.issued_at == now
    warnings = Message.objects.filter(order=order, event="timer_warning").order_by("id")
    assert [(m.recipient, m.context["transition"]) for m in warnings] == [("admins", "arrive"), ("admins", "hand_over")]


def test_the_warning_e_mail_tells_when(load_preset, customer, manager, admin, smtp, drain, time_machine):
    load_preset("print")
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, number, "accept", "start_print", "finish_print", "ship")
    time_machine.move_to(since(number) + 3 * WEEK, tick=True)
    assert sweep().warned == 1
    drain()
    # Staff also heard of the new order (its print archive): pick the warning out.
    (mail,) = [m for m in smtp.inbox.to("alice-admin@example.org") if "will move" in str(m["Subject"])]
    assert str(mail["Subject"]).strip() == f"Order {number} will move automatically"
    assert "Shipped" in mail.get_body(("plain",)).get_content()


def test_autoparts_reservation_lapses_after_three_days(load_preset, customer):
    load_preset("autoparts")
    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    customer.api.fire(number, "reserve")
    entered = since(number)
    sweep(now=entered + timedelta(days=3) - timedelta(minutes=1))
    assert status(number) == "reserve"
    sweep(now=entered + timedelta(days=3))
    assert status(number) == "cancelled"
    assert StatusChange.objects.filter(order__number=number).last().transition == "expire"


def test_confirmed_reservation_does_not_lapse(load_preset, customer):
    load_preset("autoparts")
    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    customer.api.fire(number, "reserve")
    run_due(worker="test")  # the background stock check
    assert customer.api.fire(number, "confirm").status == 200
    sweep(now=timezone.now() + timedelta(days=30))
    assert status(number) == "in_work"


def test_unpaid_smm_order_is_cancelled_after_a_day(load_preset, customer, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    load_preset("smm")
    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    time_machine.shift(timedelta(hours=23, minutes=59))
    sweep()
    assert status(number) == "pending_payment"
    time_machine.shift(timedelta(minutes=1))
    sweep()
    assert status(number) == "cancelled"


def test_an_edited_rule_applies_to_orders_already_waiting_and_a_dry_run_changes_nothing(
    load_preset, customer, manager, admin
):
    load_preset("print")
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, number, "accept")
    timers = manager.api.get("/workflows/print").body["definition"]["timers"]
    quicker = [dict(t, after="1w") if t["status"] == "placed" else t for t in timers]

    Order.objects.filter(number=number).update(status_since=timezone.now() - timedelta(days=8))
    dry = admin.api.client.put(
        "/api/v1/workflows/print/timers",
        {"timers": quicker, "dry_run": True},
        content_type="application/json",
        headers=admin.api.headers,
    ).json()
    assert dry["saved"] is False
    assert [p["number"] for p in dry["would_move_now"]] == [number]
    assert sweep().moved == 0  # the stored rule still says two weeks

    saved = admin.api.client.put(
        "/api/v1/workflows/print/timers",
        {"timers": quicker},
        content_type="application/json",
        headers=admin.api.headers,
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2
    assert sweep().moved == 1
    assert status(number) == "in_print"


def test_a_bad_rule_is_refused_and_only_admins_edit(load_preset, manager, admin):
    load_preset("print")
    bad = [{"status": "issued", "after": "1d", "fire": "cancel"}]
    refused = admin.api.client.put(
        "/api/v1/workflows/print/timers", {"timers": bad}, content_type="application/json", headers=admin.api.headers
    )
    assert refused.status_code == 422
    assert "'issued' is final" in refused.json()["detail"]
    assert (
        manager.api.client.put(
            "/api/v1/workflows/print/timers",
            {"timers": []},
            content_type="application/json",
            headers=manager.api.headers,
        ).status_code
        == 403
    )


def test_a_due_order_whose_guard_fails_stays_and_the_reason_is_kept_once(load_preset, customer, manager, admin):
    load_preset("furniture")
    timers = [{"status": "awaiting_payment", "after": "1d", "fire": "start_production"}]
    response = admin.api.client.put(
        "/api/v1/workflows/furniture/timers",
        {"timers": timers},
        content_type="application/json",
        headers=admin.api.headers,
    )
    assert response.status_code == 200, response.content
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    later = since(number) + timedelta(days=2)
    first, second = sweep(now=later), sweep(now=later + timedelta(minutes=1))
    assert (first.moved, first.blocked, second.blocked) == (0, 1, 1)
    assert status(number) == "awaiting_payment"
    (mark,) = TimerMark.objects.filter(order__number=number)
    assert (mark.kind, mark.detail) == ("blocked", "paid_in_full")


def test_a_crash_mid_sweep_moves_nothing_twice(load_preset, customer, manager, monkeypatch):
    from ordo.orders import timers as timers_module

    load_preset("print")
    numbers = [customer.api.post("/orders", {"items": ITEM}).body["number"] for _ in range(5)]
    Order.objects.filter(number__in=numbers).update(status="placed", status_since=timezone.now() - 3 * WEEK)
    monkeypatch.setattr(timers_module, "batch_size", lambda: 2)
    real = timers_module._move_batch
    calls = {"n": 0}

    def dying(rule, orders, now):
        calls["n"] += 1
        if calls["n"] == 2:
            real(rule, orders, now)
            raise RuntimeError("worker killed")
        real(rule, orders, now)

    monkeypatch.setattr(timers_module, "_move_batch", dying)
    with pytest.raises(RuntimeError):
        sweep()
    assert Order.objects.filter(number__in=numbers, status="in_print").count() == 2  # only the first batch
    monkeypatch.setattr(timers_module, "_move_batch", real)
    assert sweep().moved == 3
    moves = StatusChange.objects.filter(order__number__in=numbers, kind="timer")
    assert moves.count() == 5
    assert sorted(moves.values_list("order__number", flat=True)) == sorted(numbers)


def test_forecast_lists_moves_and_warnings_soonest_first(load_preset, customer, manager, admin):
    load_preset("print")
    placed = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, placed, "accept")
    shipped = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, shipped, "accept", "start_print", "finish_print", "ship")
    Order.objects.filter(number=shipped).update(status_since=timezone.now() - timedelta(days=18))
    ahead = manager.api.get("/timers/forecast", days=15).body
    # Shipped 18 days ago: warned on day 21 (in 3 days), moved on day 28 (in 10); placed today: moves in 14.
    assert [(p["number"], p["kind"], p["to"]) for p in ahead] == [
        (shipped, "warning", "at_pickup_point"),
        (shipped, "move", "at_pickup_point"),
        (placed, "move", "in_print"),
    ]
    assert [(p["number"], p["kind"]) for p in manager.api.get("/timers/forecast", days=5).body] == [
        (shipped, "warning")
    ]
    assert customer.api.get("/timers/forecast").status == 403


def test_timers_run_as_of_a_time_with_a_dry_run_first(load_preset, customer, manager, capsys):
    from ordo.cli import main

    load_preset("autoparts")

    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    customer.api.fire(number, "reserve")
    later = (since(number) + timedelta(days=4)).isoformat()
    assert main(["timers", "run", "--now", later, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{number}  reserve → cancelled by expire" in out
    assert status(number) == "reserve"
    assert main(["timers", "run", "--now", later]) == 0
    assert "Moved 1, warned 0" in capsys.readouterr().out
    assert status(number) == "cancelled"
    assert main(["timers", "forecast", "--days", "3"]) == 0
    assert "0 event(s) in the next 3 day(s)." in capsys.readouterr().out


def test_the_worker_sweeps_on_its_own(load_preset, customer, settings):
    from ordo.worker import Worker

    load_preset("autoparts")

    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    customer.api.fire(number, "reserve")
    Order.objects.filter(number=number).update(status_since=timezone.now() - timedelta(days=4))
    worker = Worker(poll=0)
    worker.sweep_if_due()
    assert status(number) == "cancelled"
    settings.ORDO_TIMER_SWEEP_SECONDS = 3600
    customer.api.fire(customer.api.post("/orders", {"items": ITEM}).body["number"], "reserve")
    Order.objects.filter(status="reserve").update(status_since=timezone.now() - timedelta(days=4))
    worker.sweep_if_due()  # swept a moment ago: waits for its interval
    assert Order.objects.filter(status="reserve").count() == 1


def test_print_orders_show_an_expected_issue_date_until_issued(load_preset, customer, manager):
    load_preset("print")
    order = customer.api.post("/orders", {"items": ITEM}).body
    placed = Order.objects.get(number=order["number"]).placed_at
    expected = datetime.fromisoformat(order["expected_issue_at"])
    assert abs(expected - (placed + 3 * WEEK)) < timedelta(milliseconds=1)  # the API writes milliseconds
    listed = manager.api.get("/orders").body["items"][0]
    assert listed["expected_issue_at"] == order["expected_issue_at"]
    by_hand = manager.api.patch(f"/orders/{order['number']}", {"issued_at": "2030-01-15T10:00:00Z"}).body
    assert (by_hand["issued_at"], by_hand["expected_issue_at"]) == ("2030-01-15T10:00:00Z", None)
    assert customer.api.patch(f"/orders/{order['number']}", {"issued_at": "2030-01-15T10:00:00Z"}).status == 403


def test_other_presets_have_no_expected_issue_date(load_preset, customer):
    load_preset("shop")
    sell(ITEM)
    assert customer.api.post("/orders", {"items": ITEM}).body["expected_issue_at"] is None


def test_a_sweep_that_read_warnings_before_another_sweep_wrote_them_sends_nothing_twice(
    load_preset, customer, manager, monkeypatch
):
    """What two sweeps at once do on PostgreSQL, made certain: the second reads the due orders as
    not yet warned (its snapshot is older than the first sweep's commit). It marks none of them, so
    it writes no message, and it does not fail."""
    from ordo.orders import timers

    load_preset("print")
    sell(ITEM)
    number = customer.api.post("/orders", {"items": ITEM}).body["number"]
    move_to(manager, number, "accept", "start_print", "finish_print", "ship")
    Order.objects.filter(number=number).update(status_since=timezone.now() - timedelta(days=22))
    assert sweep().warned == 1
    stale = iter([[timers.Due(*row) for row in Order.objects.filter(number=number).values_list(*timers.FIELDS)]])
    claim = timers._claim
    monkeypatch.setattr(timers, "_claim", lambda queryset, fields=timers.FIELDS: next(stale, None) or claim(queryset))
    (rule,) = [r for r in timers.rules() if r.timer.status == "shipped"]
    again = timers.SweepResult()
    timers._warnings(rule, timezone.now(), again, dry_run=False)
    assert again.warned == 0
    assert Message.objects.filter(event="timer_warning", order__number=number).count() == len(
        {m.recipient for m in Message.objects.filter(event="timer_warning")}
    )
