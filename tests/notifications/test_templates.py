"""Message templates admins write: checked when saved, previewed with a real order in each
language, line endings normalized, reset to the shipped text."""

from __future__ import annotations

import re

import pytest

from ordo.notifications.models import TemplateOverride

pytestmark = pytest.mark.django_db

TEMPLATE = {"event": "status_changed", "recipient": "customer", "channel": "email", "language": "pl"}


@pytest.fixture
def shop(load_preset):
    load_preset("shop")


def test_the_editor_lists_events_recipients_languages_and_placeholders(shop, admin):
    body = admin.api.get("/templates").body
    assert {"order_placed", "status_changed", "payment_changed", "order_message"} <= set(body["events"])
    assert body["languages"] == ["en", "ru", "pl", "fi"]
    assert {"number", "shop", "order.total"} <= set(body["placeholders"])
    assert body["templates"] == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event": "status_change"}, "Unknown event 'status_change'"),
        ({"language": "Polish"}, "Unknown language 'Polish'"),
        ({"channel": "webhook"}, "Templates are for email and sms"),
        ({"body": "{% if status %}Nowy status"}, "The body is not a valid template"),
        ({"body": "Zamówienie {{ numer }}"}, "placeholders that do not exist: numer"),
        ({"body": "   "}, "needs a body"),
    ],
)
def test_a_template_that_cannot_work_is_refused_with_the_reason(shop, admin, change, reason):
    refused = admin.api.put("/templates", {**TEMPLATE, "subject": "Zamówienie {{ number }}", "body": "Ok", **change})
    assert (refused.status, refused.body["error"]) == (422, "invalid_template")
    assert reason in refused.body["detail"]
    assert not TemplateOverride.objects.exists()


def test_paragraphs_typed_in_a_browser_stay_paragraphs_in_the_e_mail(
    shop, admin, manager, customer, place, smtp, drain
):
    body = "Dzień dobry!\r\n\r\nZamówienie {{ number }} w {{ shop }}: {{ status }}.\r\n\r\nPozdrawiamy"
    saved = admin.api.put("/templates", {**TEMPLATE, "subject": "{{ shop }}: {{ number }}", "body": body})
    assert saved.status == 200, saved.body
    assert "\r" not in saved.body["body"]
    customer.customer.language = "pl"
    customer.customer.save()
    admin.api.patch("/settings", {"name": "Sklep Długa"})
    order = place(customer)
    manager.api.fire(order.number, "start")
    drain()
    mail = next(m for m in smtp.inbox.to(customer.user.email) if str(m["Subject"]).startswith("Sklep Długa"))
    html = mail.get_body(("html",)).get_content()
    paragraphs = re.findall(r'<p style="font-size: 16px[^>]*>(.*?)</p>', html, re.S)
    assert paragraphs == ["Dzień dobry!", f"Zamówienie {order.number} w Sklep Długa: W realizacji.", "Pozdrawiamy"]


def test_a_preview_renders_with_a_real_order_in_each_language(shop, admin, customer, place):
    order = place(customer)
    for language, status in (("pl", "Nowe"), ("ru", "Новый"), ("fi", "Uusi"), ("en", "New")):
        preview = admin.api.post(
            "/templates/preview",
            {
                **TEMPLATE,
                "language": language,
                "subject": "{{ number }}",
                "body": "{{ status }} · {{ order.total }}",
                "order": order.number,
            },
        )
        assert preview.status == 200, preview.body
        assert preview.body["subject"] == str(order.number)
        assert f"{status} · " in preview.body["text"]
    assert not TemplateOverride.objects.exists(), "a preview saves nothing"
    missing = admin.api.post("/templates/preview", {**TEMPLATE, "subject": "", "body": "x", "order": 999999})
    assert missing.status == 404


def test_a_reset_brings_back_the_shipped_text(shop, admin):
    admin.api.put("/templates", {**TEMPLATE, "subject": "S", "body": "B"})
    shipped = admin.api.get("/templates/shipped", event="status_changed", language="pl", recipient="customer").body
    assert "{{ number }}" in shipped["subject"]
    query = "event=status_changed&recipient=customer&channel=email&language=pl"
    assert admin.api.delete(f"/templates?{query}").status == 204
    assert not TemplateOverride.objects.exists()
    assert admin.api.delete(f"/templates?{query}").status == 404


def test_only_admins_write_templates(shop, manager):
    assert manager.api.get("/templates").status == 403
    assert manager.api.put("/templates", {**TEMPLATE, "subject": "S", "body": "B"}).status == 403


def test_the_admin_site_refuses_a_broken_template_too(shop, admin):
    from django.test import Client

    client = Client()
    client.force_login(admin.user)
    response = client.post(
        "/admin/notifications/templateoverride/add/",
        {**TEMPLATE, "event": "status_change", "subject": "", "body": "{% if x %}"},
    )
    assert response.status_code == 200
    assert "Unknown event" in response.content.decode()
    assert not TemplateOverride.objects.exists()
