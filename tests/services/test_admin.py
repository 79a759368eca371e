"""Django admin: workflow versions and orders are read-only there (they change through the services)."""

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


def test_published_workflow_versions_are_read_only_in_the_admin(browser):
    """A version never changes once published: edits are drafts published as the next version."""
    row = Workflow.objects.get(code="shop")
    definition = dict(row.definition, labels={"en": "Edited"})
    response = browser.post(
        f"/admin/orders/workflow/{row.pk}/change/",
        {"code": "shop", "scope": "order", "preset": "shop", "definition": json.dumps(definition)},
    )
    assert response.status_code == 403
    assert Workflow.objects.get(pk=row.pk).definition == row.definition
    assert browser.get(f"/admin/orders/workflow/{row.pk}/change/").status_code == 200


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


def test_every_admin_list_and_an_order_page_render(browser, admin, customer):
    from django.contrib import admin as django_admin

    from tests.conftest import ITEMS

    number = customer.api.post("/orders", {"items": ITEMS}).body["number"]
    admin.api.post(f"/orders/{number}/discounts", {"name": "Promo", "kind": "amount", "value": "1.00"})
    admin.api.post(f"/orders/{number}/links", {"kind": "duplicate"})
    for model in django_admin.site._registry:
        meta = model._meta
        response = browser.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, meta.label
    from ordo.orders.models import Order

    page = browser.get(f"/admin/orders/order/{Order.objects.get(number=number).pk}/change/")
    assert page.status_code == 200
    assert "Promo" in page.content.decode()


def test_admins_revoke_tokens_from_the_admin(browser, customer):
    from ordo.accounts.models import ApiToken

    token = ApiToken.objects.get(user=customer.user)
    response = browser.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert customer.api.get("/orders").status == 401


def test_orders_are_strictly_read_only_in_the_admin(browser, customer):
    """An edit there would bypass the order's lock, totals, timeline and the permission rule (a
    quantity changed in the admin left the total as it was)."""
    from ordo.orders.models import Order, OrderItem
    from tests.conftest import ITEMS

    number = customer.api.post("/orders", {"items": ITEMS}).body["number"]
    order = Order.objects.get(number=number)
    item = order.items.first()
    page = browser.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'name="items-0-quantity"' not in page
    assert 'name="_save"' not in page
    changed = browser.post(
        f"/admin/orders/order/{order.pk}/change/",
        {"notes": "edited in admin", "items-TOTAL_FORMS": "1", "items-0-id": item.pk, "items-0-quantity": "99"},
    )
    assert changed.status_code == 403
    assert browser.get("/admin/orders/order/add/").status_code == 403
    assert browser.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OrderItem.objects.get(pk=item.pk).quantity == item.quantity
    assert Order.objects.get(pk=order.pk).notes == ""
