"""The dashboard on a phone in Finnish: the figures, a chart with its numbers as a table beside it
(opened and read), and where orders wait drawn on the workflow, at desk width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages import UNNAMED_CONTROLS
from tests.conftest import sell

pytestmark = pytest.mark.django_db(transaction=True)
MUG = [{"sku": "MUG", "name": "Kubek", "quantity": 2, "unit_price": "39.00"}]


@pytest.fixture
def shop(load_preset, manager):
    load_preset("shop")
    sell(MUG)
    numbers = []
    for n in range(4):
        body = {
            "items": MUG,
            "payment_channel": "cash",
            "customer": {"name": f"Asiakas {n}", "email": f"a{n}@example.org"},
        }
        numbers.append(manager.api.post("/orders", body).body["number"])
    for number in numbers[:2]:
        manager.api.pay(number, "78.00")
        manager.api.fire(number, "start")
    manager.api.fire(numbers[0], "ship")
    return numbers


def test_the_dashboard_reads_on_a_phone_in_finnish(shop, manager, signed_in, shot):
    page = signed_in(manager, "fi", width=360)
    page.goto("/desk/dashboard")
    expect(page.locator("h1")).to_have_text("Kojelauta")
    chart = page.locator("svg.chart").first
    expect(chart).to_have_attribute("role", "img")
    assert chart.get_attribute("aria-label") == "Tilaukset päivittäin"
    page.locator("#per-day summary").click()
    last = page.locator("#per-day tbody tr").last
    expect(last.locator("td").nth(1)).to_have_text("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(UNNAMED_CONTROLS) == []
    shot(page, "dashboard-phone-fi")


def test_where_orders_wait_is_drawn_on_the_workflow(shop, manager, signed_in, shot):
    page = signed_in(manager, "en", width=1366)
    page.goto("/desk/dashboard")
    shot(page, "dashboard", readme=True)
    page.goto("/desk/waits?workflow=shop")
    expect(page.locator(".diagram svg")).to_be_visible()
    expect(page.locator(".diagram svg")).to_contain_text("2 stays")
    expect(page.locator("table.stack tbody tr").first).to_contain_text("Start: 2")
    shot(page, "waits", readme=True)


def test_the_sales_register_fits_a_phone_in_polish(shop, manager, signed_in, shot):
    number = shop[0]
    assert manager.api.post(f"/orders/{number}/documents", {"kind": "invoice"}).status == 201
    page = signed_in(manager, "pl", width=360)
    page.goto("/desk/register")
    expect(page.locator("h1")).to_have_text("Rejestr sprzedaży")
    expect(page.locator("table.register tbody tr")).to_have_count(1)
    expect(page.locator("table.register")).to_contain_text("INV-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(UNNAMED_CONTROLS) == []
    shot(page, "register-phone-pl")
