"""The desk's list acting on many orders, and exporting them as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from ordo.orders.models import Order
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_orders(load_preset, customer, place):
    load_preset("shop")
    customer.customer.name = "Иван Петров"
    customer.customer.save()
    return [place(customer).number for _ in range(5)]


def test_the_list_has_a_checkbox_per_order_and_the_bulk_bar(shop_orders, manager, browser_of):
    page = browser_of(manager).get("/desk/").content.decode()
    for number in shop_orders:
        assert f'name="number" value="{number}"' in page
    assert 'value="transition:start"' in page
    assert 'value="export:orders:xlsx"' in page


def test_bulk_transition_answers_what_was_done_and_why_each_refusal(shop_orders, manager, browser_of):
    manager.api.fire(shop_orders[0], "start")
    response = browser_of(manager).post("/desk/bulk", {"number": shop_orders, "action": "transition:start"})
    text = text_of(response)
    assert "Done with 4 of 5 orders" in text
    assert "Refused: 1 order" in text
    assert "The order has moved on" in text
    assert set(Order.objects.values_list("status", flat=True)) == {"in_progress"}


def test_all_matching_the_filters_takes_the_filtered_orders_only(shop_orders, manager, browser_of):
    manager.api.fire(shop_orders[0], "start")
    browser_of(manager).post("/desk/bulk", {"all_matching": "1", "query": "status=new", "action": "transition:cancel"})
    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses[shop_orders[0]] == "in_progress"
    assert {statuses[n] for n in shop_orders[1:]} == {"cancelled"}


def test_more_than_the_limit_is_refused_with_the_reason(shop_orders, manager, browser_of, monkeypatch):
    from ordo.orders import bulk

    monkeypatch.setattr(bulk, "MAX_ORDERS", 3)
    desk = browser_of(manager)
    response = desk.post("/desk/bulk", {"all_matching": "1", "query": "", "action": "transition:start"}, follow=True)
    assert "Choose from 1 to 1,000 orders for one action." in text_of(response)
    assert set(Order.objects.values_list("status", flat=True)) == {"new"}


def test_bulk_assign_sets_the_chosen_manager_and_keeps_the_rest(shop_orders, manager, admin, browser_of):
    browser_of(admin).post(
        "/desk/bulk", {"number": shop_orders[:2], "action": "assign", "manager": str(manager.user.pk), "courier": ""}
    )
    managers = dict(Order.objects.values_list("number", "manager_id"))
    assert [managers[n] for n in shop_orders[:2]] == [manager.user.pk] * 2
    assert managers[shop_orders[2]] is None


def test_export_streams_the_filtered_orders_as_csv_with_labels(shop_orders, manager, browser_of):
    response = browser_of(manager).get("/desk/export", {"format": "csv", "q": "иван"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="ordo-orders-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Order", "External number", "Placed", "Status"]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(shop_orders)
    assert {r[3] for r in rows[1:]} == {"New"}
    assert {r[7] for r in rows[1:]} == {"Иван Петров"}
    assert {r[15] for r in rows[1:]} == {"25.50"}


def test_export_as_xlsx_with_items_as_rows_opens_in_a_spreadsheet(shop_orders, manager, browser_of):
    from openpyxl import load_workbook

    response = browser_of(manager, "ru").get("/desk/export", {"format": "xlsx", "rows": "items"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Заказ"
    assert len(rows) == 1 + 2 * len(shop_orders)
    first = rows[1]
    assert (first[4], first[6], Decimal(str(first[8]))) == ("A-1", 2, Decimal("20"))


def test_the_chosen_orders_export_from_the_bulk_bar(shop_orders, manager, browser_of):
    response = browser_of(manager).post("/desk/bulk", {"number": shop_orders[:2], "action": "export:orders:csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(shop_orders[:2])


def test_a_contractor_may_not_export(shop_orders, make_person, browser_of):
    contractor = make_person("carl-contractor", "contractor")
    response = browser_of(contractor).get("/desk/export", {"format": "csv"}, follow=True)
    assert not isinstance(response, StreamingHttpResponse)
    assert "may not" in text_of(response) or "Only" in text_of(response)
