"""``/api/v1/reports``: the dashboard's figures and time in status, by the same visibility rule as
every order read, as JSON and as CSV; bad dates are a 422, contractors and customers a 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import sell

pytestmark = pytest.mark.django_db
MUG = [{"sku": "MUG", "name": "Kubek", "quantity": 2, "unit_price": "39.00"}]
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def orders(load_preset, manager, time_machine):
    time_machine.move_to(T0, tick=False)
    load_preset("shop")
    sell(MUG)
    numbers = [
        manager.api.post(
            "/orders",
            {"items": MUG, "payment_channel": "cash", "customer": {"name": "A", "email": f"a{n}@example.org"}},
        ).body["number"]
        for n in range(2)
    ]
    manager.api.pay(numbers[0], "78.00")
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    manager.api.fire(numbers[0], "start")
    return numbers


def test_summary_gives_the_period_the_one_before_and_each_day(orders, manager):
    body = manager.api.get("/reports/summary", start="2026-11-01", end="2026-11-07").body
    assert body["current"]["placed"] == 2
    assert body["current"]["revenue"] == {"PLN": "78.00"}
    assert body["current"]["unpaid_owed"] == {"PLN": "78.00"}
    assert body["previous"]["start"] == "2026-10-25"
    assert [d["orders"] for d in body["days"]] == [0, 2, 0, 0, 0, 0, 0]
    assert body["by_source"] == [{"code": "api", "count": 2}]


def test_waits_give_seconds_per_status_and_exits(orders, manager):
    body = manager.api.get("/reports/waits", workflow="shop", start="2026-11-02", end="2026-11-02").body
    new = next(s for s in body["statuses"] if s["code"] == "new")
    assert (new["count"], new["median_seconds"], new["p90_seconds"]) == (1, 7200, 7200)
    assert new["left_by"] == [{"transition": "start", "count": 1}]
    assert body["managers"][0]["count"] == 1


def test_reports_download_as_csv(orders, manager):
    response = manager.api.get("/reports/waits", workflow="shop", start="2026-11-02", end="2026-11-02", format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "new,1,7200,7200,start:1" in response.body
    summary = manager.api.get("/reports/summary", start="2026-11-02", end="2026-11-02", format="csv").body
    assert summary.lstrip("\ufeff").splitlines() == ["day,orders,revenue_PLN", "2026-11-02,2,78.00"]


def test_bad_dates_and_unknown_workflows_are_refused(orders, manager):
    bad = manager.api.get("/reports/summary", start="yesterday")
    assert (bad.status, bad.body["error"]) == (422, "invalid_period")
    unknown = manager.api.get("/reports/waits", workflow="nope")
    assert (unknown.status, unknown.body["error"]) == (404, "not_found")


def test_only_managers_read_reports(orders, customer, make_person):
    contractor = make_person("carl-contractor", "contractor")
    for person in (customer, contractor):
        refused = person.api.get("/reports/summary")
        assert (refused.status, refused.body["error"]) == (403, "forbidden")


def test_a_manager_with_own_scope_reads_their_orders_only(orders, make_person, settings):
    settings.ORDO_MANAGER_SCOPE = "own"
    other = make_person("olga-manager", "manager")
    body = other.api.get("/reports/summary", start="2026-11-01", end="2026-11-07").body
    assert body["current"]["placed"] == 0
    assert body["current"]["revenue"] == {}
