"""The portal's shop in real Chromium on a phone: a guest finds a product, fills the cart and checks
out, in Russian and in Finnish; every page fits 360 px and names its controls."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ordo.catalog.services import product_create, stock_set
from ordo.orders.models import Order
from tests.browser.test_pages import UNNAMED_CONTROLS

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "ru": {"add": "В корзину", "checkout": "Оформить заказ", "place": "Оформить", "thanks": "Спасибо!"},
    "fi": {"add": "Lisää ostoskoriin", "checkout": "Siirry kassalle", "place": "Tee tilaus", "thanks": "Kiitos!"},
}


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    for sku, name, price, units in (
        ("MUG-01", "Kubek ceramiczny", "39.00", 5),
        ("TEA-200", "Herbata zielona 200 g", "54.50", 3),
        ("MUG-02", "Kubek termiczny", "89.00", 0),
    ):
        product_create(sku=sku, name=name, price=Decimal(price), category="Kubki" if "MUG" in sku else "Herbata")
        stock_set(sku=sku, location="main", on_hand=units)


@pytest.mark.parametrize("language", ["ru", "fi"])
def test_a_guest_buys_in_the_shop_on_a_phone(language, shop, page_for, shot):
    page = page_for(language, width=360, height=740)
    problems = []

    def fits(where: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{where}: {width} px wide at 360")
        problems.extend(f"{where}: unnamed {html}" for html in page.evaluate(UNNAMED_CONTROLS))

    page.goto("/shop")
    fits("shop")
    shot(page, f"shop-phone-{language}")
    page.locator("#q").fill("kubek")
    page.locator("form[role=search] button[type=submit]").click()
    product = page.locator("li.product", has_text="Kubek ceramiczny")
    expect(product).to_be_visible()
    expect(page.locator("li.product", has_text="Kubek termiczny").locator(".stock.badge")).to_be_visible()
    product.locator("input[name=quantity]").fill("2")
    product.get_by_role("button", name=WORDS[language]["add"]).click()
    expect(page.locator("p.ok")).to_be_visible()

    page.goto("/shop/cart")
    fits("cart")
    expect(page.locator("main")).to_contain_text("78,00")
    page.get_by_role("link", name=WORDS[language]["checkout"]).click()
    fits("checkout")
    page.locator("#id_name").fill("Aino Virtanen")
    page.locator("#id_email").fill("aino@example.org")
    page.locator("input[name=shipping][value=courier]").check()
    page.locator("#id_address").fill("Mannerheimintie 1, Helsinki")
    page.locator("input[name=channel][value=cash]").check()
    shot(page, f"checkout-phone-{language}")
    page.get_by_role("button", name=WORDS[language]["place"]).click()

    expect(page.locator("main")).to_contain_text(WORDS[language]["thanks"])
    fits("tracking")
    shot(page, f"placed-phone-{language}")
    order = Order.objects.get()
    assert page.url.endswith(f"/track/{order.tracking_token}")
    assert (order.delivery_address, order.total) == ("Mannerheimintie 1, Helsinki", Decimal("78.00"))
    assert not problems, "\n".join(problems)


def test_the_checkout_says_what_is_missing_beside_the_field(shop, page_for):
    page = page_for("fi", width=360, height=740)
    page.goto("/shop")
    page.locator("li.product", has_text="Kubek ceramiczny").locator("button[type=submit]").click()
    page.goto("/shop/checkout")
    page.locator("#id_name").fill("Aino")
    page.locator("#id_email").fill("aino@example.org")
    page.locator("input[name=shipping][value=courier]").check()
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("p.error[role=alert]")).to_contain_text("Anna toimitusosoite.")
    error = page.locator("p.error[role=alert]").bounding_box()
    assert error is not None
    assert error["x"] >= 0
    assert error["x"] + error["width"] <= 360
    assert not Order.objects.exists()


def test_an_autoparts_customer_checks_out_with_a_pickup_point_date_and_service(
    load_preset, customer, manager, signed_in, shot
):
    load_preset("autoparts")
    for sku, name, price, units in (
        ("OC-90", "Фильтр масляный OC 90", "640.00", 10),
        ("SVC-FIT", "Установка на СТО партнёра", "1500.00", None),
    ):
        product_create(sku=sku, name=name, price=Decimal(price), category="Фильтры")
        if units is not None:
            stock_set(sku=sku, location="main", on_hand=units)
    from ordo.catalog.models import Product

    Product.objects.exclude(sku__in=["OC-90", "SVC-FIT"]).update(active=False)  # the fixtures' own goods
    page = signed_in(customer, "ru", width=1366)
    page.goto("/shop")
    shot(page, "shop", readme=True)
    page.locator("li.product", has_text="Фильтр масляный").locator("button[type=submit]").click()
    page.goto("/shop/checkout")
    page.locator("input[name=shipping][value=pickup]").check()
    expect(page.locator("#id_address")).to_be_hidden()
    page.locator("#id_place").select_option("north")
    page.locator("#id_planned_date").fill("2030-01-15")
    page.locator("input[name=services][value=SVC-FIT]").check()
    shot(page, "checkout", readme=True)
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Северный склад")
    order = Order.objects.get()
    assert order.checkout == {"shipping": "pickup", "place": "north", "planned_date": "2030-01-15"}
    assert order.total == Decimal("2140.00")
