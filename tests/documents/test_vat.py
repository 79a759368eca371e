"""VAT on every line: the rate in force when the order was placed stays with it, products carry
their class, and the API and the invoice (read back with pdftotext) show net, tax per rate, gross."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordo.catalog.models import Product
from ordo.catalog.services import product_create
from ordo.orders.models import OrderItem
from ordo.taxes.models import TaxRate
from tests.documents.test_documents import pdf, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    product_create(sku="MUG-01", name="Kubek", price=Decimal("123.00"))
    product_create(sku="TEA-200", name="Herbata", price=Decimal("54.00"))
    Product.objects.filter(sku="TEA-200").update(tax_class="reduced")


def test_a_polish_consumer_order_carries_23_and_8_percent(shop, manager):
    lines = [
        {"sku": "MUG-01", "name": "Kubek", "quantity": 1, "unit_price": "123.00"},
        {"sku": "TEA-200", "name": "Herbata", "quantity": 2, "unit_price": "54.00"},
    ]
    body = manager.api.post("/orders", {"items": lines, "customer": {"name": "Jan", "email": "jan@example.org"}}).body
    taxes = body["taxes"]
    assert taxes["rounding"] == "per_line"
    assert taxes["rates"] == [
        {"rate": "23.00", "net": "100.00", "tax": "23.00", "gross": "123.00"},
        {"rate": "8.00", "net": "100.00", "tax": "8.00", "gross": "108.00"},
    ]
    assert (taxes["net"], taxes["tax"]) == ("200.00", "31.00")
    assert body["totals"]["total"] == "231.00"


def test_a_discount_is_spread_over_the_lines_before_tax(shop, manager):
    lines = [{"sku": "MUG-01", "name": "Kubek", "quantity": 1, "unit_price": "123.00"}]
    number = manager.api.post(
        "/orders", {"items": lines, "customer": {"name": "Jan", "email": "jan@example.org"}}
    ).body["number"]
    body = manager.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "amount", "value": "23.00"}).body
    order = body.get("order", body)
    assert order["taxes"]["rates"] == [{"rate": "23.00", "net": "81.30", "tax": "18.70", "gross": "100.00"}]


def test_a_new_rate_applies_from_its_day_and_older_orders_keep_theirs(load_preset, manager, time_machine):
    time_machine.move_to(datetime(2025, 12, 31, 12, tzinfo=UTC), tick=False)
    load_preset("furniture")
    item = [{"sku": "PANEL", "name": "Панель", "quantity": 1, "unit_price": "1200.00"}]
    body = {"items": item, "customer": {"name": "ООО Ромашка", "email": "roma@example.org"}}
    old = manager.api.post("/orders", body).body
    time_machine.move_to(datetime(2026, 1, 2, 12, tzinfo=UTC), tick=False)
    new = manager.api.post("/orders", body).body
    assert old["taxes"]["rates"][0]["rate"] == "20.00"
    assert new["taxes"]["rates"][0]["rate"] == "22.00"
    assert new["taxes"]["rates"][0]["tax"] == "216.39"  # 1200 × 22 / 122
    # Read again later: the older order still carries 20 %.
    assert manager.api.get(f"/orders/{old['number']}").body["taxes"]["rates"][0]["tax"] == "200.00"
    assert TaxRate.objects.filter(country="RU", tax_class="standard").count() == 2


def test_finland_rounds_once_per_rate(load_preset, manager):
    load_preset("smm")
    lines = [{"sku": f"S-{n}", "name": "Palvelu", "quantity": 1, "unit_price": "0.99"} for n in range(3)]
    body = manager.api.post("/orders", {"items": lines, "customer": {"name": "Aino", "email": "aino@example.org"}}).body
    assert body["taxes"]["rounding"] == "per_rate"
    assert body["taxes"]["rates"] == [{"rate": "25.50", "net": "2.37", "tax": "0.60", "gross": "2.97"}]
    assert OrderItem.objects.filter(order__number=body["number"]).first().tax_rate == Decimal("25.50")


def test_the_invoice_shows_net_tax_per_rate_and_gross(shop, manager, settings):
    settings.ORDO_BUSINESS_NAME = "Sklep Długa"
    settings.ORDO_BUSINESS_TAX_ID = "PL5260001246"
    lines = [
        {"sku": "MUG-01", "name": "Kubek", "quantity": 1, "unit_price": "123.00"},
        {"sku": "TEA-200", "name": "Herbata", "quantity": 2, "unit_price": "54.00"},
    ]
    number = manager.api.post(
        "/orders", {"items": lines, "customer": {"name": "Jan", "email": "jan@example.org"}}
    ).body["number"]
    document = manager.api.post(f"/orders/{number}/documents", {"kind": "invoice", "language": "pl"}).body
    text = text_of(pdf(manager.api, document)).replace(" %", "%")
    assert "Stawka VAT Netto VAT Brutto" in text
    assert "23% 100,00 23,00 123,00" in text
    assert "8% 100,00 8,00 108,00" in text
    assert "Razem VAT 31,00" in text
    assert "PL5260001246" in text


def _invoiced_furniture(manager, load_preset):
    load_preset("furniture")
    items = [
        {"sku": "PANEL", "name": "Панель", "quantity": 1, "unit_price": "1220.00"},
        {"sku": "EDGE", "name": "Кромка", "quantity": 2, "unit_price": "61.00"},
    ]
    body = manager.api.post(
        "/orders",
        {"items": items, "payment_channel": "cash", "customer": {"name": "ООО Ромашка", "email": "r@example.org"}},
    ).body
    number = body["number"]
    assert manager.api.pay(number, "1342.00", channel="cash").status == 201
    invoice = manager.api.post(f"/orders/{number}/documents", {"kind": "invoice"}).body
    return number, body, invoice


def test_a_russian_order_invoiced_partly_refunded_and_corrected(load_preset, manager):
    from ordo.documents.models import Document
    from ordo.jobs.runner import run_due

    number, body, _ = _invoiced_furniture(manager, load_preset)
    edge = next(i for i in body["items"] if i["sku"] == "EDGE")
    refund = manager.api.post(f"/orders/{number}/refunds", {"destination": "processor", "items": [edge["id"]]})
    assert refund.status == 201, refund.body
    run_due(worker="test")
    correction = Document.objects.get(kind="correction")
    original = Document.objects.get(kind="invoice")
    assert correction.corrects_id == original.pk
    assert correction.number.startswith("COR-")
    assert (correction.gross, correction.tax) == (Decimal("-122.00"), Decimal("-22.00"))
    assert correction.taxes == [{"rate": "22.00", "net": "-100.00", "tax": "-22.00", "gross": "-122.00"}]
    text = text_of(bytes(correction.pdf))
    assert f"Корректирует счёт {original.number}" in text
    assert "Кромка" in text
    assert "−122,00" in text or "-122,00" in text
    assert "Сумма прописью" in text
    run_due(worker="test")
    assert Document.objects.filter(kind="correction").count() == 1, "once per refund"


def test_a_full_refund_s_correction_zeroes_the_invoice(load_preset, manager):
    from ordo.documents.models import Document
    from ordo.jobs.runner import run_due

    number, _, _ = _invoiced_furniture(manager, load_preset)
    manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"})
    run_due(worker="test")
    original = Document.objects.get(kind="invoice")
    correction = Document.objects.get(kind="correction")
    assert original.gross + correction.gross == 0
    assert original.tax + correction.tax == 0
    assert original.net + correction.net == 0
    for issued, corrected in zip(original.taxes, correction.taxes, strict=True):
        assert Decimal(issued["tax"]) + Decimal(corrected["tax"]) == 0
        assert Decimal(issued["gross"]) + Decimal(corrected["gross"]) == 0


def test_no_invoice_no_correction(load_preset, manager):
    from ordo.documents.models import Document
    from ordo.jobs.runner import run_due

    load_preset("shop")
    product_create(sku="MUG-01", name="Kubek", price=Decimal("123.00"))
    lines = [{"sku": "MUG-01", "name": "Kubek", "quantity": 1, "unit_price": "123.00"}]
    body = {"items": lines, "payment_channel": "cash", "customer": {"name": "Jan", "email": "jan@example.org"}}
    number = manager.api.post("/orders", body).body["number"]
    manager.api.pay(number, "123.00", channel="cash")
    manager.api.post(f"/orders/{number}/refunds", {"destination": "processor"})
    run_due(worker="test")
    assert not Document.objects.filter(kind="correction").exists()


def test_the_invoice_states_the_sale_date_and_the_amount_in_words(load_preset, manager):
    from ordo.documents.models import Document

    _invoiced_furniture(manager, load_preset)
    text = text_of(bytes(Document.objects.get(kind="invoice").pdf))
    assert "Дата отгрузки" in text
    assert "одна тысяча триста сорок два рубля" in text


def test_the_sales_register_lists_invoices_and_corrections_per_rate(load_preset, manager, make_person):
    from ordo.jobs.runner import run_due

    number, body, invoice = _invoiced_furniture(manager, load_preset)
    edge = next(i for i in body["items"] if i["sku"] == "EDGE")
    manager.api.post(f"/orders/{number}/refunds", {"destination": "processor", "items": [edge["id"]]})
    run_due(worker="test")
    rows = manager.api.get("/reports/sales-register").body
    assert [(r["kind"], r["gross"], r["tax"]) for r in rows] == [
        ("invoice", "1342.00", "242.00"),
        ("correction", "-122.00", "-22.00"),
    ]
    assert rows[1]["corrects"] == invoice["number"]
    assert rows[0]["rates"] == [{"rate": "22.00", "net": "1100.00", "tax": "242.00"}]
    csv = manager.api.get("/reports/sales-register", format="csv").body.lstrip("\ufeff").splitlines()
    assert csv[0].startswith("Number,Kind,Issued,Corrects,Order,Buyer,Buyer's tax ID,Net 22 %,VAT 22 %,Net,VAT,Gross")
    assert csv[2].split(",")[7:12] == ["-100.00", "-22.00", "-100.00", "-22.00", "-122.00"]
    xlsx = manager.api.client.get("/api/v1/reports/sales-register", {"format": "xlsx"}, headers=manager.api.headers)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"  # a zip: the workbook
    from django.test import Client

    desk = Client(HTTP_ACCEPT_LANGUAGE="ru")
    desk.force_login(manager.user)
    page = desk.get("/desk/register").content.decode()
    assert invoice["number"] in page
    assert "Корректировочный счёт" in page or "Correcting invoice" in page
    contractor = make_person("carl-contractor", "contractor")
    assert contractor.api.get("/reports/sales-register").status == 403


def test_a_free_line_chooses_its_class_and_an_unknown_class_is_refused(load_preset, manager):
    load_preset("furniture")
    body = {"customer": {"name": "ООО Ромашка", "email": "r@example.org"}}
    lines = [{"sku": "BOOK", "name": "Каталог", "quantity": 1, "unit_price": "110.00", "tax_class": "reduced"}]
    placed = manager.api.post("/orders", {**body, "items": lines})
    assert placed.status == 201, placed.body
    assert placed.body["items"][0]["tax_rate"] == "10.00"
    wrong = manager.api.post("/orders", {**body, "items": [{**lines[0], "tax_class": "luxury"}]})
    assert (wrong.status, wrong.body["error"]) == (422, "invalid_items")
    assert "luxury" in wrong.body["detail"]


def test_a_finnish_b2b_order_is_net_with_vat_on_top_and_the_buyers_vat_id(load_preset, manager):
    from ordo.accounts.models import Customer

    load_preset("smm")
    agency = Customer.objects.create(
        name="Mainostoimisto Oy", kind="organization", email="lasku@mainos.fi", tax_id="FI12345678", language="fi"
    )
    lines = [
        {
            "sku": "FOLLOW-1K",
            "name": "1000 seuraajaa",
            "quantity": 1,
            "unit_price": "100.00",
            "target": "https://x.fi/a",
        },
        {"sku": "LIKES-500", "name": "500 tykkäystä", "quantity": 1, "unit_price": "50.00", "target": "https://x.fi/b"},
    ]
    body = manager.api.post("/orders", {"type": "business", "customer": agency.pk, "items": lines}).body
    assert body["totals"]["subtotal"] == "150.00"
    assert body["totals"]["total"] == "188.25"  # 150.00 + 25.5 % on top
    assert body["taxes"]["rates"] == [{"rate": "25.50", "net": "150.00", "tax": "38.25", "gross": "188.25"}]
    assert (body["taxes"]["net"], body["taxes"]["tax"]) == ("150.00", "38.25")
    # A discount lowers the net, and the VAT on top with it.
    after = manager.api.post(
        f"/orders/{body['number']}/discounts", {"name": "Kampanja", "kind": "amount", "value": "50.00"}
    ).body
    order = after.get("order", after)
    assert order["totals"]["total"] == "125.50"
    assert manager.api.pay(body["number"], "125.50", channel="paypal").body["order"]["payment_status"] == "paid"
    document = manager.api.post(f"/orders/{body['number']}/documents", {"kind": "invoice"}).body
    text = text_of(pdf(manager.api, document)).replace(" %", "%")
    assert "FI12345678" in text
    assert "25,5% 100,00 25,50 125,50" in text
    assert "Lasku" in text


def test_a_rate_an_admin_adds_applies_at_once(load_preset, manager, time_machine):
    from datetime import date

    time_machine.move_to(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False)
    load_preset("shop")
    product_create(sku="MUG-01", name="Kubek", price=Decimal("123.00"))
    body = {
        "items": [{"sku": "MUG-01", "name": "Kubek", "quantity": 1, "unit_price": "123.00"}],
        "customer": {"name": "J", "email": "j@example.org"},
    }
    assert manager.api.post("/orders", body).body["taxes"]["rates"][0]["rate"] == "23.00"
    TaxRate.objects.create(country="PL", tax_class="standard", rate=Decimal("25"), valid_from=date(2026, 12, 1))
    assert manager.api.post("/orders", body).body["taxes"]["rates"][0]["rate"] == "25.00"


def test_a_product_without_a_class_of_its_own_takes_its_category_s(load_preset, manager):
    load_preset("shop")  # [taxes] categories: Herbata = super_reduced (5 %)
    product_create(sku="TEA-9", name="Herbata czarna", price=Decimal("10.50"), category="Herbata")
    product_create(sku="TEA-SET", name="Zestaw", price=Decimal("12.30"), category="Herbata", tax_class="standard")
    product_create(sku="MUG-9", name="Kubek", price=Decimal("12.30"), category="Kubki")
    lines = [
        {"sku": sku, "name": sku, "quantity": 1, "unit_price": price}
        for sku, price in (("TEA-9", "10.50"), ("TEA-SET", "12.30"), ("MUG-9", "12.30"))
    ]
    body = manager.api.post("/orders", {"items": lines, "customer": {"name": "Jan", "email": "jan@example.org"}}).body
    assert [i["tax_rate"] for i in body["items"]] == ["5.00", "23.00", "23.00"]


def test_a_category_class_changed_by_an_admin_applies_to_the_next_order_at_once(load_preset, manager):
    from ordo.taxes.models import CategoryClass

    load_preset("shop")
    product_create(sku="MUG-9", name="Kubek", price=Decimal("12.30"), category="Kubki")
    line = [{"sku": "MUG-9", "name": "Kubek", "quantity": 1, "unit_price": "12.30"}]
    customer = {"name": "Jan", "email": "jan@example.org"}
    assert manager.api.post("/orders", {"items": line, "customer": customer}).body["items"][0]["tax_rate"] == "23.00"
    CategoryClass.objects.create(category="Kubki", tax_class="reduced")
    assert manager.api.post("/orders", {"items": line, "customer": customer}).body["items"][0]["tax_rate"] == "8.00"


def test_a_product_s_class_is_set_through_the_api_and_an_unknown_class_is_refused(load_preset, manager):
    load_preset("shop")
    product = {"sku": "BOOK-1", "name": "Książka", "price": "40.00", "tax_class": "super_reduced"}
    created = manager.api.post("/products", product)
    assert (created.status, created.body["tax_class"]) == (201, "super_reduced")
    wrong = manager.api.post("/products", {**product, "sku": "BOOK-2", "tax_class": "luxury"})
    assert (wrong.status, wrong.body["error"]) == (422, "invalid_product")
    assert not Product.objects.filter(sku="BOOK-2").exists()
    patched = manager.api.patch("/products/BOOK-1", {"tax_class": "luxury"})
    assert patched.status == 422
    assert Product.objects.get(sku="BOOK-1").tax_class == "super_reduced"
