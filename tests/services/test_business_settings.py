"""The business's own settings: kept in the database by admins, each change recorded with who and
when; the environment's ORDO_* values stay the defaults."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from ordo.business.details import business
from ordo.business.models import SettingChange
from tests.documents.test_documents import ITEMS, issue, pdf, text_of

pytestmark = pytest.mark.django_db


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_an_admin_s_settings_are_kept_with_who_and_when_and_the_rest_follow_the_environment(admin, settings):
    settings.ORDO_BUSINESS_PHONE = "+48 600 000 000"
    changed = admin.api.patch("/settings", {"name": "Sklep Długa", "tax_id": "PL5260001246", "courier_link_days": 3})
    assert changed.status == 200, changed.body
    body = changed.body
    assert (body["values"]["name"], body["values"]["tax_id"], body["values"]["courier_link_days"]) == (
        "Sklep Długa",
        "PL5260001246",
        3,
    )
    assert body["values"]["phone"] == "+48 600 000 000", "not set here: the environment's value"
    assert body["set_here"] == ["courier_link_days", "name", "tax_id"]
    assert {(h["key"], h["old"], h["new"], h["by"]) for h in body["history"]} == {
        ("name", "Ordo", "Sklep Długa", "alice-admin"),
        ("tax_id", "", "PL5260001246", "alice-admin"),
        ("courier_link_days", 7, 3, "alice-admin"),
    }
    again = admin.api.patch("/settings", {"name": "Sklep Długa"})
    assert len(again.body["history"]) == 3, "an unchanged value records nothing"


def test_a_refused_value_names_its_reason_and_nothing_is_saved(admin):
    refused = admin.api.patch("/settings", {"name": "Sklep", "email": "not-an-address", "manager_scope": "some"})
    assert (refused.status, refused.body["error"]) == (422, "invalid_setting")
    assert set(refused.body["fields"]) == {"email", "manager_scope"}
    assert business().name == "Ordo"
    assert not SettingChange.objects.exists()
    assert admin.api.patch("/settings", {"colour": "red"}).status == 422


def test_only_admins_read_or_change_the_settings(manager):
    assert manager.api.get("/settings").status == 403
    assert manager.api.patch("/settings", {"name": "Mine"}).status == 403


def test_the_managers_scope_set_here_narrows_what_a_manager_sees(admin, manager, make_person, load_preset, place):
    load_preset("shop")
    buyer = make_person("bob-buyer", "customer")
    number = place(buyer).number
    assert manager.api.get(f"/orders/{number}").status == 200
    admin.api.patch("/settings", {"manager_scope": "own"})
    assert manager.api.get(f"/orders/{number}").status == 404


def test_documents_carry_the_seller_and_logo_set_here(admin, manager, customer, load_preset):
    load_preset("furniture")
    logo = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    saved = admin.api.patch("/settings", {"name": "Мастерская Дуб", "bank": "Р/с 40702810900000000001", "logo": logo})
    assert saved.status == 200, saved.body
    assert [h["new"] for h in saved.body["history"] if h["key"] == "logo"] == ["image, 0 KB"]
    number = manager.api.post("/orders", {"customer": customer.customer.pk, "items": ITEMS}).body["number"]
    document = issue(manager.api, number, "invoice").body
    content = pdf(manager.api, document)
    assert "Мастерская Дуб" in text_of(content)
    assert b"/Image" in content
    assert admin.api.patch("/settings", {"logo": "data:image/gif;base64,R0lGOD=="}).status == 422


def test_e_mails_name_the_business_set_here_as_shop(admin, load_preset, customer, place, smtp, drain):
    load_preset("shop")
    admin.api.patch("/settings", {"name": "Sklep Długa"})
    place(customer)
    drain()
    bodies = [
        part.get_content()
        for m in smtp.inbox.to(customer.user.email)
        for part in m.walk()
        if part.get_content_maintype() == "text"
    ]
    assert any("Sklep Długa" in body for body in bodies), "the e-mail's header names the business"
