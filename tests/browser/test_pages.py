"""The pages in real Chromium: the stories the issue names, at desk and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ordo.delivery.links import courier_url
from ordo.delivery.models import CourierLink
from ordo.orders.models import Order
from ordo.payments.models import PaymentChannel

pytestmark = pytest.mark.django_db(transaction=True)


def press(page, code: str) -> None:
    """Click a transition button on the desk card and wait for htmx to bring the card back."""
    with page.expect_response(lambda r: "/transition" in r.url):
        page.locator(f'button[data-transition="{code}"]').click()


def test_manager_works_a_furniture_order_from_review_to_pickup_in_the_desk(
    load_preset, manager, customer, place, signed_in, shot
):
    load_preset("furniture")
    order = place(customer)
    customer.api.fire(order.number, "submit")
    for _ in range(4):
        place(customer)
    desk = signed_in(manager)
    expect(desk).to_have_url(re.compile(r"/desk/dashboard$"))  # the desk's home for managers
    desk.get_by_role("link", name="Orders", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/desk/$"))
    expect(desk.locator("#counts")).to_contain_text("Draft: 4")
    shot(desk, "desk", readme=True)

    desk.get_by_role("link", name=str(order.number), exact=True).click()
    press(desk, "approve")
    expect(desk.locator("#order-status")).to_have_text("Reviewed")
    customer.api.fire(order.number, "launch")
    desk.reload()
    desk.locator("#pay-amount").fill(str(Order.objects.get(pk=order.pk).total))
    desk.locator("#pay-channel").select_option("cash")
    desk.get_by_role("button", name="Record the payment").click()
    expect(desk.locator("#order-status")).to_have_text("In production")
    expect(desk.locator("#payment-status")).to_have_text("Paid")
    desk.locator("#note-text").fill("Oak veneer, as agreed by phone")
    desk.get_by_role("button", name="Add the note").click()
    expect(desk.locator(".timeline")).to_contain_text("Oak veneer, as agreed by phone")
    press(desk, "finish")
    press(desk, "pass")
    expect(desk.locator("#order-status")).to_have_text("Ready for pickup")
    shot(desk, "order-card", readme=True)
    desk.once("dialog", lambda dialog: dialog.accept())  # handing over ends the order: confirm
    press(desk, "hand_over")
    expect(desk.locator("#order-status")).to_have_text("Issued")
    assert Order.objects.get(pk=order.pk).status == "issued"


def test_customer_submits_launches_and_pays_in_the_portal(
    load_preset, manager, customer, place, signed_in, shot, fund_wallet
):
    load_preset("furniture")
    PaymentChannel.objects.create(code="wallet", gateway="wallet", labels={"en": "Wallet", "ru": "Кошелёк"})
    fund_wallet(customer.customer, "500.00", "RUB")
    order = place(customer)
    portal = signed_in(customer)
    portal.get_by_role("link", name=f"№ {order.number}").click()
    portal.get_by_role("button", name="Submit").click()
    expect(portal.locator("#order-status")).to_have_text("Under review")
    manager.api.fire(order.number, "approve")
    portal.reload()
    portal.get_by_role("button", name="Launch production").click()
    expect(portal.locator("#order-status")).to_have_text("Awaiting payment")
    portal.locator("#channel").select_option("wallet")
    portal.get_by_role("button", name="Pay", exact=True).click()
    expect(portal.locator("#payment-status")).to_have_text("Paid")
    expect(portal.locator("#order-status")).to_have_text("In production")
    shot(portal, "portal", readme=True)
    portal.get_by_role("link", name="Wallet").click()
    expect(portal.locator("#balance-RUB")).to_contain_text("474.50")


def test_guest_opens_the_tracking_link_of_an_smm_order_and_sees_item_statuses(
    load_preset, customer, manager, place, page_for, shot
):
    load_preset("smm")
    order = place(
        customer,
        items=[
            {"sku": "F", "name": "Followers", "quantity": 100, "unit_price": "0.10", "target": "@cora_shop"},
            {"sku": "L", "name": "Likes", "quantity": 50, "unit_price": "0.20", "target": "https://x.test/p/1"},
        ],
    )
    manager.api.pay(order.number, manager.api.total(order.number))
    page = page_for("fi", width=360, height=740)
    page.goto(f"/track/{order.tracking_token}")
    expect(page.locator("h1")).to_have_text(f"Tilaus {order.number}")
    expect(page.locator(".item-status")).to_have_count(2)
    expect(page.locator(".item").first).to_contain_text("@cora_shop")
    assert "cora-customer" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "tracking-phone")


def test_an_orders_items_with_long_post_links_fit_a_phone_in_the_desk_and_the_portal(
    load_preset, customer, manager, place, signed_in, shot
):
    """A stacked table's cell holds several pieces (a name, a SKU, a post's link, a status with its
    buttons): they flow beside the cell's label and a long link wraps, rather than the table
    growing wider than the phone and its prices and buttons being cut off at the edge."""
    load_preset("smm")
    link = "https://example.org/a-rather-long/path/to/the-customers-post/1234567890"
    order = place(
        customer,
        items=[
            {"sku": "VIEWS-10K", "name": "10 000 video views", "quantity": 1, "unit_price": "9.90", "target": link},
            {"sku": "FOLLOW-1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00", "target": link},
        ],
    )
    cut_off = """() => Array.from(document.querySelectorAll('table.stack td'))
        .filter(cell => cell.getBoundingClientRect().right > window.innerWidth + 1).length"""
    for person, path, name in (
        (manager, f"/desk/orders/{order.number}", "desk-card-items-fi-360"),
        (customer, f"/orders/{order.number}", "portal-order-items-fi-360"),
    ):
        page = signed_in(person, "fi", width=360)
        page.goto(path)
        expect(page.locator("table.stack").first).to_contain_text("12,00")
        assert page.evaluate(cut_off) == 0, f"{path}: cells run past the phone's edge"
        shot(page, name)


def test_courier_marks_an_order_delivered_from_the_link_on_a_phone(
    load_preset, manager, customer, place, page_for, shot
):
    load_preset("shop")
    from ordo.delivery.models import Courier

    courier = Courier.objects.create(name="Piotr", email="piotr@example.org", phone="+48 600 000 000", language="pl")
    order = place(customer, delivery_address="ul. Długa 1, Gdańsk")
    manager.api.pay(order.number, manager.api.total(order.number))
    for code in ("start", "ship"):
        manager.api.fire(order.number, code)
    manager.api.patch(f"/orders/{order.number}", {"courier": courier.pk})
    link = CourierLink.objects.filter(order=order).latest("id")
    page = page_for("pl", width=360, height=740)
    page.goto(courier_url(link.pk).split("127.0.0.1:8000", 1)[-1])
    expect(page.locator("main")).to_contain_text("ul. Długa 1, Gdańsk")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "courier-phone")
    page.locator("form button[type=submit]").first.click()
    confirm = page.locator("form:has(input[name=confirmed]) button[type=submit]")
    expect(confirm).to_be_visible()  # seed 002: one more tap before it counts
    assert Order.objects.get(pk=order.pk).status == "shipped"
    confirm.click()
    expect(page.locator("[role=status]")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == "delivered"


def _english_phrases(language: str) -> set[str]:
    """The English strings the language's catalogue says differently (the pages' own words)."""
    po = Path(__file__).resolve().parents[2] / f"src/ordo/locale/{language}/LC_MESSAGES/django.po"
    found = set()
    for ident, translated in re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', po.read_text(), re.M):
        text = "".join(re.findall(r'"(.*)"', ident)).replace('\\"', '"')
        if len(text) > 3 and "%(" not in text and text != "".join(re.findall(r'"(.*)"', translated)):
            found.add(text)
    return found


@pytest.mark.parametrize("language", ["ru", "pl", "fi"])
def test_desk_and_portal_show_no_english_leftovers(language, load_preset, manager, customer, place, signed_in):
    load_preset("furniture")
    order = place(customer)
    customer.api.fire(order.number, "submit")
    english = _english_phrases(language) | {
        "Draft",
        "Under review",
        "Approve",
        "Cancel",
        "Return for changes",
        "Unpaid",
    }
    pages = []
    desk = signed_in(manager, language)
    for path in ("/desk/", f"/desk/orders/{order.number}", "/desk/orders/new", "/desk/workflows", "/desk/timers"):
        desk.goto(path)
        desk.wait_for_load_state("networkidle")
        pages.append((path, desk.inner_text("body")))
    portal = signed_in(customer, language)
    for path in ("/", f"/orders/{order.number}", "/wallet", "/alerts"):
        portal.goto(path)
        pages.append((path, portal.inner_text("body")))
    leftovers = []
    for path, text in pages:
        lines = {line.strip() for line in text.splitlines() if line.strip()}
        pieces = {piece.strip(" :·—→") for line in lines for piece in re.split(r"[·:|]| — ", line)}
        for phrase in sorted(english & (lines | pieces)):
            leftovers.append(f"{path}: {phrase!r}")
    assert not leftovers, "\n".join(leftovers)


#: Every form control a person can reach must be named: by a <label for>, a wrapping <label>, or aria-label.
UNNAMED_CONTROLS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => el.offsetParent !== null || el.closest('details'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))"""


def test_every_page_fits_a_phone_and_names_its_controls(load_preset, manager, customer, place, signed_in):
    load_preset("furniture")
    order = place(customer)
    customer.api.fire(order.number, "submit")
    problems = []

    def check(page, paths):
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                problems.append(f"{path}: {width} px wide at 360")
            problems.extend(f"{path}: unnamed {html}" for html in page.evaluate(UNNAMED_CONTROLS))

    desk_paths = ("/desk/", f"/desk/orders/{order.number}", "/desk/orders/new", "/desk/workflows", "/desk/timers")
    check(signed_in(manager, width=360), desk_paths)
    check(signed_in(customer, width=360), ("/", f"/orders/{order.number}", "/wallet", "/alerts"))
    assert not problems, "\n".join(problems)
