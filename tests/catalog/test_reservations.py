"""The auto-parts story with stock: reserve → background check → confirm with what is short →
work; a stock change between reserve and confirm; the 3-day expiry releasing exactly what was held."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from ordo.catalog.models import Reservation, Stock
from ordo.catalog.services import catalog_import
from ordo.jobs.models import Job
from ordo.jobs.runner import run_due
from ordo.orders.timers import sweep

pytestmark = pytest.mark.django_db

CATALOG = """sku,name,price,category,location,on_hand
OC-90,Oil filter OC 90,640.00,filters,a1,5
BP-443,Brake pads front,3200.00,brakes,a1,1
BP-443,Brake pads front,3200.00,brakes,b2,1
"""


@pytest.fixture
def shop(load_preset, customer):
    load_preset("autoparts")
    catalog_import(CATALOG)
    customer.customer.phone = "+7 900 000-00-00"
    customer.customer.save()


def stock(sku: str) -> dict[str, tuple[int, int]]:
    rows = Stock.objects.filter(product__sku=sku).select_related("location").order_by("location__code")
    return {r.location.code: (r.on_hand, r.reserved) for r in rows}


def order(api, lines) -> int:
    response = api.post(
        "/orders", {"items": [{"sku": s, "name": s, "quantity": q, "unit_price": "0"} for s, q in lines]}
    )
    assert response.status == 201, response.body
    return response.body["number"]


def test_the_customer_confirms_after_the_check_lists_what_is_short(shop, customer, smtp, drain):
    number = order(customer.api, [("OC-90", 2), ("BP-443", 3)])
    placed = customer.api.get(f"/orders/{number}").body
    # Customers do not set prices: the catalog's apply.
    assert [(i["name"], i["unit_price"]) for i in placed["items"]] == [
        ("Oil filter OC 90", "640.00"),
        ("Brake pads front", "3200.00"),
    ]
    customer.api.fire(number, "reserve")
    early = customer.api.fire(number, "confirm")
    assert (early.status, early.body["failed_guards"][0]["code"]) == (422, "stock_checked")

    drain()
    body = customer.api.get(f"/orders/{number}").body
    assert [(i["sku"], i["reserved"]) for i in body["items"]] == [("OC-90", 2), ("BP-443", 2)]
    assert body["stock_checked_at"]
    assert stock("BP-443") == {"a1": (1, 1), "b2": (1, 1)}
    mail = smtp.inbox.to("cora-customer@example.org")[-1]
    assert "подтвердите" in mail["Subject"]  # the auto-parts shop writes in Russian
    assert "Brake pads front (BP-443): 2 / 3" in mail.get_body(("plain",)).get_content()

    assert customer.api.fire(number, "confirm").body["status"]["code"] == "in_work"


def test_stock_that_changed_between_reserve_and_confirm_is_what_the_customer_sees(shop, customer, admin, smtp, drain):
    number = order(customer.api, [("OC-90", 4)])
    customer.api.fire(number, "reserve")
    # Before the check runs, the warehouse counts again and finds only 1.
    assert admin.api._send("put", "/products/OC-90/stock", {"location": "a1", "on_hand": 1}).status == 200
    drain()
    assert customer.api.get(f"/orders/{number}").body["items"][0]["reserved"] == 1
    mail = smtp.inbox.to("cora-customer@example.org")[-1]
    assert "Oil filter OC 90 (OC-90): 1 / 4" in mail.get_body(("plain",)).get_content()
    # A count below what is held is refused.
    refused = admin.api._send("put", "/products/OC-90/stock", {"location": "a1", "on_hand": 0})
    assert (refused.status, refused.body["error"]) == (422, "invalid_stock")


def test_an_unconfirmed_reservation_lapses_after_three_days_and_releases_exactly(shop, customer, drain):
    kept = order(customer.api, [("OC-90", 1)])
    lapsing = order(customer.api, [("OC-90", 3), ("BP-443", 2)])
    for number in (kept, lapsing):
        customer.api.fire(number, "reserve")
    drain()
    assert stock("OC-90") == {"a1": (5, 4)}
    customer.api.fire(kept, "confirm")
    sweep(now=timezone.now() + timedelta(days=3, minutes=1))
    assert customer.api.get(f"/orders/{lapsing}").body["status"]["code"] == "cancelled"
    assert stock("OC-90") == {"a1": (5, 1)}
    assert stock("BP-443") == {"a1": (1, 0), "b2": (1, 0)}
    states = set(Reservation.objects.filter(order__number=lapsing).values_list("state", flat=True))
    assert states == {"released"}


def test_shipping_takes_the_held_units_out_of_stock(shop, customer, manager, drain):
    number = order(customer.api, [("OC-90", 2)])
    customer.api.fire(number, "reserve")
    drain()
    customer.api.fire(number, "confirm")
    manager.api.pay(number, manager.api.total(number), channel="invoice")
    for code in ("start_picking", "ready", "ship"):
        assert manager.api.fire(number, code).status == 200
    assert stock("OC-90") == {"a1": (3, 0)}


def test_a_check_for_an_order_that_moved_on_does_nothing(shop, customer, drain):
    number = order(customer.api, [("OC-90", 2)])
    customer.api.fire(number, "reserve")
    customer.api.fire(number, "cancel")
    drain()
    assert stock("OC-90") == {"a1": (5, 0)}
    assert Job.objects.get().status == "done"


def test_customers_edit_a_new_orders_items_from_the_catalog(shop, customer, drain):
    number = order(customer.api, [("OC-90", 1)])
    edited = customer.api._send(
        "put", f"/orders/{number}/items", {"items": [{"sku": "OC-90", "quantity": 3}, {"sku": "BP-443", "quantity": 1}]}
    )
    assert edited.status == 200, edited.body
    assert [(i["sku"], i["quantity"]) for i in edited.body["items"]] == [("OC-90", 3), ("BP-443", 1)]
    assert edited.body["totals"]["total"] == "5120.00"
    unknown = customer.api._send("put", f"/orders/{number}/items", {"items": [{"sku": "NOPE", "quantity": 1}]})
    assert (unknown.status, unknown.body["error"]) == (422, "unknown_product")
    customer.api.fire(number, "reserve")
    locked = customer.api._send("put", f"/orders/{number}/items", {"items": [{"sku": "OC-90", "quantity": 1}]})
    assert (locked.status, locked.body["error"]) == (409, "items_locked")


def test_a_failing_job_is_retried_then_given_up(shop, customer, monkeypatch):
    from ordo.jobs import runner

    number = order(customer.api, [("OC-90", 1)])
    customer.api.fire(number, "reserve")
    monkeypatch.setitem(runner.HANDLERS, "stock_check", lambda job: 1 / 0)
    run_due(worker="w")
    job = Job.objects.get()
    assert (job.status, job.attempts) == ("pending", 1)
    assert "ZeroDivisionError" in job.last_error
    for _ in range(runner.MAX_ATTEMPTS):
        Job.objects.filter(pk=job.pk).update(available_at=timezone.now())
        run_due(worker="w")
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", runner.MAX_ATTEMPTS)


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_never_oversell_the_last_units(load_preset, make_person):
    """Eight orders want the last 5 filters at once; exactly 5 are held, none twice."""
    load_preset("autoparts")
    catalog_import("sku,name,price,location,on_hand\nOC-90,Oil filter,640.00,a1,5\n")
    people = [make_person(f"buyer{i}", "customer") for i in range(8)]
    numbers = [order(p.api, [("OC-90", 1)]) for p in people]
    for person, number in zip(people, numbers, strict=True):
        person.api.fire(number, "reserve")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            while run_due(worker=name, limit=1):
                pass
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}
    assert stock("OC-90") == {"a1": (5, 5)}
    held = Reservation.objects.filter(state="held")
    assert sum(r.quantity for r in held) == 5
    assert held.values("order").distinct().count() == 5
    assert connection.vendor in ("sqlite", "postgresql")
