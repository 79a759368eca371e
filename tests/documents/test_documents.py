"""Invoices, contracts and acts: PDFs read back with pdftotext, numbering per kind, kept as issued."""

from __future__ import annotations

import subprocess

import pytest
from django.utils import timezone

from ordo.accounts.models import Customer

pytestmark = pytest.mark.django_db

ITEMS = [
    {"sku": "PANEL-18", "name": "Chipboard 18 mm", "quantity": 4, "unit_price": "1850.00"},
    {"sku": "EDGE-2", "name": "Edging 2 mm", "quantity": 10, "unit_price": "35.00"},
]
YEAR = timezone.localdate().year


def text_of(pdf: bytes) -> str:
    """What a reader sees: pdftotext (poppler-utils), whitespace collapsed."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().replace("\xa0", " ").split())


@pytest.fixture
def business(settings):
    settings.ORDO_BUSINESS_NAME = "Мастерская Дуб"
    settings.ORDO_BUSINESS_TAX_ID = "7701234567"
    settings.ORDO_BUSINESS_BANK = "Р/с 40702810900000000001"


@pytest.fixture
def order(load_preset, manager, customer):
    load_preset("furniture")
    body = manager.api.post("/orders", {"customer": customer.customer.pk, "items": ITEMS}).body
    org = customer.customer
    org.kind, org.name, org.tax_id, org.address = "organization", "ООО Ромашка", "7812345678", "Санкт-Петербург"
    org.save()
    return body["number"]


def issue(api, number: int, kind: str, **extra):
    return api.post(f"/orders/{number}/documents", {"kind": kind, **extra})


def pdf(api, document: dict) -> bytes:
    response = api.client.get(document["url"], headers=api.headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_an_invoice_shows_both_parties_the_items_and_what_is_due(business, order, manager, customer):
    manager.api.pay(order, "1000.00", channel="cash")
    response = issue(manager.api, order, "invoice")
    assert response.status == 201, response.body
    invoice = response.body
    assert (invoice["number"], invoice["version"], invoice["language"]) == (f"INV-{YEAR}-00001", 1, "ru")
    text = text_of(pdf(customer.api, invoice))
    assert f"Счёт № INV-{YEAR}-00001" in text
    for expected in ("Мастерская Дуб", "7701234567", "40702810900000000001", "ООО Ромашка", "ИНН: 7812345678"):
        assert expected in text
    assert "Chipboard 18 mm" in text
    assert "Edging 2 mm" in text
    assert "7 750,00" in text  # the total, in Russian number format
    assert "6 750,00" in text  # still due after 1,000 paid
    assert f"Заказ {order}" in text


def test_each_kind_has_its_own_sequence(business, order, manager):
    second = manager.api.post("/orders", {"customer": {"name": "Ivan", "email": "ivan@example.org"}, "items": ITEMS})
    assert issue(manager.api, order, "invoice").body["number"] == f"INV-{YEAR}-00001"
    assert issue(manager.api, second.body["number"], "invoice").body["number"] == f"INV-{YEAR}-00002"
    assert issue(manager.api, order, "contract").body["number"] == f"CTR-{YEAR}-00001"
    act = issue(manager.api, order, "act").body
    assert act["number"] == f"ACT-{YEAR}-00001"
    assert "претензий по объёму, качеству и срокам не имеет" in text_of(pdf(manager.api, act))


def test_an_issued_document_changes_only_when_reissued_with_a_reason(business, order, manager):
    first = issue(manager.api, order, "contract").body
    original = pdf(manager.api, first)
    again = issue(manager.api, order, "contract")
    assert (again.status, again.body["error"]) == (409, "document_exists")
    # The order changes; the issued contract does not.
    manager.api.post(f"/orders/{order}/discounts", {"name": "Loyalty", "kind": "amount", "value": "750.00"})
    assert pdf(manager.api, first) == original
    refused = manager.api.post(f"/orders/{order}/documents/contract/versions", {"reason": ""})
    assert refused.status == 422
    second = manager.api.post(f"/orders/{order}/documents/contract/versions", {"reason": "discount agreed"}).body
    assert (second["number"], second["version"]) == (first["number"], 2)
    text = text_of(pdf(manager.api, second))
    assert "7 000,00" in text
    assert "Редакция 2, переоформлен: discount agreed" in text
    listed = manager.api.get(f"/orders/{order}/documents").body
    assert [(d["version"], d["current"]) for d in listed] == [(2, True), (1, False)]
    assert pdf(manager.api, first) == original
    history = manager.api.get(f"/orders/{order}/activity").body
    assert [a["detail"]["version"] for a in history if a["kind"] == "document_issued"] == [1, 2]


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [
        ("en", "Invoice No.", ["Seller", "Buyer", "Total, RUB"]),
        ("pl", "Faktura nr", ["Sprzedawca", "Nabywca", "Razem, RUB"]),
        ("fi", "Lasku nro", ["Myyjä", "Ostaja", "Yhteensä, RUB"]),
    ],
)
def test_documents_in_every_language(business, order, manager, language, title, words):
    document = issue(manager.api, order, "invoice", language=language).body
    text = text_of(pdf(manager.api, document))
    assert title in text
    for word in words:
        assert word.casefold() in text.casefold()  # party headings are set in capitals


def test_who_may_see_and_issue_documents(order, manager, customer, other_customer, make_person):
    refused = issue(customer.api, order, "invoice")
    assert (refused.status, refused.body["error"]) == (403, "forbidden")
    document = issue(manager.api, order, "invoice").body
    assert [d["number"] for d in customer.api.get(f"/orders/{order}/documents").body] == [document["number"]]
    assert other_customer.api.get(f"/orders/{order}/documents").status == 404
    assert other_customer.api.client.get(document["url"], headers=other_customer.api.headers).status_code == 404
    assert issue(manager.api, order, "receipt").status == 422
    missing = manager.api.post(f"/orders/{order}/documents/act/versions", {"reason": "no act yet"})
    assert (missing.status, missing.body["error"]) == (404, "no_document")


def test_an_organization_customer_with_no_details_still_gets_a_clean_document(load_preset, manager):
    load_preset("shop")
    number = manager.api.post(
        "/orders", {"customer": {"name": "Jan", "email": "jan@example.org"}, "items": ITEMS}
    ).body["number"]
    Customer.objects.filter(email="jan@example.org").update(kind="organization")
    text = text_of(pdf(manager.api, issue(manager.api, number, "invoice").body))
    assert "Jan" in text
    assert "NIP" not in text
