"""Admins configure the business in the desk: the workflow editor as forms, versions, message
templates and the business's settings. Managers are refused."""

from __future__ import annotations

import pytest

from ordo.business.details import business
from ordo.notifications.models import TemplateOverride
from ordo.orders.models import Order, StatusChange, Workflow, WorkflowDraft
from ordo.orders.versions import problems_of
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(load_preset):
    load_preset("shop")


def statuses_form(definition: dict, extra: dict | None = None) -> dict:
    """The statuses table as the editor posts it, with one new row."""
    rows = definition["statuses"]
    form: dict = {"section": "statuses", "status-count": str(len(rows) + 1), "status-default-colour": "#ffffff"}
    for i, status in enumerate(rows):
        form[f"status-{i}-original"] = status["code"]
        form[f"status-{i}-code"] = status["code"]
        for language, text in status.get("labels", {}).items():
            form[f"status-{i}-label-{language}"] = text
        if status.get("final"):
            form[f"status-{i}-final"] = "1"
        if status.get("editable"):
            form[f"status-{i}-editable"] = "1"
        form[f"status-{i}-colour"] = status.get("colour", "#ffffff")
    for key, value in (extra or {}).items():
        form[f"status-{len(rows)}-{key}"] = value
    return form


def test_an_admin_adds_a_status_and_a_step_publishes_and_fires_it(shop, admin, manager, customer, place, browser_of):
    order = place(customer)
    desk = browser_of(admin, "pl")
    page = desk.get("/desk/workflows/shop/edit")
    assert page.status_code == 200
    assert "Brak problemów" in text_of(page) or "No problems" in text_of(page)
    definition = WorkflowDraft.objects.get(code="shop").definition
    saved = desk.post(
        "/desk/workflows/shop/edit/save",
        statuses_form(
            definition, {"code": "on_hold", "label-en": "On hold", "label-pl": "Wstrzymane", "colour": "#fde68a"}
        ),
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "on_hold" in text_of(saved)
    problems = problems_of(WorkflowDraft.objects.get(code="shop").definition)
    assert any("'on_hold'" in p for p in problems), "a status nobody reaches is a problem until a step leads there"
    desk.post(
        "/desk/workflows/shop/edit/save",
        {
            "section": "transition_add",
            "code": "hold",
            "transition-label-en": "Put on hold",
            "transition-label-pl": "Wstrzymaj",
            "from": ["new"],
            "to": "on_hold",
            "roles": ["manager", "admin"],
        },
    )
    desk.post(
        "/desk/workflows/shop/edit/save",
        {
            "section": "transition_add",
            "code": "resume",
            "transition-label-en": "Resume",
            "transition-label-pl": "Wznów",
            "from": ["on_hold"],
            "to": "new",
            "roles": ["manager"],
        },
    )
    editor = desk.get("/desk/workflows/shop/edit")
    text = text_of(editor)
    assert "Wstrzymaj" in text
    assert "on_hold" in editor.content.decode()
    assert 'fill="#fde68a"' in editor.content.decode() or "#fde68a" in editor.content.decode()
    published = desk.post("/desk/workflows/shop/edit/publish", {"note": "Wstrzymanie", "move": "1"})
    assert published.status_code == 302
    assert published["Location"] == "/desk/workflows/shop/versions"
    versions = text_of(desk.get("/desk/workflows/shop/versions"))
    assert "Wstrzymanie" in versions
    assert Workflow.objects.get(code="shop", current=True).version == 2
    assert manager.api.fire(order.number, "hold").body["status"]["code"] == "on_hold"
    assert StatusChange.objects.filter(order=order, kind="version").count() == 1


def test_the_editor_names_guards_effects_and_statuses_in_the_page_language(shop, admin, browser_of):
    """An owner reads what a step checks and does, not the engine's codes; the code stays beside
    the name (the configuration file and the API use it)."""
    page = text_of(browser_of(admin, "pl").get("/desk/workflows/shop/edit"))
    assert "Opłacone w całości" in page
    assert "paid_in_full" in page
    assert "Wydaj dokumenty" in page
    assert "issue_documents" in page
    assert "issue_documents: kinds" not in page
    assert "Część zamówienia opłacona (payment.partially_paid)" in page
    assert "Tylko ze statusu Nowe" in page, "a narrower role's status by its label"
    assert "From new only" not in page
    assert "Tylko ze statusu new" not in page
    # A step's ends read as statuses, not as a period's dates or a parcel's sender and recipient.
    assert "Ze statusów" in page
    assert "Do statusu" in page


def test_a_draft_with_problems_shows_them_and_cannot_be_published(shop, admin, browser_of):
    desk = browser_of(admin)
    desk.get("/desk/workflows/shop/edit")
    response = desk.post(
        "/desk/workflows/shop/edit/save",
        {
            "section": "timers",
            "timer-count": "1",
            "timer-0-status": "new",
            "timer-0-after": "soon",
            "timer-0-fire": "cancel",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "not a duration" in text_of(response)
    assert 'disabled aria-disabled="true"' in response.content.decode()
    refused = desk.post("/desk/workflows/shop/edit/publish", {}, follow=True)
    assert "problem" in text_of(refused)
    assert Workflow.objects.filter(code="shop").count() == 1


def test_the_replay_lists_orders_in_removed_statuses(shop, admin, customer, place, browser_of):
    order = place(customer)
    desk = browser_of(admin)
    desk.get("/desk/workflows/shop/edit")
    definition = WorkflowDraft.objects.get(code="shop").definition
    form = statuses_form(definition)
    form["status-0-code"] = "fresh"  # "new" renamed: every step follows, the order's status is gone
    desk.post("/desk/workflows/shop/edit/save", form)
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    found = desk.get("/desk/workflows/shop/edit/replay", {"start": today, "end": today})
    assert f"№ {order.number}" in text_of(found)
    assert "statuses the draft removes" in text_of(found)
    editor = text_of(desk.get("/desk/workflows/shop/edit"))
    assert "Orders in statuses the draft removes go to" in editor


def test_managers_cannot_open_the_configuration_pages(shop, manager, browser_of):
    desk = browser_of(manager)
    for path in ("/desk/workflows/shop/edit", "/desk/settings", "/desk/templates", "/desk/templates/edit"):
        assert desk.get(path).status_code == 403
    assert desk.post("/desk/workflows/shop/edit/publish", {}).status_code == 403


def test_an_admin_saves_the_business_settings_and_sees_who_changed_what(shop, admin, browser_of):
    desk = browser_of(admin)
    form = {
        "name": "Sklep Długa",
        "address": "ul. Długa 12\r\n80-831 Gdańsk",
        "tax_id": "PL5260001246",
        "bank": "",
        "email": "sklep@example.org",
        "phone": "",
        "delivery_estimate_hours": "24",
        "courier_link_days": "5",
        "payment_due_days": "14",
        "manager_scope": "all",
        "manager_auto_assign": "1",
    }
    assert desk.post("/desk/settings", form).status_code == 302
    found = business()
    assert (found.name, found.address, found.courier_link_days, found.contractor_auto_assign) == (
        "Sklep Długa",
        "ul. Długa 12\n80-831 Gdańsk",
        5,
        False,
    )
    page = text_of(desk.get("/desk/settings"))
    assert "Sklep Długa" in page
    assert "alice-admin" in page
    wrong = desk.post("/desk/settings", {**form, "email": "nope", "courier_link_days": "0"})
    assert wrong.status_code == 200
    assert "Nothing was saved" in text_of(wrong)
    assert business().email == "sklep@example.org"


def test_an_admin_writes_previews_and_resets_a_template(shop, admin, customer, place, browser_of):
    order = place(customer)
    desk = browser_of(admin, "pl")
    key = {"event": "status_changed", "recipient": "customer", "channel": "email", "language": "pl"}
    editor = desk.get("/desk/templates/edit", key)
    assert "{{ number }}" in editor.content.decode()
    assert "order.total" in text_of(editor)
    preview = desk.post(
        "/desk/templates/edit",
        {
            **key,
            "subject": "Zamówienie {{ number }}",
            "body": "Status: {{ status }}",
            "order": str(order.number),
            "action": "preview",
        },
    )
    assert f"Zamówienie {order.number}" in text_of(preview)
    assert "Status: Nowe" in text_of(preview)
    broken = desk.post("/desk/templates/edit", {**key, "subject": "", "body": "{% if %}", "action": "save"})
    assert "not a valid template" in text_of(broken)
    assert not TemplateOverride.objects.exists()
    desk.post(
        "/desk/templates/edit",
        {**key, "subject": "Zamówienie {{ number }}", "body": "Dzień dobry\r\n\r\nOk", "action": "save"},
    )
    assert TemplateOverride.objects.get().body == "Dzień dobry\n\nOk"
    assert "Zmieniono status" in text_of(desk.get("/desk/templates")), "the event by its name, not its code"
    desk.post("/desk/templates/edit", {**key, "subject": "", "body": "x", "action": "reset"})
    assert not TemplateOverride.objects.exists()
    assert Order.objects.filter(pk=order.pk).exists()


def test_an_admin_downloads_the_configuration_and_loads_it_back_edited(shop, admin, browser_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    desk = browser_of(admin)
    text = desk.get("/desk/settings/config.toml").content.decode()
    assert 'code = "shop"' in text
    edited = text.replace('en = "Start"', 'en = "Begin"', 1)
    response = desk.post(
        "/desk/settings/config", {"config": SimpleUploadedFile("shop.toml", edited.encode())}, follow=True
    )
    assert "Configuration loaded" in text_of(response)
    assert Workflow.objects.get(code="shop", current=True).version == 2
    broken = desk.post(
        "/desk/settings/config", {"config": SimpleUploadedFile("x.toml", b"[preset]\ncode = 1")}, follow=True
    )
    assert "Nothing was loaded" in text_of(broken)
