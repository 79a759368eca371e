"""Furniture materials: full payment starts production only with every material in stock, else the
order waits; arrivals move the waiting orders on, the longest-waiting first, as far as stock goes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from ordo.catalog.models import Reservation, Stock
from ordo.catalog.services import catalog_import
from ordo.orders.models import Order
from ordo.payments.services import payment_record
from ordo.workflow.snapshot import Actor

pytestmark = pytest.mark.django_db

CATALOG = """sku,name,price,location,on_hand
BOARD-18,Oak board 18 mm,2400.00,main,2
HINGE,Soft-close hinge,150.00,main,100
"""


@pytest.fixture
def workshop(load_preset):
    load_preset("furniture")
    catalog_import(CATALOG)


def stock(sku: str) -> tuple[int, int]:
    row = Stock.objects.get(product__sku=sku)
    return row.on_hand, row.reserved


def wardrobe(api, boards: int = 2, hinges: int = 4) -> int:
    """A wardrobe made of ``boards`` oak boards and ``hinges`` hinges, launched and awaiting payment."""
    materials = [{"sku": "BOARD-18", "quantity": boards}, {"sku": "HINGE", "quantity": hinges}]
    response = api.post(
        "/orders",
        {
            "items": [
                {"sku": "WR-1", "name": "Wardrobe", "quantity": 1, "unit_price": "10000", "materials": materials}
            ],
            "payment_channel": "cash",
        },
    )
    assert response.status == 201, response.body
    return response.body["number"]


def launched(customer, manager, boards: int = 2) -> int:
    number = wardrobe(customer.api, boards)
    customer.api.fire(number, "submit")
    manager.api.fire(number, "approve")
    customer.api.fire(number, "launch")
    return number


def status(api, number: int) -> str:
    return api.get(f"/orders/{number}").body["status"]["code"]


def test_full_payment_starts_production_when_every_material_is_in_stock(workshop, customer, manager):
    number = launched(customer, manager)
    card = customer.api.get(f"/orders/{number}").body
    assert card["items"][0]["materials"] == [
        {"sku": "BOARD-18", "name": "Oak board 18 mm", "quantity": 2},
        {"sku": "HINGE", "name": "Soft-close hinge", "quantity": 4},
    ]
    assert manager.api.pay(number, "10000").body["order"]["status"]["code"] == "in_production"
    # Production took the materials: held now, gone from stock when it is finished.
    assert stock("BOARD-18") == (2, 2)
    assert stock("HINGE") == (100, 4)
    manager.api.fire(number, "finish")
    assert stock("BOARD-18") == (0, 0)
    assert stock("HINGE") == (96, 0)
    # Quality sends it back: the materials were used already, nothing is taken twice.
    manager.api.fire(number, "fail")
    assert stock("HINGE") == (96, 0)


def test_a_short_material_makes_the_paid_order_wait(workshop, customer, manager):
    number = launched(customer, manager, boards=3)
    assert manager.api.pay(number, "10000").body["order"]["status"]["code"] == "awaiting_materials"
    assert stock("BOARD-18") == (2, 0)  # nothing held while waiting
    # Staff cannot wave it through while the stock says no; the refusal says why.
    early = manager.api.fire(number, "materials_arrived")
    assert (early.status, early.body["failed_guards"][0]["code"]) == (422, "materials_in_stock")


def test_an_arrival_moves_waiting_orders_on_longest_waiting_first_as_far_as_stock_goes(
    workshop, customer, other_customer, manager, admin, drain, smtp
):
    # Another order takes both boards in stock; three more wait for 2 boards each.
    first = launched(customer, manager)
    manager.api.pay(first, "10000")
    waiting = []
    for who in (customer, other_customer, customer):
        number = launched(who, manager)
        manager.api.pay(number, "10000")
        waiting.append(number)
    # The middle order has waited longest (it entered the status first).
    Order.objects.filter(number=waiting[1]).update(status_since=timezone.now() - timedelta(days=3))
    assert [status(manager.api, n) for n in waiting] == ["awaiting_materials"] * 3

    assert admin.api.post("/products/BOARD-18/stock/receipts", {"location": "main", "quantity": 5}).status == 200
    drain()
    assert [status(manager.api, n) for n in waiting] == ["in_production", "in_production", "awaiting_materials"]
    assert stock("BOARD-18") == (7, 6)
    history = manager.api.get(f"/orders/{waiting[1]}/history").body[-1]
    assert (history["transition"], history["kind"], history["actor"]) == ("materials_arrived", "event", "system")
    # The customer hears production started (in Russian, the workshop's language).
    assert any("В производстве" in m["Subject"] for m in smtp.inbox.to("oscar-customer@example.org"))

    # The last unit is not enough for the third; one more arriving is.
    admin.api._send("put", "/products/BOARD-18/stock", {"location": "main", "on_hand": 8})
    drain()
    assert status(manager.api, waiting[2]) == "in_production"
    assert stock("BOARD-18") == (8, 8)


def test_an_order_waiting_for_another_material_stays_and_the_next_one_goes(workshop, customer, manager, admin, drain):
    catalog_import("sku,name,price,location,on_hand\nGLASS,Glass door,900.00,main,0\n")
    blocked = wardrobe(customer.api)
    manager.api._send(
        "put",
        f"/orders/{blocked}/items/{customer.api.get(f'/orders/{blocked}').body['items'][0]['id']}/materials",
        {"materials": [{"sku": "BOARD-18", "quantity": 1}, {"sku": "GLASS", "quantity": 1}]},
    )
    for code, who in (("submit", customer), ("approve", manager), ("launch", customer)):
        who.api.fire(blocked, code)
    manager.api.pay(blocked, "10000")
    Order.objects.filter(number=blocked).update(status_since=timezone.now() - timedelta(days=1))
    later = launched(customer, manager, boards=4)
    manager.api.pay(later, "10000")

    admin.api.post("/products/BOARD-18/stock/receipts", {"location": "main", "quantity": 2})
    drain()
    # The older order still lacks glass; the boards go to the one that can start.
    assert status(manager.api, blocked) == "awaiting_materials"
    assert status(manager.api, later) == "in_production"
    assert stock("BOARD-18") == (4, 4)


def test_cancelling_in_production_gives_the_materials_to_a_waiting_order(workshop, customer, manager, admin, drain):
    running = launched(customer, manager)
    manager.api.pay(running, "10000")
    waiting = launched(customer, manager)
    manager.api.pay(waiting, "10000")
    assert status(manager.api, waiting) == "awaiting_materials"
    assert admin.api.fire(running, "cancel").body["status"]["code"] == "cancelled"
    drain()
    assert status(manager.api, waiting) == "in_production"
    assert stock("BOARD-18") == (2, 2)
    assert Reservation.objects.filter(order__number=running, state="released").count() == 2


def test_materials_change_until_production_takes_them(workshop, customer, manager):
    number = launched(customer, manager)
    item = customer.api.get(f"/orders/{number}").body["items"][0]["id"]
    path = f"/orders/{number}/items/{item}/materials"
    assert customer.api._send("put", path, {"materials": []}).status == 403
    unknown = manager.api._send("put", path, {"materials": [{"sku": "NOPE", "quantity": 1}]})
    assert (unknown.status, unknown.body["error"]) == (422, "unknown_product")
    changed = manager.api._send("put", path, {"materials": [{"sku": "BOARD-18", "quantity": 1}]})
    assert changed.status == 200
    assert changed.body["items"][0]["materials"] == [{"sku": "BOARD-18", "name": "Oak board 18 mm", "quantity": 1}]
    manager.api.pay(number, "10000")
    taken = manager.api._send("put", path, {"materials": []})
    assert (taken.status, taken.body["error"]) == (409, "materials_taken")


def test_an_order_naming_an_unknown_material_is_refused_whole(workshop, customer):
    before = Order.objects.count()
    response = customer.api.post(
        "/orders",
        {
            "items": [
                {
                    "sku": "WR-1",
                    "name": "Wardrobe",
                    "quantity": 1,
                    "unit_price": "10000",
                    "materials": [{"sku": "UNOBTAINIUM", "quantity": 1}],
                }
            ]
        },
    )
    assert (response.status, response.body["error"]) == (422, "unknown_product")
    assert Order.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_two_orders_paid_at_once_never_both_take_the_last_boards(load_preset, make_person):
    """Both want the only 2 boards; whichever commits first starts, the other waits."""
    load_preset("furniture")
    catalog_import(CATALOG)
    manager = make_person("mia-manager", "manager")
    buyers = [make_person(f"buyer{i}", "customer") for i in range(2)]
    numbers = [launched(b, manager) for b in buyers]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def pay(number: int) -> None:
        try:
            start.wait()
            payment_record(number=number, amount=10000, actor=Actor(role="admin", id=manager.user.pk), channel="cash")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = sorted(Order.objects.filter(number__in=numbers).values_list("status", flat=True))
    assert statuses == ["awaiting_materials", "in_production"]
    assert stock("BOARD-18") == (2, 2)
