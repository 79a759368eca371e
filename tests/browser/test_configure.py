"""An admin configures the business in real Chromium: the workflow editor in Polish (a status and
a step added, the diagram redrawn, published, the new step fired on an order), the settings page
and a template's preview at 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ordo.orders.models import Order, Workflow

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_adds_a_status_and_a_step_in_polish_publishes_and_fires_it(
    load_preset, admin, manager, customer, place, signed_in, shot
):
    load_preset("shop")
    order = place(customer)
    desk = signed_in(admin, "pl", width=1366)
    desk.goto("/desk/workflows")
    desk.locator('a[href="/desk/workflows/shop/edit"]').click()
    expect(desk.locator("#problems")).to_contain_text("Brak problemów")
    diagram = desk.locator("#diagram-draft")
    expect(diagram).not_to_contain_text("Wstrzymane")

    statuses = desk.locator("#statuses")
    new_row = statuses.locator("tr.new-row")
    new_row.locator("input.code").fill("on_hold")
    new_row.locator('input[name$="-label-en"]').fill("On hold")
    new_row.locator('input[name$="-label-pl"]').fill("Wstrzymane")
    statuses.get_by_role("button", name="Zapisz statusy").click()
    expect(desk.locator("#problems")).to_contain_text("on_hold")  # nothing leads there yet
    expect(desk.locator("#diagram-draft")).to_contain_text("Wstrzymane")

    for code, english, polish, source, target in (
        ("hold", "Put on hold", "Wstrzymaj", "new", "on_hold"),
        ("resume", "Resume", "Wznów", "on_hold", "new"),
    ):
        desk.locator("#transition-add summary").click()
        adding = desk.locator("#transition-add")
        adding.locator('input[name="code"]').fill(code)
        adding.locator('input[name="transition-label-en"]').fill(english)
        adding.locator('input[name="transition-label-pl"]').fill(polish)
        adding.locator(f'input[name="from"][value="{source}"]').check()
        adding.locator('select[name="to"]').select_option(target)
        adding.locator('input[name="roles"][value="manager"]').check()
        adding.get_by_role("button", name="Dodaj krok").click()
        expect(desk.locator("#diagram-draft")).to_contain_text(polish)
    expect(desk.locator("#problems")).to_contain_text("Brak problemów")
    shot(desk, "desk-workflow-editor-pl")

    publish = desk.locator("#publish")
    publish.locator('input[name="note"]').fill("Wstrzymanie zamówień")
    publish.locator('input[name="move"]').check()
    publish.get_by_role("button", name="Opublikuj jako następną wersję").click()
    expect(desk).to_have_url(f"{desk.url.split('/desk/')[0]}/desk/workflows/shop/versions")
    expect(desk.locator("main")).to_contain_text("Wstrzymanie zamówień")
    assert Workflow.objects.get(code="shop", current=True).version == 2

    clerk = signed_in(manager, "pl")
    clerk.goto(f"/desk/orders/{order.number}")
    clerk.locator('button[data-transition="hold"]').click()
    expect(clerk.locator("#toast")).to_contain_text("Wstrzymane")
    assert Order.objects.get(pk=order.pk).status == "on_hold"


def test_settings_and_a_template_preview_fit_a_phone(load_preset, admin, customer, place, signed_in, shot):
    load_preset("shop")
    order = place(customer)
    desk = signed_in(admin, "fi", width=360)
    desk.goto("/desk/settings")
    desk.locator("#s-name").fill("Kauppa Oy")
    desk.locator("#s-courier_link_days").fill("0")
    desk.get_by_role("button", name="Tallenna asetukset").click()
    error = desk.locator(".field.invalid .error")
    expect(error).to_be_visible()
    expect(error).to_be_in_viewport()
    shot(desk, "desk-settings-fi-360")
    desk.locator("#s-courier_link_days").fill("5")
    desk.get_by_role("button", name="Tallenna asetukset").click()
    expect(desk.locator("main")).to_contain_text("Asetukset tallennettu")
    expect(desk.locator("main")).to_contain_text("Kauppa Oy")

    desk.goto("/desk/templates/edit?event=status_changed&recipient=customer&channel=email&language=fi")
    desk.locator("#t-body").fill("Hei!\n\nTilaus {{ number }}: {{ status }} ({{ shop }}).")
    desk.locator("#t-order").fill(str(order.number))
    desk.get_by_role("button", name="Esikatselu").click()
    preview = desk.locator("pre.preview-text")
    expect(preview).to_contain_text(f"Tilaus {order.number}: Uusi (Kauppa Oy).")
    box = preview.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360 + 1, "the preview fits the phone's width"
    shot(desk, "desk-template-preview-fi-360")
