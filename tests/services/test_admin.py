"""Django admin: a workflow edited there is validated like a preset; orders stay read-only."""

import json

import pytest
from django.test import Client

from ordo.orders.models import Workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin, load_preset):
    load_preset("shop")
    client = Client()
    client.force_login(admin.user)
    return client


def post_definition(browser, definition):
    row = Workflow.objects.get(code="shop")
    return browser.post(
        f"/admin/orders/workflow/{row.pk}/change/",
        {"code": "shop", "scope": "order", "preset": "shop", "definition": json.dumps(definition)},
    )


def test_a_broken_definition_is_refused_with_its_problems(browser):
    definition = Workflow.objects.get(code="shop").definition
    definition["transitions"][0]["to"] = "limbo"
    response = post_definition(browser, definition)
    assert response.status_code == 200
    page = response.content.decode()
    assert "unknown status &#x27;limbo&#x27;" in page
    assert Workflow.objects.get(code="shop").version == 1


def test_a_sound_edit_bumps_version_and_digest(browser):
    row = Workflow.objects.get(code="shop")
    definition = row.definition
    definition["transitions"][0]["labels"]["en"] = "Begin"
    response = post_definition(browser, definition)
    assert response.status_code == 302
    edited = Workflow.objects.get(code="shop")
    assert edited.version == 2
    assert edited.digest != row.digest


@pytest.mark.parametrize(
    "page",
    [
        "/admin/",
        "/admin/orders/order/",
        "/admin/orders/workflow/",
        "/admin/payments/ledgerentry/",
        "/admin/accounts/customer/",
        "/admin/payments/paymentchannel/",
    ],
)
def test_admin_pages_open(browser, page):
    assert browser.get(page).status_code == 200
