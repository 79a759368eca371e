"""A day's work in the desk, in real Chromium: editing an order's items with the catalogue picker,
the result of each action kept in view, a dangerous step asking first."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ordo.catalog.models import Product
from ordo.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_edits_an_orders_items_and_sees_the_total_change(
    load_preset, manager, customer, place, signed_in, shot
):
    load_preset("shop")
    Product.objects.create(sku="TEA-1", name="Herbata zielona", price=Decimal("12.00"))
    order = place(customer)  # A-1 × 2 at 10.00, B-2 × 1 at 5.50: 25.50
    desk = signed_in(manager)
    desk.goto(f"/desk/orders/{order.number}")
    desk.locator("#edit-items summary").click()
    editor = desk.locator("#edit-items")
    expect(editor.locator("[data-lines-total]")).to_contain_text("25.50")

    editor.locator("input[name=line_qty]").first.fill("3")  # 3 × 10.00
    expect(editor.locator("[data-lines-total]")).to_contain_text("35.50")
    editor.locator("#edit-pick").fill("herbata")
    editor.get_by_role("button", name="Herbata zielona").click()
    expect(editor.locator("[data-lines-total]")).to_contain_text("47.50")
    editor.get_by_role("button", name="Remove row 2").click()  # B-2 goes
    expect(editor.locator("[data-lines-total]")).to_contain_text("42.00")
    shot(desk, "desk-edit-items")

    with desk.expect_response(lambda r: r.url.endswith("/items")):
        editor.get_by_role("button", name="Save the items").click()
    toast = desk.locator("#toast")
    expect(toast).to_contain_text("Items saved; the total is PLN\u00a042.00")
    expect(toast).to_be_in_viewport()
    saved = Order.objects.get(pk=order.pk)
    assert saved.total == Decimal("42.00")
    assert [(i.sku, i.quantity) for i in saved.items.order_by("position")] == [("A-1", 3), ("TEA-1", 1)]
    expect(desk.locator(".timeline")).to_contain_text("TEA-1 added: 1 × 12.00")


def test_cancel_is_styled_apart_and_asks_before_it_fires(load_preset, manager, customer, place, signed_in):
    load_preset("shop")
    order = place(customer)
    desk = signed_in(manager, width=360)
    desk.goto(f"/desk/orders/{order.number}")
    cancel = desk.locator('button[data-transition="cancel"]')
    expect(cancel).to_have_class("danger")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    desk.once("dialog", dismiss)
    cancel.click()
    expect(desk.locator("#order-status")).to_have_text("New")
    assert asked == ["Cancel: are you sure?"]
    assert Order.objects.get(pk=order.pk).status == "new"


def test_manager_starts_30_orders_at_once_sees_the_3_refused_and_downloads_slips_and_a_sheet(
    load_preset, manager, customer, place, signed_in, shot
):
    load_preset("shop")
    numbers = [place(customer).number for _ in range(30)]
    for number in numbers[:3]:
        manager.api.fire(number, "start")
    desk = signed_in(manager)
    desk.goto("/desk/")  # managers land on the dashboard; the list is a click away
    expect(desk.locator("#match-count")).to_have_text("30")
    desk.get_by_label("Choose every order on this page").check()
    expect(desk.locator("[data-chosen]")).to_have_text("Chosen: 30")
    desk.locator("#bulk-action").select_option("transition:start")
    desk.get_by_role("button", name="Apply to the chosen orders").click()
    expect(desk.locator("h1")).to_have_text("Done with 27 of 30 orders")
    refused = desk.locator("#refused tbody tr")
    expect(refused).to_have_count(3)
    expect(refused.first).to_contain_text("The order has moved on")
    shot(desk, "desk-bulk-result")
    assert Order.objects.filter(status="in_progress").count() == 30

    desk.get_by_role("link", name="Back to the list").click()
    desk.get_by_label(f"Choose order {numbers[0]}").check()
    desk.get_by_label(f"Choose order {numbers[1]}").check()
    desk.locator("#bulk-action").select_option("slips")
    with desk.expect_download() as slips:
        desk.get_by_role("button", name="Apply to the chosen orders").click()
    assert slips.value.suggested_filename == "packing-slips.pdf"
    assert Path(slips.value.path()).read_bytes()[:5] == b"%PDF-"
    with desk.expect_download() as sheet:
        desk.get_by_role("link", name="XLSX", exact=True).click()
    assert sheet.value.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    with open(sheet.value.path(), "rb") as file:
        rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 31


def test_the_list_at_phone_width_shows_the_first_order_on_the_first_screen(
    load_preset, manager, customer, place, signed_in, shot
):
    load_preset("shop")
    first = [place(customer).number for _ in range(3)][-1]
    desk = signed_in(manager, width=360)
    desk.goto("/desk/")  # managers land on the dashboard; the list is a click away
    link = desk.get_by_role("link", name=str(first), exact=True)
    expect(link).to_be_in_viewport()
    shot(desk, "desk-list-phone")


def test_manager_finds_russian_and_polish_customers_and_adds_a_courier(
    load_preset, manager, customer, place, signed_in, shot
):
    from ordo.accounts.models import Customer
    from ordo.delivery.models import Courier

    load_preset("shop")
    Customer.objects.create(name="Иван Петров", phone="+7 900 123-45-67")
    Customer.objects.create(name="ANNA WIŚNIEWSKA", phone="+48 600 100 200")
    desk = signed_in(manager, language="ru", width=360)
    desk.goto("/desk/people")
    for typed, found in (
        ("иван", "Иван Петров"),
        ("wiśniewska", "ANNA WIŚNIEWSKA"),
        ("600 100 200", "ANNA WIŚNIEWSKA"),
    ):
        desk.locator("#cq").fill(typed)
        desk.locator("#cq").press("Enter")
        expect(desk.locator("#customer-table")).to_contain_text(found)
    desk.get_by_role("link", name="ANNA WIŚNIEWSKA").click()
    expect(desk.locator("h1")).to_contain_text("ANNA WIŚNIEWSKA")
    shot(desk, "desk-customer-phone-ru")

    desk.goto("/desk/couriers")
    desk.locator("#co-name").fill("Piotr Kurier")
    desk.locator("#co-phone").fill("+48 501 000 000")
    desk.get_by_role("button", name="Добавить курьера").click()
    expect(desk.locator("#courier-table")).to_contain_text("Piotr Kurier")
    expect(desk.locator("main")).to_contain_text("Курьер Piotr Kurier добавлен.")
    assert Courier.objects.filter(name="Piotr Kurier", active=True).exists()


def test_the_first_order_is_a_few_key_presses_away(load_preset, manager, customer, place, signed_in):
    load_preset("shop")
    newest = [place(customer).number for _ in range(3)][-1]
    desk = signed_in(manager)
    desk.goto("/desk/")  # managers land on the dashboard; the list is a click away
    desk.keyboard.press("Tab")  # "Skip to content"
    desk.keyboard.press("Tab")  # "Skip to the first order"
    expect(desk.locator(":focus")).to_have_text("Skip to the first order")
    desk.keyboard.press("Enter")
    expect(desk.locator(":focus")).to_have_text(str(newest))
    desk.keyboard.press("Enter")
    expect(desk.locator("h1")).to_contain_text(f"Order {newest}")


def test_a_large_workflow_diagram_zooms_and_stays_legible_on_a_phone(load_preset, manager, signed_in, shot):
    load_preset("furniture")
    desk = signed_in(manager, width=360)
    desk.goto("/desk/workflows")
    svg = desk.locator("#diagram-furniture svg")
    natural = svg.bounding_box()["width"]
    assert natural > 360  # drawn at a legible size, scrolled inside its box rather than shrunk
    desk.get_by_role("button", name="Zoom in").first.click()
    assert svg.bounding_box()["width"] > natural * 1.2
    desk.get_by_role("button", name="Fit the width").first.click()
    assert svg.bounding_box()["width"] <= 360
    shot(desk, "desk-workflow-phone")
